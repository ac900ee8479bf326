package io.flowstack.ip.wire;

import io.flowstack.core.wire.Flyweight;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.MutableDirectBuffer;

/**
 * View of an ICMPv4 message (RFC 792): type, code, checksum and the 4-byte rest of the header, which echo
 * messages split into identifier and sequence number. The checksum covers the whole ICMP message, whose length
 * comes from the IP header, so the checksum methods take it as a parameter.
 */
public final class IcmpFlyweight extends Flyweight
{
    /** Offset of the type. */
    public static final int TYPE_OFFSET = 0;

    /** Offset of the code. */
    public static final int CODE_OFFSET = 1;

    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 2;

    /** Offset of the rest of the header (4 bytes). */
    public static final int REST_OF_HEADER_OFFSET = 4;

    /** Offset of the identifier of echo messages. */
    public static final int IDENTIFIER_OFFSET = 4;

    /** Offset of the sequence number of echo messages. */
    public static final int SEQUENCE_OFFSET = 6;

    /** Length of the header. */
    public static final int HEADER_LENGTH = 8;

    /** Type of an echo reply. */
    public static final int TYPE_ECHO_REPLY = 0;

    /** Type of a destination unreachable message. */
    public static final int TYPE_DEST_UNREACHABLE = 3;

    /** Type of an echo request. */
    public static final int TYPE_ECHO_REQUEST = 8;

    /** Type of a time exceeded message. */
    public static final int TYPE_TIME_EXCEEDED = 11;

    /** Destination unreachable code: protocol unreachable (RFC 792). */
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;

    /** Destination unreachable code: port unreachable. */
    public static final int CODE_PORT_UNREACHABLE = 3;

    /** Destination unreachable code: fragmentation needed and DF set (RFC 1191: next-hop MTU in bytes 6..7). */
    public static final int CODE_FRAG_NEEDED = 4;

    /**
     * Wraps an ICMP message.
     *
     * @param buffer bytes.
     * @param offset where the message starts.
     * @param length bytes available from {@code offset}.
     * @return this
     */
    public IcmpFlyweight wrap(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        wrapInternal(buffer, offset, length);
        return this;
    }

    /**
     * @return true if the window holds a whole header; only then may the getters be used.
     */
    public boolean check()
    {
        return length >= HEADER_LENGTH;
    }

    /**
     * @return the message type, e.g. {@link #TYPE_ECHO_REQUEST}.
     */
    public int type()
    {
        return u8(TYPE_OFFSET);
    }

    /**
     * @param value the message type.
     * @return this
     */
    public IcmpFlyweight type(final int value)
    {
        u8(TYPE_OFFSET, value);
        return this;
    }

    /**
     * @return the message code.
     */
    public int code()
    {
        return u8(CODE_OFFSET);
    }

    /**
     * @param value the message code.
     * @return this
     */
    public IcmpFlyweight code(final int value)
    {
        u8(CODE_OFFSET, value);
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
    public IcmpFlyweight checksum(final int value)
    {
        u16(CHECKSUM_OFFSET, value);
        return this;
    }

    /**
     * @return the identifier of an echo message.
     */
    public int identifier()
    {
        return u16(IDENTIFIER_OFFSET);
    }

    /**
     * @param value the identifier of an echo message.
     * @return this
     */
    public IcmpFlyweight identifier(final int value)
    {
        u16(IDENTIFIER_OFFSET, value);
        return this;
    }

    /**
     * @return the sequence number of an echo message.
     */
    public int sequence()
    {
        return u16(SEQUENCE_OFFSET);
    }

    /**
     * @param value the sequence number of an echo message.
     * @return this
     */
    public IcmpFlyweight sequence(final int value)
    {
        u16(SEQUENCE_OFFSET, value);
        return this;
    }

    /**
     * @return bytes 4..7 as one big-endian int (identifier and sequence, unused, or RFC 1191's next-hop MTU).
     */
    public int restOfHeader()
    {
        return i32(REST_OF_HEADER_OFFSET);
    }

    /**
     * @param value bytes 4..7 as one big-endian int.
     * @return this
     */
    public IcmpFlyweight restOfHeader(final int value)
    {
        i32(REST_OF_HEADER_OFFSET, value);
        return this;
    }

    /**
     * @return absolute index in {@link #buffer()} where the data after the header starts.
     */
    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /**
     * Computes and writes the checksum (RFC 792: over the ICMP message starting with the type, with the
     * checksum field zero; an odd length is padded).
     *
     * @param icmpLength length of the ICMP message, header included; within the window.
     * @return this
     */
    public IcmpFlyweight computeChecksum(final int icmpLength)
    {
        u16(CHECKSUM_OFFSET, 0);
        u16(CHECKSUM_OFFSET, InternetChecksum.checksum(buffer, offset, icmpLength));
        return this;
    }

    /**
     * @param icmpLength length of the ICMP message, header included; within the window.
     * @return true if the message, checksum field included, sums to -0.
     */
    public boolean checksumValid(final int icmpLength)
    {
        return InternetChecksum.checksum(buffer, offset, icmpLength) == 0;
    }
}
