package io.flowstack.ip.wire;

import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.ip.addr.IpAddress;

/**
 * Value form of an ICMPv6 header (RFC 4443 2.1), for tests and setup code. The layout is ICMPv4's (type, code,
 * checksum, a 4-byte field), so it is read and written through {@link IcmpFlyweight}; the checksum differs: it
 * covers the IPv6 pseudo-header too (RFC 4443 2.3, RFC 8200 8.1). The data after the header is the caller's,
 * written into the buffer before {@link #emit}.
 *
 * @param type          message type, e.g. {@link #TYPE_ECHO_REQUEST}.
 * @param code          message code.
 * @param restOfHeader  bytes 4..7 as a big-endian int (identifier and sequence, MTU, pointer, or unused).
 */
public record Icmpv6Repr(int type, int code, int restOfHeader)
{
    /** Type of an echo request (RFC 4443 4.1). */
    public static final int TYPE_ECHO_REQUEST = 128;
    /** Type of an echo reply (RFC 4443 4.2). */
    public static final int TYPE_ECHO_REPLY = 129;

    /**
     * @param identifier echo identifier.
     * @param sequence   echo sequence number.
     * @return an echo request header.
     */
    public static Icmpv6Repr echoRequest(final int identifier, final int sequence)
    {
        return new Icmpv6Repr(TYPE_ECHO_REQUEST, 0, (identifier << 16) | (sequence & 0xFFFF));
    }

    /**
     * @param identifier echo identifier.
     * @param sequence   echo sequence number.
     * @return an echo reply header.
     */
    public static Icmpv6Repr echoReply(final int identifier, final int sequence)
    {
        return new Icmpv6Repr(TYPE_ECHO_REPLY, 0, (identifier << 16) | (sequence & 0xFFFF));
    }

    /**
     * Reads a header.
     *
     * @param f a view on which {@link IcmpFlyweight#check()} passed.
     * @return the header's values (the checksum is not kept).
     */
    public static Icmpv6Repr parse(final IcmpFlyweight f)
    {
        return new Icmpv6Repr(f.type(), f.code(), f.restOfHeader());
    }

    /**
     * Writes every header field and the checksum over the pseudo-header and {@code length} bytes: the header
     * and the data the caller has already written after it.
     *
     * @param f           a view with at least {@code length} bytes.
     * @param length      length of the whole ICMPv6 message, at least {@link #bufferLength()}.
     * @param source      source address of the IPv6 header.
     * @param destination destination address of the IPv6 header.
     */
    public void emit(final IcmpFlyweight f, final int length, final IpAddress source, final IpAddress destination)
    {
        f.type(type).code(code).restOfHeader(restOfHeader).checksum(0);
        f.checksum(InternetChecksum.fold(
            InternetChecksum.partial(f.buffer(), f.offset(), length, pseudoHeaderSum(source, destination, length))));
    }

    /**
     * @param f           a view on the message.
     * @param length      length of the whole ICMPv6 message.
     * @param source      source address of the IPv6 header.
     * @param destination destination address of the IPv6 header.
     * @return true if the message, checksum included, sums to -0 with the pseudo-header.
     */
    public static boolean checksumValid(final IcmpFlyweight f, final int length, final IpAddress source,
        final IpAddress destination)
    {
        return InternetChecksum.fold(
            InternetChecksum.partial(f.buffer(), f.offset(), length, pseudoHeaderSum(source, destination, length)))
            == 0;
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
     * @return bytes of the header {@link #emit} writes.
     */
    public int bufferLength()
    {
        return IcmpFlyweight.HEADER_LENGTH;
    }

    /** RFC 8200 8.1: both addresses, the upper-layer length (32 bits) and the next header. */
    private static long pseudoHeaderSum(final IpAddress source, final IpAddress destination, final int length)
    {
        return words(source.high()) + words(source.low()) + words(destination.high()) + words(destination.low())
            + (length >>> 16) + (length & 0xFFFF) + Ipv6Flyweight.PROTO_ICMPV6;
    }

    private static long words(final long v)
    {
        return (v >>> 48) + (v >>> 32 & 0xFFFF) + (v >>> 16 & 0xFFFF) + (v & 0xFFFF);
    }
}
