package io.flowstack.ip.ipv6;

import io.flowstack.ip.Frames6;
import io.flowstack.ip.StackHarness;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.net.Route;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.flowstack.ip.StackHarness.PEER_IP6;
import static io.flowstack.ip.StackHarness.PEER_MAC;
import static io.flowstack.ip.StackHarness.STACK_IP6;
import static io.flowstack.ip.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Path MTU for UDP and ICMPv6 (RFC 8201): a Packet Too Big about an echo reply or a UDP datagram we sent lowers the
 * destination's path MTU (never below 1280), and what we send there next is fragmented at the source (RFC 8200 5)
 * into fragments that fit and reassemble to the packet; other destinations keep the link's MTU; the reduction
 * expires after 10 minutes; a Packet Too Big about a packet we did not send, or about TCP (which keeps its own),
 * changes nothing; the cache stays bounded.
 */
class PathMtuTest
{
    private static final IpAddress ROUTER = IpAddress.parse("fe80::1");
    private final StackHarness h = StackHarness.dualStack();

    @AfterEach
    void noLeak()
    {
        assertEquals(h.pool.capacity(), h.pool.available(), "every buffer back in the pool");
    }

    private static byte[] data(final int size, final long seed)
    {
        final byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** A router's Packet Too Big quoting as much of a frame we sent as fits in 1280 bytes (RFC 4443 3.2). */
    private static byte[] packetTooBig(final byte[] sent, final int mtu)
    {
        final byte[] quote = Arrays.copyOfRange(sent, 14, Math.min(sent.length, 14 + 1280 - 48));
        return Frames6.ipv6(STACK_MAC, PEER_MAC, ROUTER, STACK_IP6, Frames6.ICMPV6, 64,
            Frames6.icmpv6(ROUTER, STACK_IP6, 2, 0, mtu, quote));
    }

    private byte[] echo(final byte[] body)
    {
        return Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, Frames6.ICMPV6, 64,
            Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 0x0007_0001, body));
    }

    private int routeMtu(final IpAddress destination)
    {
        final Route route = new Route();
        assertTrue(h.stack.network().route(route, destination.high(), destination.low()));
        return route.mtu();
    }

    /** Checks that every frame fits {@code mtu} and returns the reassembled upper-layer packet. */
    private static byte[] reassemble(final List<byte[]> frames, final int mtu)
    {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int i = 0; i < frames.size(); i++)
        {
            final byte[] f = frames.get(i);
            final UnsafeBuffer b = new UnsafeBuffer(f);
            assertTrue(f.length - 14 <= mtu, "fragment of " + (f.length - 14) + " bytes within " + mtu);
            assertEquals(44, f[20] & 0xFF, "a fragment header");
            assertEquals(data.size(), b.getShort(56, ByteOrder.BIG_ENDIAN) & 0xFFF8, "in order, tiling the packet");
            assertEquals(i < frames.size() - 1, (b.getShort(56, ByteOrder.BIG_ENDIAN) & 1) != 0, "M");
            data.write(f, 62, f.length - 62);
        }
        return data.toByteArray();
    }

    @Test
    void shouldFragmentEchoRepliesToADestinationBehindASmallerLink()
    {
        h.learnPeer6();
        final byte[] body = data(1400, 1);
        final byte[] reply = Frames6.icmpv6(STACK_IP6, PEER_IP6, 129, 0, 0x0007_0001, body);
        final List<byte[]> whole = h.exchange(echo(body));
        assertEquals(1, whole.size());
        assertEquals(14 + 40 + reply.length, whole.get(0).length, "1,448 bytes of IPv6 fit the link's 1,500");

        assertEquals(0, h.exchange(packetTooBig(whole.get(0), 1280)).size());
        assertEquals(1, h.counters.get("ipv6.path_mtu.lowered"));
        assertEquals(1280, routeMtu(PEER_IP6));
        assertEquals(1500, routeMtu(IpAddress.parse("2001:2::3")), "another destination keeps the link's MTU");

        final List<byte[]> fragments = h.exchange(echo(body));
        assertEquals(2, fragments.size());
        assertArrayEquals(reply, reassemble(fragments, 1280));

        // RFC 8201 4: after the reduction expires, the larger MTU is tried again.
        h.clock.advance(PathMtuCache.LIFETIME_NS);
        h.learnPeer6();
        final List<byte[]> again = h.exchange(echo(body));
        assertEquals(1, again.size(), "one frame again");
        assertEquals(14 + 40 + reply.length, again.get(0).length);
        assertEquals(1500, routeMtu(PEER_IP6));
    }

    @Test
    void shouldFragmentUdpToADestinationBehindASmallerLinkAndNeverBelow1280()
    {
        h.learnPeer6();
        h.stack.udp().bind(0, 7, (ep, src, srcPort, buf, off, len) -> ep.reply(buf, off, len));
        final byte[] payload = data(1400, 2);
        final byte[] datagram = Frames6.udp(PEER_IP6, STACK_IP6, 40000, 7, payload);
        final List<byte[]> whole = h.exchange(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, Frames6.UDP, 64,
            datagram));
        assertEquals(1, whole.size());

        // A report below IPv6's minimum counts as 1280 (RFC 8201 4); a larger one later does not raise it.
        h.exchange(packetTooBig(whole.get(0), 600));
        assertEquals(1280, routeMtu(PEER_IP6));
        h.exchange(packetTooBig(whole.get(0), 1400));
        assertEquals(1280, routeMtu(PEER_IP6));
        assertEquals(1, h.counters.get("ipv6.path_mtu.lowered"));

        final List<byte[]> fragments = h.exchange(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, Frames6.UDP,
            64, datagram));
        assertEquals(2, fragments.size());
        assertArrayEquals(Frames6.udp(STACK_IP6, PEER_IP6, 7, 40000, payload), reassemble(fragments, 1280));
    }

    @Test
    void shouldIgnoreAPacketTooBigAboutWhatWeDidNotSendOrAboutTcp()
    {
        h.learnPeer6();
        // Quoting a packet from someone else.
        final byte[] theirs = Frames6.ipv6(PEER_MAC, STACK_MAC, IpAddress.parse("2001:2::9"), PEER_IP6, Frames6.UDP,
            64, Frames6.udp(IpAddress.parse("2001:2::9"), PEER_IP6, 1, 2, new byte[1400]));
        h.exchange(packetTooBig(theirs, 1280));
        // Quoting TCP: the connection keeps its own path MTU (none here to tell).
        final byte[] tcp = Frames6.ipv6(PEER_MAC, STACK_MAC, STACK_IP6, PEER_IP6, 6, 64, new byte[1400]);
        h.exchange(packetTooBig(tcp, 1280));
        assertEquals(0, h.counters.get("ipv6.path_mtu.lowered"));
        assertEquals(1500, routeMtu(PEER_IP6));
    }

    @Test
    void shouldStayBoundedAndKeepTheNewestDestinations()
    {
        final PathMtuCache cache = new PathMtuCache();
        final long now = 1_000_000_000L;
        for (int i = 0; i < 10_000; i++)
        {
            assertTrue(cache.lower(0x2001_0002_0000_0000L, i, 1280 + i % 100, now + i));
            assertEquals(1280 + i % 100, cache.get(0x2001_0002_0000_0000L, i, now + i), "just learned");
            assertTrue(cache.size() <= PathMtuCache.CAPACITY);
        }
        assertFalse(cache.lower(0x2001_0002_0000_0000L, 9999, 1500, now + 10_000), "never raised before expiry");
        assertEquals(0, cache.get(0x2001_0002_0000_0000L, 9999, now + 10_000 + PathMtuCache.LIFETIME_NS));
        int kept = 0;
        for (int i = 9_744; i < 10_000; i++)
        {
            kept += cache.get(0x2001_0002_0000_0000L, i, now + 10_000) != 0 ? 1 : 0;
        }
        assertTrue(kept > 150, "most of the 256 newest are held: " + kept);
    }
}
