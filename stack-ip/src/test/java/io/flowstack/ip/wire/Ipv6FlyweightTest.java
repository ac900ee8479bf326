package io.flowstack.ip.wire;

import io.flowstack.ip.addr.IpAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv6FlyweightTest
{
    /** An ICMPv6 echo request header from ping -6 (2001:2::1 to 2001:2::2, 64 bytes of payload), as captured. */
    private static final byte[] KNOWN = Hex.bytes(
        "6000000000403a40" + "20010002000000000000000000000001" + "20010002000000000000000000000002");

    @Test
    void shouldReadAKnownHeader()
    {
        final Ipv6Flyweight ip = new Ipv6Flyweight().wrap(new UnsafeBuffer(bytes(KNOWN, 64)), 0, 104);
        assertEquals(Ipv6Flyweight.VALID, ip.validate());
        assertEquals(6, ip.version());
        assertEquals(0, ip.trafficClass());
        assertEquals(0, ip.flowLabel());
        assertEquals(64, ip.payloadLength());
        assertEquals(58, ip.nextHeader());
        assertEquals(64, ip.hopLimit());
        assertEquals(IpAddress.parse("2001:2::1"), IpAddress.of(ip.sourceHigh(), ip.sourceLow()));
        assertEquals(IpAddress.parse("2001:2::2"), IpAddress.of(ip.destinationHigh(), ip.destinationLow()));
    }

    @Test
    void shouldWriteTheSameBytes()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[40]);
        final IpAddress s = IpAddress.parse("2001:2::1");
        final IpAddress d = IpAddress.parse("2001:2::2");
        new Ipv6Flyweight().wrap(b, 0, 40).versionClassLabel(0, 0).payloadLength(64).nextHeader(58).hopLimit(64)
            .source(s.high(), s.low()).destination(d.high(), d.low());
        assertArrayEquals(KNOWN, b.byteArray());
    }

    @Test
    void shouldNameTheFirstProblem()
    {
        assertEquals(Ipv6Flyweight.TRUNCATED, new Ipv6Flyweight().wrap(new UnsafeBuffer(KNOWN), 0, 39).validate());
        final byte[] v4 = KNOWN.clone();
        v4[0] = 0x45;
        assertEquals(Ipv6Flyweight.BAD_VERSION, new Ipv6Flyweight().wrap(new UnsafeBuffer(v4), 0, 40).validate());
        assertEquals(Ipv6Flyweight.BAD_PAYLOAD_LENGTH,
            new Ipv6Flyweight().wrap(new UnsafeBuffer(bytes(KNOWN, 63)), 0, 103).validate(), "64 claimed, 63 there");
        final byte[] jumbo = KNOWN.clone();
        jumbo[4] = 0;
        jumbo[5] = 0;
        jumbo[6] = 0;
        assertEquals(Ipv6Flyweight.BAD_PAYLOAD_LENGTH, new Ipv6Flyweight().wrap(new UnsafeBuffer(jumbo), 0, 40)
            .validate(), "a jumbogram (RFC 2675) is not taken");
    }

    @Test
    void shouldMapAddressesAsTheRfcsSay()
    {
        final IpAddress target = IpAddress.parse("2001:2::2");
        // RFC 4291 2.7.1: ff02::1:ff00:2; RFC 2464 7: 33:33:ff:00:00:02.
        assertEquals(IpAddress.parse("ff02::1:ff00:2"),
            IpAddress.of(Ipv6Flyweight.SOLICITED_NODE_HIGH, Ipv6Flyweight.solicitedNodeLow(target.low())));
        assertEquals(0x3333_FF00_0002L, Ipv6Flyweight.multicastMac(Ipv6Flyweight.SOLICITED_NODE_HIGH,
            Ipv6Flyweight.solicitedNodeLow(target.low())));
        assertTrue(Ipv6Flyweight.isLinkLocal(IpAddress.parse("fe80::1").high()));
        assertTrue(Ipv6Flyweight.isLinkLocal(IpAddress.parse("febf::1").high()));
        assertTrue(!Ipv6Flyweight.isLinkLocal(IpAddress.parse("fec0::1").high()));
        assertTrue(Ipv6Flyweight.isMulticast(IpAddress.parse("ff02::1").high()));
    }

    @Property
    void shouldRoundTripEveryField(@ForAll @IntRange(max = 255) final int trafficClass,
        @ForAll @IntRange(max = 0xF_FFFF) final int flowLabel, @ForAll @IntRange(max = 65535) final int payload,
        @ForAll @IntRange(max = 255) final int nextHeader, @ForAll @IntRange(max = 255) final int hopLimit,
        @ForAll final long sh, @ForAll final long sl, @ForAll final long dh, @ForAll final long dl)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[40 + payload]);
        final Ipv6Flyweight w = new Ipv6Flyweight().wrap(b, 0, b.capacity()).versionClassLabel(trafficClass, flowLabel)
            .payloadLength(payload).nextHeader(nextHeader).hopLimit(hopLimit).source(sh, sl).destination(dh, dl);
        final Ipv6Flyweight r = new Ipv6Flyweight().wrap(b, 0, b.capacity());
        assertEquals(payload == 0 && nextHeader == 0 ? Ipv6Flyweight.BAD_PAYLOAD_LENGTH : Ipv6Flyweight.VALID,
            r.validate());
        assertEquals(trafficClass, r.trafficClass());
        assertEquals(flowLabel, r.flowLabel());
        assertEquals(payload, r.payloadLength());
        assertEquals(nextHeader, r.nextHeader());
        assertEquals(hopLimit, r.hopLimit());
        assertEquals(sh, r.sourceHigh());
        assertEquals(sl, r.sourceLow());
        assertEquals(dh, r.destinationHigh());
        assertEquals(dl, r.destinationLow());
        assertEquals(w.payloadOffset(), 40);
    }

    @Property
    void shouldNeverThrowOnArbitraryBytes(@ForAll @Size(max = 100) final byte[] bytes)
    {
        final Ipv6Flyweight ip = new Ipv6Flyweight().wrap(new UnsafeBuffer(bytes(bytes, 0)), 0, bytes.length);
        if (ip.validate() == Ipv6Flyweight.VALID)
        {
            assertTrue(40 + ip.payloadLength() <= bytes.length);
        }
    }

    private static byte[] bytes(final byte[] head, final int extra)
    {
        final byte[] b = new byte[head.length + extra];
        System.arraycopy(head, 0, b, 0, head.length);
        return b;
    }
}
