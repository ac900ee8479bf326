package io.flowstack.ip.wire;

import io.flowstack.core.wire.Flyweight;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.MutableDirectBuffer;

/**
 * View of a UDP header (RFC 768). The checksum covers an IPv4 pseudo-header, the UDP header and the data, over
 * {@link #udpLength()} bytes.
 */
public final class UdpFlyweight extends Flyweight
{
    /** Offset of the source port. */
    public static final int SOURCE_PORT_OFFSET = 0;

    /** Offset of the destination port. */
    public static final int DESTINATION_PORT_OFFSET = 2;

    /** Offset of the length (header plus data). */
    public static final int LENGTH_OFFSET = 4;

    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 6;

    /** Length of the header. */
    public static final int HEADER_LENGTH = 8;

    /** Checksum field value meaning "no checksum" (RFC 768). */
    public static final int NO_CHECKSUM = 0;

    /**
     * Wraps a datagram.
     *
     * @param buffer bytes.
     * @param offset where the header starts.
     * @param length bytes available from {@code offset}; may exceed the UDP length.
     * @return this
     */
    public UdpFlyweight wrap(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        wrapInternal(buffer, offset, length);
        return this;
    }

    /**
     * @return true if the window holds a whole header and the length field covers the header and lies within
     *     the window; only then may the getters and checksum methods be used.
     */
    public boolean check()
    {
        if (length < HEADER_LENGTH)
        {
            return false;
        }
        final int udpLength = udpLength();
        return udpLength >= HEADER_LENGTH && udpLength <= length;
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
    public UdpFlyweight sourcePort(final int value)
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
    public UdpFlyweight destinationPort(final int value)
    {
        u16(DESTINATION_PORT_OFFSET, value);
        return this;
    }

    /**
     * @return the length field: header plus data in bytes.
     */
    public int udpLength()
    {
        return u16(LENGTH_OFFSET);
    }

    /**
     * @param value header plus data in bytes.
     * @return this
     */
    public UdpFlyweight udpLength(final int value)
    {
        u16(LENGTH_OFFSET, value);
        return this;
    }

    /**
     * @return the checksum field; {@link #NO_CHECKSUM} if the sender computed none.
     */
    public int checksum()
    {
        return u16(CHECKSUM_OFFSET);
    }

    /**
     * @param value the checksum field.
     * @return this
     */
    public UdpFlyweight checksum(final int value)
    {
        u16(CHECKSUM_OFFSET, value);
        return this;
    }

    /**
     * @return absolute index in {@link #buffer()} where the data starts.
     */
    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /**
     * @return data length from the length field.
     */
    public int payloadLength()
    {
        return udpLength() - HEADER_LENGTH;
    }

    /**
     * Computes and writes the checksum over the IPv4 pseudo-header and {@link #udpLength()} bytes. RFC 768: a
     * computed zero is sent as all ones, since zero means "no checksum".
     *
     * @param srcIp source address of the IPv4 header.
     * @param dstIp destination address of the IPv4 header.
     * @return this
     */
    public UdpFlyweight computeChecksum(final int srcIp, final int dstIp)
    {
        return computeChecksum(InternetChecksum.pseudoHeaderIpv4(srcIp, dstIp, Ipv4Flyweight.PROTO_UDP, udpLength()));
    }

    /**
     * Computes and writes the checksum over a pseudo-header of either family and {@link #udpLength()} bytes; a
     * computed zero is sent as all ones (RFC 768, RFC 8200 8.1).
     *
     * @param pseudoHeaderSum the pseudo-header's unfolded sum (addresses, protocol, UDP length).
     * @return this
     */
    public UdpFlyweight computeChecksum(final long pseudoHeaderSum)
    {
        u16(CHECKSUM_OFFSET, 0);
        final int checksum = sum(pseudoHeaderSum);
        u16(CHECKSUM_OFFSET, checksum == 0 ? 0xFFFF : checksum);
        return this;
    }

    /**
     * @param srcIp source address of the IPv4 header.
     * @param dstIp destination address of the IPv4 header.
     * @return true if the checksum field is {@link #NO_CHECKSUM} (RFC 768: the sender computed none) or the
     *     pseudo-header, header and data sum to -0.
     */
    public boolean checksumValid(final int srcIp, final int dstIp)
    {
        return checksumValid(InternetChecksum.pseudoHeaderIpv4(srcIp, dstIp, Ipv4Flyweight.PROTO_UDP, udpLength()),
            true);
    }

    /**
     * @param pseudoHeaderSum the pseudo-header's unfolded sum (addresses, protocol, UDP length).
     * @param zeroAllowed     {@link #NO_CHECKSUM} passes (IPv4, RFC 768); over IPv6 the checksum is mandatory
     *                        (RFC 8200 8.1) and a zero field fails.
     * @return true if the checksum verifies.
     */
    public boolean checksumValid(final long pseudoHeaderSum, final boolean zeroAllowed)
    {
        if (checksum() == NO_CHECKSUM)
        {
            return zeroAllowed;
        }
        return sum(pseudoHeaderSum) == 0;
    }

    private int sum(final long pseudoHeaderSum)
    {
        return InternetChecksum.fold(InternetChecksum.partial(buffer, offset, udpLength(), pseudoHeaderSum));
    }
}
