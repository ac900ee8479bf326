package io.flowstack.ip.net;

import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RouteTest
{
    private static final IpInterface IFC = new IpInterface(0, 2, 0xC612_0002, 24, 1500, 0);

    @Property
    void shouldSumTheIpv4PseudoHeaderAsRfc9293Does(@ForAll final int source, @ForAll final int destination,
        @ForAll @IntRange(min = 0, max = 65535) final int length)
    {
        final Route r = new Route().set(IFC, 0, IpAddress.ipv4Low(source), 0, IpAddress.ipv4Low(destination), 0, 0);
        assertEquals(InternetChecksum.fold(InternetChecksum.pseudoHeaderIpv4(source, destination, 6, length)),
            InternetChecksum.fold(r.pseudoHeaderSum(6, length)));
        final NetworkView v = new NetworkView().ipv4(0, destination, source, 6, 0, length, true);
        assertEquals(InternetChecksum.fold(r.pseudoHeaderSum(6, length)), InternetChecksum.fold(v.pseudoHeaderSum()),
            "the receiver's view sums the same pseudo-header");
    }

    @Property
    void shouldSumTheIpv6PseudoHeaderAsRfc8200Lays(@ForAll final long sh, @ForAll final long sl,
        @ForAll final long dh, @ForAll final long dl, @ForAll @IntRange(min = 0, max = 65535) final int length)
    {
        // RFC 8200 8.1: source (16), destination (16), upper-layer length (4), three zero bytes, next header.
        final UnsafeBuffer b = new UnsafeBuffer(new byte[40]);
        b.putLong(0, sh, java.nio.ByteOrder.BIG_ENDIAN);
        b.putLong(8, sl, java.nio.ByteOrder.BIG_ENDIAN);
        b.putLong(16, dh, java.nio.ByteOrder.BIG_ENDIAN);
        b.putLong(24, dl, java.nio.ByteOrder.BIG_ENDIAN);
        b.putInt(32, length, java.nio.ByteOrder.BIG_ENDIAN);
        b.putInt(36, 17, java.nio.ByteOrder.BIG_ENDIAN);
        final int expected = InternetChecksum.checksum(b, 0, 40);
        if (IpAddress.isIpv4(dh, dl))
        {
            return;
        }
        final Route r = new Route().set(IFC, sh, sl, dh, dl, dh, dl);
        assertEquals(expected, InternetChecksum.fold(r.pseudoHeaderSum(17, length)));
        final NetworkView v = new NetworkView().ipv6(0, sh, sl, dh, dl, 17, 0, length, true);
        assertEquals(expected, InternetChecksum.fold(v.pseudoHeaderSum()));
    }

    @Test
    void shouldForgetTheNeighborWhenTheResolverChangesOrTimePasses()
    {
        final Route r = new Route().set(IFC, 0, IpAddress.ipv4Low(1), 0, IpAddress.ipv4Low(2), 0, IpAddress.ipv4Low(2));
        assertEquals(-1, r.cachedNeighbor(0, 0), "nothing cached yet");
        r.cacheNeighbor(0x0200_0000_0001L, 7, 1_000);
        assertEquals(0x0200_0000_0001L, r.cachedNeighbor(7, 999));
        assertEquals(-1, r.cachedNeighbor(8, 999), "a change in the resolver invalidates it");
        assertEquals(-1, r.cachedNeighbor(7, 1_000), "past the entry's confirmation it is asked again");
        r.source(0, IpAddress.ipv4Low(3));
        assertEquals(0x0200_0000_0001L, r.cachedNeighbor(7, 999), "another source keeps the same next hop");
        r.set(IFC, 0, IpAddress.ipv4Low(1), 0, IpAddress.ipv4Low(4), 0, IpAddress.ipv4Low(4));
        assertEquals(-1, r.cachedNeighbor(7, 999), "another next hop forgets it");
    }
}
