package io.flowstack.ip.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.flowstack.ip.wire.TcpPackets.CLIENT_IP;
import static io.flowstack.ip.wire.TcpPackets.IP_HEADER_LENGTH;
import static io.flowstack.ip.wire.TcpPackets.SERVER_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP view against segments Linux sent: a SYN, a SYN-ACK and a data segment, plus an ACK with SACK blocks.
 */
class TcpFlyweightTest
{
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final TcpOptions options = new TcpOptions();

    private TcpFlyweight wrapSegment(final UnsafeBuffer buffer)
    {
        return tcp.wrap(buffer, IP_HEADER_LENGTH, buffer.capacity() - IP_HEADER_LENGTH);
    }

    @Test
    void shouldReadLinuxSyn()
    {
        final UnsafeBuffer buffer = Hex.buffer(TcpPackets.SYN);
        assertSame(tcp, wrapSegment(buffer));

        assertEquals(TcpFlyweight.VALID, tcp.check());
        assertEquals(45678, tcp.sourcePort());
        assertEquals(8080, tcp.destinationPort());
        assertEquals(0x316a2cc9, tcp.sequenceNumber());
        assertEquals(0, tcp.acknowledgmentNumber());
        assertEquals(40, tcp.dataOffset());
        assertEquals(0, tcp.reserved());
        assertEquals(TcpFlyweight.SYN, tcp.flags());
        assertTrue(tcp.syn());
        assertFalse(tcp.ack() || tcp.fin() || tcp.rst() || tcp.psh() || tcp.urg() || tcp.ece() || tcp.cwr());
        assertEquals(64240, tcp.window());
        assertEquals(0xd99e, tcp.checksum());
        assertEquals(0, tcp.urgentPointer());
        assertEquals(IP_HEADER_LENGTH + 20, tcp.optionsOffset());
        assertEquals(20, tcp.optionsLength());
        assertEquals(IP_HEADER_LENGTH + 40, tcp.payloadOffset());
        assertEquals(0, tcp.payloadLength());
        assertEquals(0, tcp.payloadLength(40));
        assertTrue(tcp.checksumValid(CLIENT_IP, SERVER_IP, 40));
        assertFalse(tcp.checksumValid(CLIENT_IP, SERVER_IP + 1, 40), "pseudo-header covers the addresses");
        assertFalse(tcp.checksumValid(CLIENT_IP, SERVER_IP, 39), "pseudo-header covers the length");

        assertEquals(TcpFlyweight.VALID, options.parse(tcp));
        assertEquals(1460, options.mss());
        assertEquals(7, options.windowScale());
        assertFalse(options.windowScaleClamped());
        assertTrue(options.sackPermitted());
        assertTrue(options.hasTimestamps());
        assertEquals(0xf76cbfa9, options.tsVal());
        assertEquals(0, options.tsEcr());
        assertEquals(0, options.sackBlockCount());

        assertEquals(
            new TcpRepr(45678, 8080, 0x316a2cc9, 0, TcpFlyweight.SYN, 64240, 0, 1460, 7, true, true, 0xf76cbfa9, 0, 0),
            TcpRepr.parse(tcp, options));
    }

    @Test
    void shouldReadLinuxSynAck()
    {
        wrapSegment(Hex.buffer(TcpPackets.SYN_ACK));

        assertEquals(TcpFlyweight.VALID, tcp.check());
        assertEquals(8080, tcp.sourcePort());
        assertEquals(45678, tcp.destinationPort());
        assertEquals(0xb22a093e, tcp.sequenceNumber());
        assertEquals(0x316a2cca, tcp.acknowledgmentNumber());
        assertEquals(TcpFlyweight.SYN | TcpFlyweight.ACK, tcp.flags());
        assertTrue(tcp.syn() && tcp.ack());
        assertEquals(65160, tcp.window());
        assertTrue(tcp.checksumValid(SERVER_IP, CLIENT_IP, 40));
        assertFalse(tcp.checksumValid(CLIENT_IP, SERVER_IP + 1, 40));

        assertEquals(
            new TcpRepr(8080, 45678, 0xb22a093e, 0x316a2cca, TcpFlyweight.SYN | TcpFlyweight.ACK, 65160, 0,
                1460, 7, true, true, 0x0a08de5e, 0xf76cbfa9, 0),
            TcpRepr.parse(tcp, options));
    }

    @Test
    void shouldReadLinuxDataSegment()
    {
        final UnsafeBuffer buffer = Hex.buffer(TcpPackets.DATA);
        wrapSegment(buffer);

        assertEquals(TcpFlyweight.VALID, tcp.check());
        assertEquals(0x316a2cca, tcp.sequenceNumber());
        assertEquals(0xb22a093f, tcp.acknowledgmentNumber());
        assertEquals(TcpFlyweight.PSH | TcpFlyweight.ACK, tcp.flags());
        assertTrue(tcp.psh() && tcp.ack());
        assertEquals(502, tcp.window());
        assertEquals(32, tcp.dataOffset());
        assertEquals(IP_HEADER_LENGTH + 32, tcp.payloadOffset());
        assertEquals(17, tcp.payloadLength());
        assertEquals(17, tcp.payloadLength(49));
        assertEquals("hello, flowstack\n", buffer.getStringWithoutLengthAscii(tcp.payloadOffset(), 17));
        assertTrue(tcp.checksumValid(CLIENT_IP, SERVER_IP, 49));

        buffer.putByte(tcp.payloadOffset() + 3, (byte)'L');
        assertFalse(tcp.checksumValid(CLIENT_IP, SERVER_IP, 49), "checksum covers the data");

        assertEquals(TcpFlyweight.VALID, options.parse(tcp));
        assertEquals(TcpOptions.ABSENT, options.mss());
        assertEquals(TcpOptions.ABSENT, options.windowScale());
        assertFalse(options.sackPermitted());
        assertEquals(0xf76cbfdc, options.tsVal());
        assertEquals(0x0a08de5e, options.tsEcr());
    }

    @Test
    void shouldReadSackBlocks()
    {
        wrapSegment(Hex.buffer(TcpPackets.SACK_ACK));

        assertEquals(TcpFlyweight.VALID, tcp.check());
        assertEquals(52, tcp.dataOffset());
        assertTrue(tcp.checksumValid(SERVER_IP, CLIENT_IP, 52));
        assertEquals(TcpFlyweight.VALID, options.parse(tcp));
        assertTrue(options.hasTimestamps());
        assertEquals(2, options.sackBlockCount());
        assertEquals(0x316a3000, options.sackLeft(0));
        assertEquals(0x316a3400, options.sackRight(0));
        assertEquals(0x316a3800, options.sackLeft(1));
        assertEquals(0x316a3c00, options.sackRight(1));
    }

    @Test
    void shouldEmitSameBytesAsLinux()
    {
        assertEmitsSame(TcpPackets.SYN, CLIENT_IP, SERVER_IP);
        assertEmitsSame(TcpPackets.SYN_ACK, SERVER_IP, CLIENT_IP);
        assertEmitsSame(TcpPackets.DATA, CLIENT_IP, SERVER_IP);
    }

    private void assertEmitsSame(final String packet, final int srcIp, final int dstIp)
    {
        final UnsafeBuffer original = Hex.buffer(packet);
        final int tcpLength = original.capacity() - IP_HEADER_LENGTH;
        final TcpRepr repr = TcpRepr.parse(wrapSegment(original), options);
        assertEquals(tcpLength, repr.tcpLength());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[tcpLength]);
        repr.emit(tcp.wrap(buffer, 0, tcpLength), srcIp, dstIp, original, IP_HEADER_LENGTH + repr.headerLength());

        assertEquals(Hex.hex(original, IP_HEADER_LENGTH, tcpLength), Hex.hex(buffer, 0, tcpLength));
    }

    @Test
    void shouldEmitSackOptionsAsLinux()
    {
        final UnsafeBuffer original = Hex.buffer(TcpPackets.SACK_ACK);
        options.reset().timestamps(0x0a08de91, 0xf76cbfdc);
        assertTrue(options.addSackBlock(0x316a3000, 0x316a3400));
        assertTrue(options.addSackBlock(0x316a3800, 0x316a3c00));
        assertEquals(32, options.length());

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[60]);
        tcp.wrap(buffer, 0, 52)
            .sourcePort(8080)
            .destinationPort(45678)
            .sequenceNumber(0xb22a093f)
            .acknowledgmentNumber(0x316a2cdb)
            .dataOffset(TcpFlyweight.HEADER_LENGTH + options.emit(buffer, tcp.optionsOffset()))
            .flags(TcpFlyweight.ACK)
            .window(509)
            .urgentPointer(0)
            .computeChecksum(SERVER_IP, CLIENT_IP, 52);

        assertEquals(0x6936, tcp.checksum());
        assertEquals(Hex.hex(original, IP_HEADER_LENGTH, 52), Hex.hex(buffer, 0, 52));
    }

    @Test
    void shouldReadEveryFlag()
    {
        final UnsafeBuffer buffer = Hex.buffer(TcpPackets.SYN);
        wrapSegment(buffer);
        final int[] bits = {
            TcpFlyweight.FIN, TcpFlyweight.SYN, TcpFlyweight.RST, TcpFlyweight.PSH,
            TcpFlyweight.ACK, TcpFlyweight.URG, TcpFlyweight.ECE, TcpFlyweight.CWR};
        for (int i = 0; i < bits.length; i++)
        {
            assertEquals(1 << i, bits[i]);
            tcp.flags(bits[i]);
            assertEquals(bits[i], tcp.flags());
            final boolean[] seen = {
                tcp.fin(), tcp.syn(), tcp.rst(), tcp.psh(), tcp.ack(), tcp.urg(), tcp.ece(), tcp.cwr()};
            for (int j = 0; j < seen.length; j++)
            {
                assertEquals(i == j, seen[j], "flag " + j + " with bit " + i);
            }
        }
    }

    @Test
    void shouldWriteEveryField()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[24]);
        buffer.setMemory(0, 24, (byte)0xFF);
        tcp.wrap(buffer, 0, 24)
            .sourcePort(0xFFFE)
            .destinationPort(1)
            .sequenceNumber(0x8000_0001)
            .acknowledgmentNumber(0xFFFF_FFFF)
            .dataOffset(24)
            .flags(TcpFlyweight.URG | TcpFlyweight.FIN)
            .window(0xFFFF)
            .checksum(0x1234)
            .urgentPointer(0xABCD);

        assertEquals("ff fe 00 01 80 00 00 01 ff ff ff ff 60 21 ff ff 12 34 ab cd", Hex.hex(buffer, 0, 20));
        assertEquals(0, tcp.reserved(), "reserved bits are cleared when the data offset is written");
        assertEquals(0xFFFE, tcp.sourcePort());
        assertEquals(1, tcp.destinationPort());
        assertEquals(0x8000_0001, tcp.sequenceNumber());
        assertEquals(-1, tcp.acknowledgmentNumber());
        assertEquals(24, tcp.dataOffset());
        assertEquals(0xFFFF, tcp.window());
        assertEquals(0x1234, tcp.checksum());
        assertEquals(0xABCD, tcp.urgentPointer());
        assertTrue(tcp.urg() && tcp.fin());
    }

    @Test
    void shouldCheckLengthAndDataOffset()
    {
        final UnsafeBuffer buffer = Hex.buffer(TcpPackets.DATA);
        assertEquals(TcpFlyweight.TRUNCATED, tcp.wrap(buffer, IP_HEADER_LENGTH, 19).check());
        assertEquals(TcpFlyweight.BAD_DATA_OFFSET, tcp.wrap(buffer, IP_HEADER_LENGTH, 31).check(),
            "options beyond the window");
        assertEquals(TcpFlyweight.VALID, tcp.wrap(buffer, IP_HEADER_LENGTH, 32).check());
        assertEquals(0, tcp.payloadLength());

        for (int words = 0; words < 5; words++)
        {
            buffer.putByte(IP_HEADER_LENGTH + TcpFlyweight.DATA_OFFSET_OFFSET, (byte)(words << 4));
            assertEquals(
                TcpFlyweight.BAD_DATA_OFFSET, tcp.wrap(buffer, IP_HEADER_LENGTH, 49).check(), "words " + words);
        }
        tcp.dataOffset(20);
        assertEquals(TcpFlyweight.VALID, tcp.check(), "the options become data");
        assertEquals(29, tcp.payloadLength());
        tcp.dataOffset(60);
        assertEquals(TcpFlyweight.BAD_DATA_OFFSET, tcp.check(), "60-byte header in a 49-byte segment");
    }

    @Test
    void shouldRefuseHeaderWithBadOption()
    {
        final UnsafeBuffer buffer = Hex.buffer(TcpPackets.SYN);
        // Make the MSS option 5 bytes long: it now claims a byte of the SACK-permitted option.
        buffer.putByte(IP_HEADER_LENGTH + 21, (byte)5);
        assertEquals(TcpFlyweight.BAD_OPTIONS, wrapSegment(buffer).check());
    }

    @Test
    void shouldComputeChecksumOfOddLengthSegment()
    {
        final UnsafeBuffer buffer = Hex.buffer(TcpPackets.DATA);
        wrapSegment(buffer);
        tcp.checksum(0xFFFF);
        tcp.computeChecksum(CLIENT_IP, SERVER_IP, 49);
        assertEquals(0x3325, tcp.checksum());
    }
}
