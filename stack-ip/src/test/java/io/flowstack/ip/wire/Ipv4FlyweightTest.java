package io.flowstack.ip.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv4 header view against real headers and each validation failure (RFC 791).
 */
class Ipv4FlyweightTest
{
    private final Ipv4Flyweight ip = new Ipv4Flyweight();

    private Ipv4Flyweight wrapFrame(final String frame)
    {
        final UnsafeBuffer buffer = Hex.buffer(frame);
        return ip.wrap(buffer, 14, buffer.capacity() - 14);
    }

    @Test
    void shouldReadPingRequestHeader()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.PING_REQUEST);
        assertSame(ip, ip.wrap(buffer, 14, buffer.capacity() - 14));

        assertEquals(Ipv4Flyweight.VALID, ip.validate());
        assertEquals(4, ip.version());
        assertEquals(20, ip.headerLength());
        assertEquals(0, ip.dscpEcn());
        assertEquals(84, ip.totalLength());
        assertEquals(0x3d5a, ip.identification());
        assertEquals(0x4000, ip.flagsFragment());
        assertTrue(ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertEquals(0, ip.fragmentOffset());
        assertEquals(64, ip.ttl());
        assertEquals(Ipv4Flyweight.PROTO_ICMP, ip.protocol());
        assertEquals(0x7999, ip.headerChecksum());
        assertTrue(ip.checksumValid());
        assertEquals(Ipv4Flyweight.parseAddress("192.168.1.100"), ip.source());
        assertEquals(0xc0a8_0101, ip.destination());
        assertEquals(14 + 20, ip.payloadOffset());
        assertEquals(64, ip.payloadLength());
    }

    @Test
    void shouldReadUdpDatagramHeader()
    {
        wrapFrame(Packets.DNS_QUERY);

        assertEquals(Ipv4Flyweight.VALID, ip.validate());
        assertEquals(57, ip.totalLength());
        assertEquals(0x8f21, ip.identification());
        assertEquals(0, ip.flagsFragment());
        assertFalse(ip.dontFragment());
        assertEquals(Ipv4Flyweight.PROTO_UDP, ip.protocol());
        assertEquals(0xd381, ip.headerChecksum());
        assertEquals("10.0.2.15", Ipv4Flyweight.addressToString(ip.source()));
        assertEquals("10.0.2.3", Ipv4Flyweight.addressToString(ip.destination()));
        assertEquals(37, ip.payloadLength());
        assertEquals(new Ipv4Repr(0, 57, 0x8f21, 0, 64, 17, 0x0a00_020f, 0x0a00_0203), Ipv4Repr.parse(ip));
    }

    @Test
    void shouldEmitSameHeaderBytesAsPing()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[20]);
        final Ipv4Repr repr = new Ipv4Repr(0, 84, 0x3d5a, Ipv4Flyweight.FLAG_DF, 64, Ipv4Flyweight.PROTO_ICMP,
            Ipv4Flyweight.parseAddress("192.168.1.100"), Ipv4Flyweight.parseAddress("192.168.1.1"));
        repr.emit(ip.wrap(buffer, 0, repr.bufferLength()));

        assertEquals("45 00 00 54 3d 5a 40 00 40 01 79 99 c0 a8 01 64 c0 a8 01 01", Hex.hex(buffer, 0, 20));
    }

    @Test
    void shouldAcceptLinkPaddingAfterTotalLength()
    {
        final byte[] frame = Hex.bytes(Packets.DNS_QUERY);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frame.length + 10]);
        buffer.putBytes(0, frame);
        ip.wrap(buffer, 14, buffer.capacity() - 14);
        assertEquals(Ipv4Flyweight.VALID, ip.validate());
        assertEquals(37, ip.payloadLength());
    }

    @Test
    void shouldReportEachValidationFailure()
    {
        assertEquals(Ipv4Flyweight.TRUNCATED, ip.wrap(Hex.buffer(Packets.PING_REQUEST), 14, 19).validate());
        assertEquals(Ipv4Flyweight.TRUNCATED, ip.wrap(Hex.buffer(Packets.PING_REQUEST), 14, 83).validate());
        assertEquals(Ipv4Flyweight.VALID, ip.wrap(Hex.buffer(Packets.PING_REQUEST), 14, 84).validate());

        wrapFrame(Packets.PING_REQUEST).buffer().putByte(14, (byte)0x65);
        assertEquals(Ipv4Flyweight.BAD_VERSION, ip.validate());

        wrapFrame(Packets.PING_REQUEST).versionAndHeaderLength(16).computeChecksum();
        assertEquals(Ipv4Flyweight.BAD_HEADER_LENGTH, ip.validate());

        // IHL 15 (60 bytes) fits in the window; the total length is checked after it.
        wrapFrame(Packets.PING_REQUEST).versionAndHeaderLength(60).totalLength(40).computeChecksum();
        assertEquals(Ipv4Flyweight.BAD_TOTAL_LENGTH, ip.validate());

        wrapFrame(Packets.PING_REQUEST).versionAndHeaderLength(60);
        ip.wrap(ip.buffer(), 14, 40);
        assertEquals(Ipv4Flyweight.TRUNCATED, ip.validate(), "options beyond the window");

        wrapFrame(Packets.PING_REQUEST).totalLength(19).computeChecksum();
        assertEquals(Ipv4Flyweight.BAD_TOTAL_LENGTH, ip.validate());

        wrapFrame(Packets.PING_REQUEST).totalLength(85).computeChecksum();
        assertEquals(Ipv4Flyweight.TRUNCATED, ip.validate());

        wrapFrame(Packets.PING_REQUEST).ttl(63);
        assertEquals(Ipv4Flyweight.BAD_CHECKSUM, ip.validate());
        assertFalse(ip.checksumValid());
        ip.computeChecksum();
        assertEquals(Ipv4Flyweight.VALID, ip.validate());
        assertEquals(0x7a99, ip.headerChecksum());
    }

    @Test
    void shouldReadFragmentFields()
    {
        wrapFrame(Packets.PING_REQUEST).flagsFragment(Ipv4Flyweight.FLAG_MF | 185);
        assertTrue(ip.moreFragments());
        assertFalse(ip.dontFragment());
        assertEquals(1480, ip.fragmentOffset());
        assertEquals(0x2000 | 185, ip.flagsFragment());

        ip.flagsFragment(Ipv4Flyweight.FRAGMENT_OFFSET_MASK);
        assertEquals(65528, ip.fragmentOffset());
        assertFalse(ip.moreFragments());
    }

    @Test
    void shouldReadHeaderLengthWithOptions()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        ip.wrap(buffer, 0, 64)
            .versionAndHeaderLength(24)
            .totalLength(64)
            .ttl(1)
            .protocol(Ipv4Flyweight.PROTO_TCP)
            .computeChecksum();
        assertEquals(0x46, buffer.getByte(0));
        assertEquals(Ipv4Flyweight.VALID, ip.validate());
        assertEquals(24, ip.headerLength());
        assertEquals(24, ip.payloadOffset());
        assertEquals(40, ip.payloadLength());
    }

    @Test
    void shouldFormatAndParseAddresses()
    {
        assertEquals("0.0.0.0", Ipv4Flyweight.addressToString(0));
        assertEquals("255.255.255.255", Ipv4Flyweight.addressToString(-1));
        assertEquals("192.168.1.100", Ipv4Flyweight.addressToString(0xc0a8_0164));
        assertEquals(0xc0a8_0164, Ipv4Flyweight.parseAddress("192.168.1.100"));
        assertEquals(-1, Ipv4Flyweight.parseAddress("255.255.255.255"));
        assertEquals(0x0a00_0001, Ipv4Flyweight.parseAddress("10.0.0.1"));
    }

    @Test
    void shouldRejectBadAddresses()
    {
        for (final String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1..3.4", "1.2.3.4.",
            "a.b.c.d", "-1.2.3.4", "1.2.3.0004", " 1.2.3.4"})
        {
            assertThrows(IllegalArgumentException.class, () -> Ipv4Flyweight.parseAddress(bad), bad);
        }
    }
}
