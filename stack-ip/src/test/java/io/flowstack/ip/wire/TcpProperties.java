package io.flowstack.ip.wire;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the TCP view and options: value forms round-trip, the checksum matches a byte-by-byte reference,
 * and no input makes a check or a parse throw.
 */
class TcpProperties
{
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final TcpOptions options = new TcpOptions();
    private final TcpOptions reparsed = new TcpOptions();

    /**
     * Reference: the pseudo-header and segment as one byte array, summed a byte at a time (RFC 1071).
     */
    private static int referenceChecksum(final int srcIp, final int dstIp, final UnsafeBuffer segment,
        final int offset, final int tcpLength)
    {
        final byte[] all = new byte[12 + tcpLength];
        final UnsafeBuffer b = new UnsafeBuffer(all);
        b.putInt(0, srcIp, BIG_ENDIAN);
        b.putInt(4, dstIp, BIG_ENDIAN);
        all[9] = 6;
        b.putShort(10, (short)tcpLength, BIG_ENDIAN);
        segment.getBytes(offset, all, 12, tcpLength);
        all[12 + TcpFlyweight.CHECKSUM_OFFSET] = 0;
        all[12 + TcpFlyweight.CHECKSUM_OFFSET + 1] = 0;
        int sum = 0;
        for (int i = 0; i < all.length; i++)
        {
            sum += (i & 1) == 0 ? (all[i] & 0xFF) << 8 : all[i] & 0xFF;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    private static UnsafeBuffer placed(final byte[] data, final int offset)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + data.length]);
        buffer.putBytes(offset, data);
        return buffer;
    }

    @Property
    void shouldRoundTripTcp(
        @ForAll @IntRange(max = 0xFFFF) final int sourcePort,
        @ForAll @IntRange(max = 0xFFFF) final int destinationPort,
        @ForAll final int sequenceNumber,
        @ForAll final int acknowledgmentNumber,
        @ForAll @IntRange(max = 0xFF) final int flags,
        @ForAll @IntRange(max = 0xFFFF) final int window,
        @ForAll @IntRange(max = 0xFFFF) final int urgentPointer,
        @ForAll @IntRange(min = -1, max = 0xFFFF) final int mss,
        @ForAll @IntRange(min = -1, max = 14) final int windowScale,
        @ForAll final boolean sackPermitted,
        @ForAll final boolean timestamps,
        @ForAll final int tsVal,
        @ForAll final int tsEcr,
        @ForAll @Size(max = 300) final byte[] payload,
        @ForAll final int srcIp,
        @ForAll final int dstIp,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final TcpRepr repr = new TcpRepr(sourcePort, destinationPort, sequenceNumber, acknowledgmentNumber, flags,
            window, urgentPointer, mss, windowScale, sackPermitted, timestamps, timestamps ? tsVal : 0,
            timestamps ? tsEcr : 0, payload.length);
        final int tcpLength = repr.tcpLength();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + tcpLength]);
        repr.emit(tcp.wrap(buffer, offset, tcpLength), srcIp, dstIp, new UnsafeBuffer(payload), 0);

        assertEquals(TcpFlyweight.VALID, tcp.check());
        assertEquals(repr.headerLength(), tcp.dataOffset());
        assertEquals(0, tcp.dataOffset() % 4);
        assertEquals(repr, TcpRepr.parse(tcp, options));
        assertEquals(payload.length, tcp.payloadLength(tcpLength));
        final byte[] data = new byte[payload.length];
        buffer.getBytes(tcp.payloadOffset(), data);
        assertEquals(Hex.hex(payload), Hex.hex(data));
        assertTrue(tcp.checksumValid(srcIp, dstIp, tcpLength));
        assertEquals(referenceChecksum(srcIp, dstIp, buffer, offset, tcpLength), tcp.checksum());
    }

    @Property(tries = 3000)
    void shouldNeverThrowOnArbitraryBytes(
        @ForAll @Size(max = 80) final byte[] data,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final UnsafeBuffer buffer = placed(data, offset);
        final int result = tcp.wrap(buffer, offset, data.length).check();
        assertTrue(result >= TcpFlyweight.VALID && result <= TcpFlyweight.BAD_OPTIONS);
        if (result == TcpFlyweight.VALID)
        {
            TcpRepr.parse(tcp, options);
            assertEquals(TcpFlyweight.VALID, options.parse(tcp), "check() and parse() agree");
            tcp.checksumValid(0x0a000001, 0x0a000002, data.length);
            assertTrue(tcp.payloadLength() >= 0);
            assertTrue(tcp.payloadOffset() + tcp.payloadLength() <= buffer.capacity());
            assertTrue(options.sackBlockCount() <= TcpOptions.MAX_SACK_BLOCKS);
            assertTrue(options.windowScale() <= TcpOptions.MAX_WINDOW_SCALE);
        }
    }

    @Property(tries = 3000)
    void shouldParseArbitraryOptionsWithoutThrowingAndReEmitThem(
        @ForAll @Size(max = 40) final byte[] raw,
        @ForAll @IntRange(max = 3) final int offset)
    {
        // Bias towards known kinds so that the length checks of each are reached.
        for (int i = 0; i < raw.length; i++)
        {
            if ((raw[i] & 0x80) != 0 && (i & 1) == 0)
            {
                raw[i] = (byte)(raw[i] & 0x07);
            }
        }
        final UnsafeBuffer buffer = placed(raw, offset);
        final int result = options.parse(buffer, offset, raw.length);
        assertEquals(TcpOptions.validate(buffer, offset, raw.length), result);
        if (result != TcpFlyweight.VALID)
        {
            assertEquals(TcpFlyweight.BAD_OPTIONS, result);
            return;
        }

        // Whatever was accepted re-emits in Linux's layout and parses back to the same values.
        final UnsafeBuffer out = new UnsafeBuffer(new byte[TcpFlyweight.MAX_OPTIONS_LENGTH]);
        final int length = options.emit(out, 0);
        assertEquals(options.length(), length);
        assertTrue(length <= TcpFlyweight.MAX_OPTIONS_LENGTH && length % 4 == 0);
        assertEquals(TcpFlyweight.VALID, reparsed.parse(out, 0, length));
        assertEquals(options.mss(), reparsed.mss());
        assertEquals(options.windowScale(), reparsed.windowScale());
        assertEquals(options.sackPermitted(), reparsed.sackPermitted());
        assertEquals(options.hasTimestamps(), reparsed.hasTimestamps());
        assertEquals(options.tsVal(), reparsed.tsVal());
        assertEquals(options.tsEcr(), reparsed.tsEcr());
        assertTrue(reparsed.sackBlockCount() <= options.sackBlockCount());
        for (int b = 0; b < reparsed.sackBlockCount(); b++)
        {
            assertEquals(options.sackLeft(b), reparsed.sackLeft(b));
            assertEquals(options.sackRight(b), reparsed.sackRight(b));
        }
    }

    @Property(tries = 2000)
    void shouldNeverThrowOnMutatedRealSegments(
        @ForAll @IntRange(max = 71) final int position,
        @ForAll final byte value,
        @ForAll @IntRange(max = 72) final int cut)
    {
        final byte[] packet = Hex.bytes(TcpPackets.SACK_ACK);
        packet[position] = value;
        final UnsafeBuffer buffer = placed(packet, 0);
        final int length = Math.max(0, Math.min(cut, packet.length) - TcpPackets.IP_HEADER_LENGTH);

        final int result = tcp.wrap(buffer, TcpPackets.IP_HEADER_LENGTH, length).check();
        if (result == TcpFlyweight.VALID)
        {
            assertEquals(TcpFlyweight.VALID, options.parse(tcp));
            TcpRepr.parse(tcp, options);
            tcp.checksumValid(TcpPackets.SERVER_IP, TcpPackets.CLIENT_IP, length);
        }
        else
        {
            assertTrue(result == TcpFlyweight.TRUNCATED || result == TcpFlyweight.BAD_DATA_OFFSET ||
                result == TcpFlyweight.BAD_OPTIONS);
        }
    }
}
