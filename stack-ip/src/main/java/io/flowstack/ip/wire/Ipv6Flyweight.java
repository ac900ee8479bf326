package io.flowstack.ip.wire;

import io.flowstack.core.wire.Flyweight;
import org.agrona.MutableDirectBuffer;

/**
 * View of the IPv6 fixed header (RFC 8200 3): version, traffic class, flow label, payload length, next header,
 * hop limit and the two addresses, each address read and written as two longs ({@link io.flowstack.ip.addr.IpAddress}
 * form). Extension headers are walked by the layer, not here. Call {@link #validate()} once before the getters.
 */
public final class Ipv6Flyweight extends Flyweight
{
    /** Offset of version (4 bits), traffic class (8) and flow label (20). */
    public static final int VERSION_CLASS_LABEL_OFFSET = 0;
    /** Offset of the payload length: everything after the fixed header, extension headers included. */
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    /** Offset of the next header. */
    public static final int NEXT_HEADER_OFFSET = 6;
    /** Offset of the hop limit. */
    public static final int HOP_LIMIT_OFFSET = 7;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 8;
    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 24;
    /** Length of the fixed header. */
    public static final int HEADER_LENGTH = 40;
    /** The only version this view accepts. */
    public static final int VERSION = 6;
    /** RFC 8200 5: every link carries at least this MTU. */
    public static final int MIN_MTU = 1280;

    /** Next header: hop-by-hop options (RFC 8200 4.3). */
    public static final int HOP_BY_HOP = 0;
    /** Next header: routing (RFC 8200 4.4). */
    public static final int ROUTING = 43;
    /** Next header: fragment (RFC 8200 4.5). */
    public static final int FRAGMENT = 44;
    /** Next header: destination options (RFC 8200 4.6). */
    public static final int DESTINATION_OPTIONS = 60;
    /** Next header: nothing follows (RFC 8200 4.7). */
    public static final int NO_NEXT_HEADER = 59;
    /** Next header: ICMPv6 (RFC 4443). */
    public static final int PROTO_ICMPV6 = 58;

    /** {@link #validate()}: the header is valid. */
    public static final int VALID = 0;
    /** {@link #validate()}: shorter than the fixed header. */
    public static final int TRUNCATED = 1;
    /** {@link #validate()}: version is not 6. */
    public static final int BAD_VERSION = 2;
    /** {@link #validate()}: payload length beyond the window, or zero with a payload (jumbograms are not taken). */
    public static final int BAD_PAYLOAD_LENGTH = 3;

    /**
     * @param buffer the buffer.
     * @param offset where the header starts.
     * @param length bytes available.
     * @return this view.
     */
    public Ipv6Flyweight wrap(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        wrapInternal(buffer, offset, length);
        return this;
    }

    /**
     * Checks what every later getter relies on: the fixed header is there, the version is 6, and the payload
     * length fits the window (RFC 8200 3). A payload length of zero with a hop-by-hop header would be a jumbogram
     * (RFC 2675), which a host on Ethernet never receives: refused.
     *
     * @return {@link #VALID} or the first problem.
     */
    public int validate()
    {
        if (length < HEADER_LENGTH)
        {
            return TRUNCATED;
        }
        if (version() != VERSION)
        {
            return BAD_VERSION;
        }
        final int payload = payloadLength();
        if (HEADER_LENGTH + payload > length || (payload == 0 && nextHeader() == HOP_BY_HOP))
        {
            return BAD_PAYLOAD_LENGTH;
        }
        return VALID;
    }

    /**
     * @return the version field.
     */
    public int version()
    {
        return u8(VERSION_CLASS_LABEL_OFFSET) >>> 4;
    }

    /**
     * @return the traffic class (DSCP and ECN).
     */
    public int trafficClass()
    {
        return i32(VERSION_CLASS_LABEL_OFFSET) >>> 20 & 0xFF;
    }

    /**
     * @return the flow label.
     */
    public int flowLabel()
    {
        return i32(VERSION_CLASS_LABEL_OFFSET) & 0xF_FFFF;
    }

    /**
     * Writes version 6, a traffic class and a flow label.
     *
     * @param trafficClass traffic class.
     * @param flowLabel    flow label (20 bits).
     * @return this view.
     */
    public Ipv6Flyweight versionClassLabel(final int trafficClass, final int flowLabel)
    {
        i32(VERSION_CLASS_LABEL_OFFSET, VERSION << 28 | (trafficClass & 0xFF) << 20 | flowLabel & 0xF_FFFF);
        return this;
    }

    /**
     * @return the payload length.
     */
    public int payloadLength()
    {
        return u16(PAYLOAD_LENGTH_OFFSET);
    }

    /**
     * @param value the payload length.
     * @return this view.
     */
    public Ipv6Flyweight payloadLength(final int value)
    {
        u16(PAYLOAD_LENGTH_OFFSET, value);
        return this;
    }

    /**
     * @return the next header.
     */
    public int nextHeader()
    {
        return u8(NEXT_HEADER_OFFSET);
    }

    /**
     * @param value the next header.
     * @return this view.
     */
    public Ipv6Flyweight nextHeader(final int value)
    {
        u8(NEXT_HEADER_OFFSET, value);
        return this;
    }

    /**
     * @return the hop limit.
     */
    public int hopLimit()
    {
        return u8(HOP_LIMIT_OFFSET);
    }

    /**
     * @param value the hop limit.
     * @return this view.
     */
    public Ipv6Flyweight hopLimit(final int value)
    {
        u8(HOP_LIMIT_OFFSET, value);
        return this;
    }

    /**
     * @return source, first 64 bits.
     */
    public long sourceHigh()
    {
        return buffer.getLong(offset + SOURCE_OFFSET, NET);
    }

    /**
     * @return source, last 64 bits.
     */
    public long sourceLow()
    {
        return buffer.getLong(offset + SOURCE_OFFSET + 8, NET);
    }

    /**
     * @return destination, first 64 bits.
     */
    public long destinationHigh()
    {
        return buffer.getLong(offset + DESTINATION_OFFSET, NET);
    }

    /**
     * @return destination, last 64 bits.
     */
    public long destinationLow()
    {
        return buffer.getLong(offset + DESTINATION_OFFSET + 8, NET);
    }

    /**
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return this view.
     */
    public Ipv6Flyweight source(final long high, final long low)
    {
        buffer.putLong(offset + SOURCE_OFFSET, high, NET);
        buffer.putLong(offset + SOURCE_OFFSET + 8, low, NET);
        return this;
    }

    /**
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return this view.
     */
    public Ipv6Flyweight destination(final long high, final long low)
    {
        buffer.putLong(offset + DESTINATION_OFFSET, high, NET);
        buffer.putLong(offset + DESTINATION_OFFSET + 8, low, NET);
        return this;
    }

    /**
     * @return offset of the first byte after the fixed header.
     */
    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /**
     * @param high first 64 bits.
     * @return true for a multicast address (ff00::/8, RFC 4291 2.7).
     */
    public static boolean isMulticast(final long high)
    {
        return (high >>> 56) == 0xFF;
    }

    /**
     * @param high first 64 bits.
     * @return true for a link-local unicast address (fe80::/10, RFC 4291 2.5.6).
     */
    public static boolean isLinkLocal(final long high)
    {
        return (high >>> 54) == (0xFE80L >>> 6);
    }

    /**
     * @param low last 64 bits of a unicast address.
     * @return the last 64 bits of its solicited-node multicast address (RFC 4291 2.7.1: ff02::1:ffXX:XXXX); the
     *         first 64 bits are {@link #SOLICITED_NODE_HIGH}.
     */
    public static long solicitedNodeLow(final long low)
    {
        return 0x0000_0001_FF00_0000L | (low & 0xFF_FFFFL);
    }

    /** First 64 bits of every link-scope multicast address ff02::/16 used here (all-nodes, solicited-node). */
    public static final long SOLICITED_NODE_HIGH = 0xFF02_0000_0000_0000L;
    /** Last 64 bits of ff02::1, all nodes on the link. */
    public static final long ALL_NODES_LOW = 1L;
    /** First 64 bits of fe80::/64, link-local unicast. */
    public static final long LINK_LOCAL_HIGH = 0xFE80_0000_0000_0000L;

    /**
     * @param high first 64 bits of a multicast address.
     * @param low  last 64 bits.
     * @return its Ethernet address (RFC 2464 7: 33:33 and the last 32 bits).
     */
    public static long multicastMac(final long high, final long low)
    {
        return 0x3333_0000_0000L | (low & 0xFFFF_FFFFL);
    }
}
