package io.flowstack.ip.wire;

/**
 * Value form of a UDP header (RFC 768), for tests and setup code. The data is the caller's: it is written into
 * the buffer before {@link #emit(UdpFlyweight, int, int)}, which checksums it with the header.
 *
 * @param sourcePort      source port.
 * @param destinationPort destination port.
 * @param udpLength       header plus data in bytes.
 */
public record UdpRepr(int sourcePort, int destinationPort, int udpLength)
{
    /**
     * Reads a header.
     *
     * @param f a view on which {@link UdpFlyweight#check()} passed.
     * @return the header's values (the checksum is not kept).
     */
    public static UdpRepr parse(final UdpFlyweight f)
    {
        return new UdpRepr(f.sourcePort(), f.destinationPort(), f.udpLength());
    }

    /**
     * Writes every header field and the checksum over the IPv4 pseudo-header and {@link #udpLength()} bytes.
     *
     * @param f     a view with at least {@link #udpLength()} bytes, data already in place.
     * @param srcIp source address of the IPv4 header.
     * @param dstIp destination address of the IPv4 header.
     */
    public void emit(final UdpFlyweight f, final int srcIp, final int dstIp)
    {
        fields(f).computeChecksum(srcIp, dstIp);
    }

    /**
     * Writes every header field with the checksum field {@link UdpFlyweight#NO_CHECKSUM} (RFC 768: none
     * computed).
     *
     * @param f a view with at least {@link #bufferLength()} bytes.
     */
    public void emit(final UdpFlyweight f)
    {
        fields(f).checksum(UdpFlyweight.NO_CHECKSUM);
    }

    /**
     * @return bytes of the header {@link #emit} writes.
     */
    public int bufferLength()
    {
        return UdpFlyweight.HEADER_LENGTH;
    }

    /**
     * @return data length: the UDP length minus the header.
     */
    public int payloadLength()
    {
        return udpLength - UdpFlyweight.HEADER_LENGTH;
    }

    private UdpFlyweight fields(final UdpFlyweight f)
    {
        return f.sourcePort(sourcePort).destinationPort(destinationPort).udpLength(udpLength);
    }
}
