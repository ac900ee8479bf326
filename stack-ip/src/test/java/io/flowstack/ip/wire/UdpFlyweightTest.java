package io.flowstack.ip.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UDP view against a real DNS query, with the RFC 768 checksum rules.
 */
class UdpFlyweightTest
{
    private static final int UDP_OFFSET = 14 + 20;
    private static final int UDP_LENGTH = 37;
    private static final int SRC = 0x0a00_020f;
    private static final int DST = 0x0a00_0203;

    private final UdpFlyweight udp = new UdpFlyweight();

    @Test
    void shouldReadDnsQuery()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.DNS_QUERY);
        assertSame(udp, udp.wrap(buffer, UDP_OFFSET, buffer.capacity() - UDP_OFFSET));

        assertTrue(udp.check());
        assertEquals(53000, udp.sourcePort());
        assertEquals(53, udp.destinationPort());
        assertEquals(UDP_LENGTH, udp.udpLength());
        assertEquals(0x9d19, udp.checksum());
        assertEquals(UDP_OFFSET + 8, udp.payloadOffset());
        assertEquals(29, udp.payloadLength());
        assertTrue(udp.checksumValid(SRC, DST));
        assertFalse(udp.checksumValid(SRC, DST + 1), "pseudo-header covers the addresses");
        assertEquals(new UdpRepr(53000, 53, UDP_LENGTH), UdpRepr.parse(udp));
    }

    @Test
    void shouldCheckLengthField()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.DNS_QUERY);
        assertFalse(udp.wrap(buffer, UDP_OFFSET, 7).check());
        assertFalse(udp.wrap(buffer, UDP_OFFSET, UDP_LENGTH - 1).check(), "length field beyond the window");
        assertTrue(udp.wrap(buffer, UDP_OFFSET, UDP_LENGTH).check());

        udp.udpLength(7);
        assertFalse(udp.check(), "length field shorter than the header");
        udp.udpLength(8);
        assertTrue(udp.check());
        assertEquals(0, udp.payloadLength());
    }

    @Test
    void shouldEmitSameBytesAsDnsQuery()
    {
        final UnsafeBuffer dns = Hex.buffer(Packets.DNS_QUERY);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[UDP_LENGTH]);
        buffer.putBytes(8, dns, UDP_OFFSET + 8, UDP_LENGTH - 8);
        new UdpRepr(53000, 53, UDP_LENGTH).emit(udp.wrap(buffer, 0, UDP_LENGTH), SRC, DST);

        assertEquals(Hex.hex(dns, UDP_OFFSET, UDP_LENGTH), Hex.hex(buffer, 0, UDP_LENGTH));
    }

    @Test
    void shouldTreatZeroChecksumAsNone()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.DNS_QUERY);
        udp.wrap(buffer, UDP_OFFSET, UDP_LENGTH);
        new UdpRepr(53000, 53, UDP_LENGTH).emit(udp);

        assertEquals(UdpFlyweight.NO_CHECKSUM, udp.checksum());
        assertTrue(udp.checksumValid(SRC, DST));
        assertTrue(udp.checksumValid(0, 0), "no checksum: addresses are not checked");
    }

    @Test
    void shouldSendComputedZeroAsAllOnes()
    {
        // A 10-byte datagram whose data word is chosen so that the sum is -0 and the computed checksum is 0.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[10]);
        udp.wrap(buffer, 0, 10).sourcePort(1000).destinationPort(2000).udpLength(10).checksum(0);
        buffer.putShort(8, (short)0, ByteOrder.BIG_ENDIAN);
        udp.computeChecksum(SRC, DST);
        final int withZeroData = udp.checksum();
        // Adding the old checksum as data makes the new sum -0 (one's complement: S + ~S = -0).
        buffer.putShort(8, (short)withZeroData, ByteOrder.BIG_ENDIAN);

        udp.computeChecksum(SRC, DST);
        assertEquals(0xFFFF, udp.checksum(), "RFC 768: a computed zero is transmitted as all ones");
        assertTrue(udp.checksumValid(SRC, DST));
    }
}
