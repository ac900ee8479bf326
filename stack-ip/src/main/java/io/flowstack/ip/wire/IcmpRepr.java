package io.flowstack.ip.wire;

/**
 * Value form of an ICMPv4 header (RFC 792), for tests and setup code. The data after the header is the caller's:
 * it is written into the buffer before {@link #emit(IcmpFlyweight, int)}, which checksums it with the header.
 *
 * @param type          message type, e.g. {@link IcmpFlyweight#TYPE_ECHO_REQUEST}.
 * @param code          message code.
 * @param restOfHeader  bytes 4..7 as a big-endian int.
 */
public record IcmpRepr(int type, int code, int restOfHeader)
{
    /**
     * @param identifier echo identifier.
     * @param sequence   echo sequence number.
     * @return an echo request header.
     */
    public static IcmpRepr echoRequest(final int identifier, final int sequence)
    {
        return new IcmpRepr(IcmpFlyweight.TYPE_ECHO_REQUEST, 0, (identifier << 16) | (sequence & 0xFFFF));
    }

    /**
     * @param identifier echo identifier.
     * @param sequence   echo sequence number.
     * @return an echo reply header.
     */
    public static IcmpRepr echoReply(final int identifier, final int sequence)
    {
        return new IcmpRepr(IcmpFlyweight.TYPE_ECHO_REPLY, 0, (identifier << 16) | (sequence & 0xFFFF));
    }

    /**
     * Reads a header.
     *
     * @param f a view on which {@link IcmpFlyweight#check()} passed.
     * @return the header's values (the checksum is not kept).
     */
    public static IcmpRepr parse(final IcmpFlyweight f)
    {
        return new IcmpRepr(f.type(), f.code(), f.restOfHeader());
    }

    /**
     * @return the echo identifier: the high 16 bits of {@link #restOfHeader()}.
     */
    public int identifier()
    {
        return restOfHeader >>> 16;
    }

    /**
     * @return the echo sequence number: the low 16 bits of {@link #restOfHeader()}.
     */
    public int sequence()
    {
        return restOfHeader & 0xFFFF;
    }

    /**
     * Writes every header field and the checksum over {@code icmpLength} bytes: the header and the data the
     * caller has already written after it.
     *
     * @param f          a view with at least {@code icmpLength} bytes.
     * @param icmpLength length of the whole ICMP message, at least {@link #bufferLength()}.
     */
    public void emit(final IcmpFlyweight f, final int icmpLength)
    {
        f.type(type).code(code).restOfHeader(restOfHeader).computeChecksum(icmpLength);
    }

    /**
     * Writes every header field and the checksum over the whole window of {@code f}.
     *
     * @param f a view wrapped over exactly the ICMP message.
     */
    public void emit(final IcmpFlyweight f)
    {
        emit(f, f.length());
    }

    /**
     * @return bytes of the header {@link #emit} writes.
     */
    public int bufferLength()
    {
        return IcmpFlyweight.HEADER_LENGTH;
    }
}
