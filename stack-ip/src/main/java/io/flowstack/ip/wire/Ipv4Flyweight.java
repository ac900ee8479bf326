package io.flowstack.ip.wire;

import io.flowstack.core.wire.Flyweight;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.MutableDirectBuffer;

/**
 * View of an IPv4 header (RFC 791 3.1), options included in {@link #headerLength()} but not interpreted.
 * Call {@link #validate()} once before the getters; its result names the first problem found.
 */
public final class Ipv4Flyweight extends Flyweight
{
    /** Offset of the version (high nibble) and IHL (low nibble) byte. */
    public static final int VERSION_IHL_OFFSET = 0;

    /** Offset of the type of service byte: DSCP and ECN (RFC 2474, RFC 3168). */
    public static final int DSCP_ECN_OFFSET = 1;

    /** Offset of the total length. */
    public static final int TOTAL_LENGTH_OFFSET = 2;

    /** Offset of the identification. */
    public static final int IDENTIFICATION_OFFSET = 4;

    /** Offset of the flags (3 bits) and fragment offset (13 bits). */
    public static final int FLAGS_FRAGMENT_OFFSET = 6;

    /** Offset of the time to live. */
    public static final int TTL_OFFSET = 8;

    /** Offset of the protocol. */
    public static final int PROTOCOL_OFFSET = 9;

    /** Offset of the header checksum. */
    public static final int HEADER_CHECKSUM_OFFSET = 10;

    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 12;

    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 16;

    /** Length of a header without options (IHL 5). */
    public static final int MIN_HEADER_LENGTH = 20;

    /** Length of a header with the most options (IHL 15). */
    public static final int MAX_HEADER_LENGTH = 60;

    /** The only version this view accepts. */
    public static final int VERSION = 4;

    /** Protocol number of ICMP (RFC 792). */
    public static final int PROTO_ICMP = 1;

    /** Protocol number of TCP (RFC 9293). */
    public static final int PROTO_TCP = 6;

    /** Protocol number of UDP (RFC 768). */
    public static final int PROTO_UDP = 17;

    /** Don't Fragment flag in the flags/fragment field. */
    public static final int FLAG_DF = 0x4000;

    /** More Fragments flag in the flags/fragment field. */
    public static final int FLAG_MF = 0x2000;

    /** Mask of the fragment offset, in 8-byte units, in the flags/fragment field. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    /** {@link #validate()}: the header is well formed. */
    public static final int VALID = 0;

    /** {@link #validate()}: fewer bytes than the minimum header, the header length or the total length. */
    public static final int TRUNCATED = 1;

    /** {@link #validate()}: the version is not 4. */
    public static final int BAD_VERSION = 2;

    /** {@link #validate()}: the IHL is below 5. */
    public static final int BAD_HEADER_LENGTH = 3;

    /** {@link #validate()}: the total length is less than the header length. */
    public static final int BAD_TOTAL_LENGTH = 4;

    /** {@link #validate()}: the header checksum does not verify. */
    public static final int BAD_CHECKSUM = 5;

    /**
     * Wraps a datagram.
     *
     * @param buffer bytes.
     * @param offset where the header starts.
     * @param length bytes available from {@code offset}; may exceed the total length (link padding).
     * @return this
     */
    public Ipv4Flyweight wrap(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        wrapInternal(buffer, offset, length);
        return this;
    }

    /**
     * Validates the header (RFC 1122 3.2.1.1, 3.2.1.2 and RFC 791 3.1). The checks run in this order: minimum
     * length, version, IHL, header within the window, total length at least the header length, total length
     * within the window, header checksum.
     *
     * @return {@link #VALID}, or the first problem found: {@link #TRUNCATED}, {@link #BAD_VERSION},
     *     {@link #BAD_HEADER_LENGTH}, {@link #BAD_TOTAL_LENGTH} or {@link #BAD_CHECKSUM}.
     */
    public int validate()
    {
        if (length < MIN_HEADER_LENGTH)
        {
            return TRUNCATED;
        }
        if (version() != VERSION)
        {
            return BAD_VERSION;
        }
        final int headerLength = headerLength();
        if (headerLength < MIN_HEADER_LENGTH)
        {
            return BAD_HEADER_LENGTH;
        }
        if (headerLength > length)
        {
            return TRUNCATED;
        }
        final int totalLength = totalLength();
        if (totalLength < headerLength)
        {
            return BAD_TOTAL_LENGTH;
        }
        if (totalLength > length)
        {
            return TRUNCATED;
        }
        // RFC 1122 3.2.1.2: a datagram whose header checksum fails is silently discarded.
        if (!checksumValid())
        {
            return BAD_CHECKSUM;
        }
        return VALID;
    }

    /**
     * @return the version, 4 for a valid header.
     */
    public int version()
    {
        return u8(VERSION_IHL_OFFSET) >>> 4;
    }

    /**
     * @return the header length in bytes (IHL times 4).
     */
    public int headerLength()
    {
        return (u8(VERSION_IHL_OFFSET) & 0x0F) << 2;
    }

    /**
     * Writes version 4 and the IHL.
     *
     * @param headerLengthBytes header length in bytes, a multiple of 4 from 20 to 60.
     * @return this
     */
    public Ipv4Flyweight versionAndHeaderLength(final int headerLengthBytes)
    {
        u8(VERSION_IHL_OFFSET, (VERSION << 4) | ((headerLengthBytes >>> 2) & 0x0F));
        return this;
    }

    /**
     * @return the type of service byte: DSCP in the high six bits, ECN in the low two.
     */
    public int dscpEcn()
    {
        return u8(DSCP_ECN_OFFSET);
    }

    /**
     * @param value the type of service byte.
     * @return this
     */
    public Ipv4Flyweight dscpEcn(final int value)
    {
        u8(DSCP_ECN_OFFSET, value);
        return this;
    }

    /**
     * @return the total length of the datagram, header included.
     */
    public int totalLength()
    {
        return u16(TOTAL_LENGTH_OFFSET);
    }

    /**
     * @param value the total length of the datagram, header included.
     * @return this
     */
    public Ipv4Flyweight totalLength(final int value)
    {
        u16(TOTAL_LENGTH_OFFSET, value);
        return this;
    }

    /**
     * @return the identification used to reassemble fragments.
     */
    public int identification()
    {
        return u16(IDENTIFICATION_OFFSET);
    }

    /**
     * @param value the identification.
     * @return this
     */
    public Ipv4Flyweight identification(final int value)
    {
        u16(IDENTIFICATION_OFFSET, value);
        return this;
    }

    /**
     * @return the raw 16 bits of flags and fragment offset.
     */
    public int flagsFragment()
    {
        return u16(FLAGS_FRAGMENT_OFFSET);
    }

    /**
     * @param raw flags ({@link #FLAG_DF}, {@link #FLAG_MF}) ORed with the fragment offset in 8-byte units.
     * @return this
     */
    public Ipv4Flyweight flagsFragment(final int raw)
    {
        u16(FLAGS_FRAGMENT_OFFSET, raw);
        return this;
    }

    /**
     * @return true if the Don't Fragment flag is set.
     */
    public boolean dontFragment()
    {
        return (flagsFragment() & FLAG_DF) != 0;
    }

    /**
     * @return true if the More Fragments flag is set.
     */
    public boolean moreFragments()
    {
        return (flagsFragment() & FLAG_MF) != 0;
    }

    /**
     * @return the fragment offset in bytes (RFC 791 3.1: the field counts 8-byte units).
     */
    public int fragmentOffset()
    {
        return (flagsFragment() & FRAGMENT_OFFSET_MASK) << 3;
    }

    /**
     * @return the time to live.
     */
    public int ttl()
    {
        return u8(TTL_OFFSET);
    }

    /**
     * @param value the time to live.
     * @return this
     */
    public Ipv4Flyweight ttl(final int value)
    {
        u8(TTL_OFFSET, value);
        return this;
    }

    /**
     * @return the protocol of the payload, e.g. {@link #PROTO_TCP}.
     */
    public int protocol()
    {
        return u8(PROTOCOL_OFFSET);
    }

    /**
     * @param value the protocol of the payload.
     * @return this
     */
    public Ipv4Flyweight protocol(final int value)
    {
        u8(PROTOCOL_OFFSET, value);
        return this;
    }

    /**
     * @return the header checksum field.
     */
    public int headerChecksum()
    {
        return u16(HEADER_CHECKSUM_OFFSET);
    }

    /**
     * @param value the header checksum field.
     * @return this
     */
    public Ipv4Flyweight headerChecksum(final int value)
    {
        u16(HEADER_CHECKSUM_OFFSET, value);
        return this;
    }

    /**
     * @return the source address.
     */
    public int source()
    {
        return i32(SOURCE_OFFSET);
    }

    /**
     * @param address the source address.
     * @return this
     */
    public Ipv4Flyweight source(final int address)
    {
        i32(SOURCE_OFFSET, address);
        return this;
    }

    /**
     * @return the destination address.
     */
    public int destination()
    {
        return i32(DESTINATION_OFFSET);
    }

    /**
     * @param address the destination address.
     * @return this
     */
    public Ipv4Flyweight destination(final int address)
    {
        i32(DESTINATION_OFFSET, address);
        return this;
    }

    /**
     * @return absolute index in {@link #buffer()} where the payload starts (after any options).
     */
    public int payloadOffset()
    {
        return offset + headerLength();
    }

    /**
     * @return payload length from the header: total length minus header length.
     */
    public int payloadLength()
    {
        return totalLength() - headerLength();
    }

    /**
     * Computes the header checksum over {@link #headerLength()} bytes and writes it (RFC 791 3.1: computed with
     * the checksum field zero). The version and IHL must already be written.
     *
     * @return this
     */
    public Ipv4Flyweight computeChecksum()
    {
        u16(HEADER_CHECKSUM_OFFSET, 0);
        u16(HEADER_CHECKSUM_OFFSET, InternetChecksum.checksum(buffer, offset, headerLength()));
        return this;
    }

    /**
     * @return true if the header, checksum field included, sums to -0 (RFC 1071 section 1); the header must be within
     *     the window.
     */
    public boolean checksumValid()
    {
        return InternetChecksum.checksum(buffer, offset, headerLength()) == 0;
    }

    /**
     * @param address an IPv4 address.
     * @return the dotted quad, e.g. "192.168.1.1".
     */
    public static String addressToString(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }

    /**
     * Parses a dotted quad such as "192.168.1.1". For setup code: throws on bad input.
     *
     * @param text the address: four decimal numbers 0..255 separated by dots.
     * @return the address.
     * @throws IllegalArgumentException if {@code text} is not a dotted quad.
     */
    public static int parseAddress(final String text)
    {
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int address = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3)
            {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            int octet = 0;
            for (int i = 0; i < part.length(); i++)
            {
                final char c = part.charAt(i);
                if (c < '0' || c > '9')
                {
                    throw new IllegalArgumentException("not an IPv4 address: " + text);
                }
                octet = octet * 10 + (c - '0');
            }
            if (octet > 255)
            {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            address = (address << 8) | octet;
        }
        return address;
    }
}
