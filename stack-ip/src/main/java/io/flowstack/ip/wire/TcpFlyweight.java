package io.flowstack.ip.wire;

import io.flowstack.core.wire.Flyweight;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.MutableDirectBuffer;

/**
 * View of a TCP header (RFC 9293 3.1), options included in {@link #dataOffset()}. TCP has no length field: the
 * segment is the IP payload, so wrap the view with exactly the IP payload length, or pass that length to
 * {@link #payloadLength(int)} and the checksum methods. Call {@link #check()} once before the getters; its
 * result names the first problem found.
 */
public final class TcpFlyweight extends Flyweight
{
    /** Offset of the source port. */
    public static final int SOURCE_PORT_OFFSET = 0;

    /** Offset of the destination port. */
    public static final int DESTINATION_PORT_OFFSET = 2;

    /** Offset of the sequence number. */
    public static final int SEQUENCE_NUMBER_OFFSET = 4;

    /** Offset of the acknowledgment number. */
    public static final int ACKNOWLEDGMENT_NUMBER_OFFSET = 8;

    /** Offset of the byte holding the data offset (high nibble, in 32-bit words) and four reserved bits. */
    public static final int DATA_OFFSET_OFFSET = 12;

    /** Offset of the control bits byte. */
    public static final int FLAGS_OFFSET = 13;

    /** Offset of the window. */
    public static final int WINDOW_OFFSET = 14;

    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 16;

    /** Offset of the urgent pointer. */
    public static final int URGENT_POINTER_OFFSET = 18;

    /** Offset of the options, when the data offset is above 5. */
    public static final int OPTIONS_OFFSET = 20;

    /** Length of a header without options (data offset 5). */
    public static final int HEADER_LENGTH = 20;

    /** Length of a header with the most options (data offset 15): 40 bytes of options. */
    public static final int MAX_HEADER_LENGTH = 60;

    /** Most bytes of options a header can hold. */
    public static final int MAX_OPTIONS_LENGTH = MAX_HEADER_LENGTH - HEADER_LENGTH;

    /** FIN control bit: no more data from the sender. */
    public static final int FIN = 0x01;

    /** SYN control bit: synchronize sequence numbers. */
    public static final int SYN = 0x02;

    /** RST control bit: reset the connection. */
    public static final int RST = 0x04;

    /** PSH control bit: push function. */
    public static final int PSH = 0x08;

    /** ACK control bit: the acknowledgment field is significant. */
    public static final int ACK = 0x10;

    /** URG control bit: the urgent pointer is significant. */
    public static final int URG = 0x20;

    /** ECE control bit: ECN-Echo (RFC 3168). */
    public static final int ECE = 0x40;

    /** CWR control bit: congestion window reduced (RFC 3168). */
    public static final int CWR = 0x80;

    /** {@link #check()}: the header and its options are well formed. */
    public static final int VALID = 0;

    /** {@link #check()}: fewer bytes than the 20-byte fixed header. */
    public static final int TRUNCATED = 1;

    /** {@link #check()}: the data offset is below 5 words or the header it gives runs past the window. */
    public static final int BAD_DATA_OFFSET = 2;

    /** {@link #check()}: an option has an illegal length (see {@link TcpOptions#parse}). */
    public static final int BAD_OPTIONS = 3;

    /**
     * Wraps a segment.
     *
     * @param buffer bytes.
     * @param offset where the header starts.
     * @param length the segment length: header, options and data (the IP payload length).
     * @return this
     */
    public TcpFlyweight wrap(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        wrapInternal(buffer, offset, length);
        return this;
    }

    /**
     * Validates the header: the fixed part within the window, the data offset at least 5 words and within the
     * window, and every option's length (RFC 9293 3.1; 3.2 MUST-7: an implementation must be prepared for an
     * illegal option length such as zero). The checksum is not checked here: it needs the IP addresses, see
     * {@link #checksumValid(int, int, int)}.
     *
     * @return {@link #VALID}, or the first problem found: {@link #TRUNCATED}, {@link #BAD_DATA_OFFSET} or
     *     {@link #BAD_OPTIONS}.
     */
    public int check()
    {
        if (length < HEADER_LENGTH)
        {
            return TRUNCATED;
        }
        final int dataOffset = dataOffset();
        if (dataOffset < HEADER_LENGTH || dataOffset > length)
        {
            return BAD_DATA_OFFSET;
        }
        return TcpOptions.validate(buffer, offset + OPTIONS_OFFSET, dataOffset - HEADER_LENGTH);
    }

    /**
     * @return the source port.
     */
    public int sourcePort()
    {
        return u16(SOURCE_PORT_OFFSET);
    }

    /**
     * @param value the source port.
     * @return this
     */
    public TcpFlyweight sourcePort(final int value)
    {
        u16(SOURCE_PORT_OFFSET, value);
        return this;
    }

    /**
     * @return the destination port.
     */
    public int destinationPort()
    {
        return u16(DESTINATION_PORT_OFFSET);
    }

    /**
     * @param value the destination port.
     * @return this
     */
    public TcpFlyweight destinationPort(final int value)
    {
        u16(DESTINATION_PORT_OFFSET, value);
        return this;
    }

    /**
     * @return the sequence number (SEG.SEQ), to be compared only through {@code io.flowstack.core.seq.Seq}.
     */
    public int sequenceNumber()
    {
        return i32(SEQUENCE_NUMBER_OFFSET);
    }

    /**
     * @param value the sequence number.
     * @return this
     */
    public TcpFlyweight sequenceNumber(final int value)
    {
        i32(SEQUENCE_NUMBER_OFFSET, value);
        return this;
    }

    /**
     * @return the acknowledgment number (SEG.ACK); significant only with {@link #ACK}.
     */
    public int acknowledgmentNumber()
    {
        return i32(ACKNOWLEDGMENT_NUMBER_OFFSET);
    }

    /**
     * @param value the acknowledgment number.
     * @return this
     */
    public TcpFlyweight acknowledgmentNumber(final int value)
    {
        i32(ACKNOWLEDGMENT_NUMBER_OFFSET, value);
        return this;
    }

    /**
     * @return the header length in bytes, options included (the data offset field times 4).
     */
    public int dataOffset()
    {
        return (u8(DATA_OFFSET_OFFSET) >>> 4) << 2;
    }

    /**
     * Writes the data offset and clears the reserved bits (RFC 9293 3.1: "must be zero in generated segments").
     *
     * @param headerLengthBytes header length in bytes, a multiple of 4 from 20 to 60.
     * @return this
     */
    public TcpFlyweight dataOffset(final int headerLengthBytes)
    {
        u8(DATA_OFFSET_OFFSET, ((headerLengthBytes >>> 2) & 0x0F) << 4);
        return this;
    }

    /**
     * @return the four reserved bits between the data offset and the control bits; ignored on receipt.
     */
    public int reserved()
    {
        return u8(DATA_OFFSET_OFFSET) & 0x0F;
    }

    /**
     * @return the control bits: {@link #FIN}, {@link #SYN}, {@link #RST}, {@link #PSH}, {@link #ACK},
     *     {@link #URG}, {@link #ECE} and {@link #CWR} ORed together.
     */
    public int flags()
    {
        return u8(FLAGS_OFFSET);
    }

    /**
     * @param value the control bits ORed together.
     * @return this
     */
    public TcpFlyweight flags(final int value)
    {
        u8(FLAGS_OFFSET, value);
        return this;
    }

    /**
     * @return true if FIN is set.
     */
    public boolean fin()
    {
        return (flags() & FIN) != 0;
    }

    /**
     * @return true if SYN is set.
     */
    public boolean syn()
    {
        return (flags() & SYN) != 0;
    }

    /**
     * @return true if RST is set.
     */
    public boolean rst()
    {
        return (flags() & RST) != 0;
    }

    /**
     * @return true if PSH is set.
     */
    public boolean psh()
    {
        return (flags() & PSH) != 0;
    }

    /**
     * @return true if ACK is set.
     */
    public boolean ack()
    {
        return (flags() & ACK) != 0;
    }

    /**
     * @return true if URG is set.
     */
    public boolean urg()
    {
        return (flags() & URG) != 0;
    }

    /**
     * @return true if ECE is set.
     */
    public boolean ece()
    {
        return (flags() & ECE) != 0;
    }

    /**
     * @return true if CWR is set.
     */
    public boolean cwr()
    {
        return (flags() & CWR) != 0;
    }

    /**
     * @return the window field, unscaled (RFC 7323 2.2: never scaled in a SYN).
     */
    public int window()
    {
        return u16(WINDOW_OFFSET);
    }

    /**
     * @param value the window field, already scaled down.
     * @return this
     */
    public TcpFlyweight window(final int value)
    {
        u16(WINDOW_OFFSET, value);
        return this;
    }

    /**
     * @return the checksum field.
     */
    public int checksum()
    {
        return u16(CHECKSUM_OFFSET);
    }

    /**
     * @param value the checksum field.
     * @return this
     */
    public TcpFlyweight checksum(final int value)
    {
        u16(CHECKSUM_OFFSET, value);
        return this;
    }

    /**
     * @return the urgent pointer; significant only with {@link #URG}.
     */
    public int urgentPointer()
    {
        return u16(URGENT_POINTER_OFFSET);
    }

    /**
     * @param value the urgent pointer.
     * @return this
     */
    public TcpFlyweight urgentPointer(final int value)
    {
        u16(URGENT_POINTER_OFFSET, value);
        return this;
    }

    /**
     * @return absolute index in {@link #buffer()} where the options start.
     */
    public int optionsOffset()
    {
        return offset + OPTIONS_OFFSET;
    }

    /**
     * @return bytes of options, padding included: the data offset minus the fixed header.
     */
    public int optionsLength()
    {
        return dataOffset() - HEADER_LENGTH;
    }

    /**
     * @return absolute index in {@link #buffer()} where the data starts (after the options).
     */
    public int payloadOffset()
    {
        return offset + dataOffset();
    }

    /**
     * @param tcpLength segment length: header, options and data (the IP payload length).
     * @return data length: {@code tcpLength} minus the data offset.
     */
    public int payloadLength(final int tcpLength)
    {
        return tcpLength - dataOffset();
    }

    /**
     * @return data length when the view was wrapped with exactly the segment length.
     */
    public int payloadLength()
    {
        return length - dataOffset();
    }

    /**
     * Computes and writes the checksum over the IPv4 pseudo-header, the header and the data (RFC 9293 3.1: the
     * checksum field itself is taken as zero). Header fields, options and data must already be in place.
     *
     * @param srcIp     source address of the IPv4 header.
     * @param dstIp     destination address of the IPv4 header.
     * @param tcpLength segment length: header, options and data.
     * @return this
     */
    public TcpFlyweight computeChecksum(final int srcIp, final int dstIp, final int tcpLength)
    {
        return computeChecksum(InternetChecksum.pseudoHeaderIpv4(srcIp, dstIp, Ipv4Flyweight.PROTO_TCP, tcpLength),
            tcpLength);
    }

    /**
     * Computes and writes the checksum over a pseudo-header of either family (RFC 9293 3.1, RFC 8200 8.1), the
     * header and the data.
     *
     * @param pseudoHeaderSum the pseudo-header's unfolded sum (addresses, protocol, TCP length).
     * @param tcpLength       segment length: header, options and data.
     * @return this
     */
    public TcpFlyweight computeChecksum(final long pseudoHeaderSum, final int tcpLength)
    {
        u16(CHECKSUM_OFFSET, 0);
        u16(CHECKSUM_OFFSET, sum(pseudoHeaderSum, tcpLength));
        return this;
    }

    /**
     * Writes only the pseudo-header sum, folded and not complemented, in the checksum field: a partial checksum
     * that a device with a checksum offload finishes by summing from the TCP header to the end and storing the
     * complement (virtio NEEDS_CSUM; what Linux's __tcp_v4_send_check leaves for CHECKSUM_PARTIAL).
     *
     * @param srcIp     source address of the IPv4 header.
     * @param dstIp     destination address of the IPv4 header.
     * @param tcpLength segment length: header, options and data.
     * @return this
     */
    public TcpFlyweight partialChecksum(final int srcIp, final int dstIp, final int tcpLength)
    {
        return partialChecksum(InternetChecksum.pseudoHeaderIpv4(srcIp, dstIp, Ipv4Flyweight.PROTO_TCP, tcpLength));
    }

    /**
     * Writes only the pseudo-header sum, folded and not complemented: a partial checksum for the device.
     *
     * @param pseudoHeaderSum the pseudo-header's unfolded sum (addresses, protocol, TCP length).
     * @return this
     */
    public TcpFlyweight partialChecksum(final long pseudoHeaderSum)
    {
        u16(CHECKSUM_OFFSET, ~InternetChecksum.fold(pseudoHeaderSum) & 0xFFFF);
        return this;
    }

    /**
     * @param srcIp     source address of the IPv4 header.
     * @param dstIp     destination address of the IPv4 header.
     * @param tcpLength segment length: header, options and data; at most the wrapped length.
     * @return true if the pseudo-header, header and data sum to -0 (RFC 9293 3.1, RFC 1071).
     */
    public boolean checksumValid(final int srcIp, final int dstIp, final int tcpLength)
    {
        // RFC 9293 3.1: the pseudo-header holds the addresses, zero, the protocol and the TCP length.
        return checksumValid(InternetChecksum.pseudoHeaderIpv4(srcIp, dstIp, Ipv4Flyweight.PROTO_TCP, tcpLength),
            tcpLength);
    }

    /**
     * @param pseudoHeaderSum the pseudo-header's unfolded sum (addresses, protocol, TCP length), either family.
     * @param tcpLength       segment length: header, options and data; at most the wrapped length.
     * @return true if the pseudo-header, header and data sum to -0.
     */
    public boolean checksumValid(final long pseudoHeaderSum, final int tcpLength)
    {
        return sum(pseudoHeaderSum, tcpLength) == 0;
    }

    private int sum(final long pseudoHeaderSum, final int tcpLength)
    {
        return InternetChecksum.fold(InternetChecksum.partial(buffer, offset, tcpLength, pseudoHeaderSum));
    }
}
