package io.flowstack.ip.wire;

import io.flowstack.core.wire.Flyweight;
import org.agrona.MutableDirectBuffer;

/**
 * View of an Ethernet II frame header (IEEE 802.3, RFC 894): destination, source, EtherType. MAC addresses are
 * the low 48 bits of a {@code long}, first octet most significant. The frame check sequence is not part of the
 * view; drivers strip it.
 */
public final class EthernetFlyweight extends Flyweight
{
    /** Offset of the destination MAC address. */
    public static final int DESTINATION_OFFSET = 0;

    /** Offset of the source MAC address. */
    public static final int SOURCE_OFFSET = 6;

    /** Offset of the EtherType. */
    public static final int ETHER_TYPE_OFFSET = 12;

    /** Length of the header: two addresses and the EtherType. */
    public static final int HEADER_LENGTH = 14;

    /** EtherType of IPv4 (RFC 894). */
    public static final int TYPE_IPV4 = 0x0800;

    /** EtherType of ARP (RFC 826). */
    public static final int TYPE_ARP = 0x0806;

    /** EtherType of IPv6 (RFC 2464). */
    public static final int TYPE_IPV6 = 0x86DD;

    /** The broadcast MAC address ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    /**
     * Wraps a frame.
     *
     * @param buffer bytes.
     * @param offset where the frame starts.
     * @param length bytes available from {@code offset}.
     * @return this
     */
    public EthernetFlyweight wrap(final MutableDirectBuffer buffer, final int offset, final int length)
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
     * @return destination MAC address in the low 48 bits.
     */
    public long destination()
    {
        return u48(DESTINATION_OFFSET);
    }

    /**
     * @param mac destination MAC address in the low 48 bits.
     * @return this
     */
    public EthernetFlyweight destination(final long mac)
    {
        u48(DESTINATION_OFFSET, mac);
        return this;
    }

    /**
     * @return source MAC address in the low 48 bits.
     */
    public long source()
    {
        return u48(SOURCE_OFFSET);
    }

    /**
     * @param mac source MAC address in the low 48 bits.
     * @return this
     */
    public EthernetFlyweight source(final long mac)
    {
        u48(SOURCE_OFFSET, mac);
        return this;
    }

    /**
     * @return EtherType, e.g. {@link #TYPE_IPV4}.
     */
    public int etherType()
    {
        return u16(ETHER_TYPE_OFFSET);
    }

    /**
     * @param etherType EtherType, e.g. {@link #TYPE_IPV4}.
     * @return this
     */
    public EthernetFlyweight etherType(final int etherType)
    {
        u16(ETHER_TYPE_OFFSET, etherType);
        return this;
    }

    /**
     * @return absolute index in {@link #buffer()} where the payload starts.
     */
    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    /**
     * @return bytes after the header (may include padding up to the 60-byte minimum frame).
     */
    public int payloadLength()
    {
        return length - HEADER_LENGTH;
    }

    /**
     * @param mac MAC address in the low 48 bits.
     * @return the address as lower-case "02:00:00:00:00:01".
     */
    public static String macToString(final long mac)
    {
        final StringBuilder out = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int octet = (int)(mac >>> shift) & 0xFF;
            out.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift != 0)
            {
                out.append(':');
            }
        }
        return out.toString();
    }

    /**
     * Parses a MAC address such as "02:00:00:00:00:01" (six groups of one or two hex digits, ':' or '-').
     * For setup code: throws on bad input.
     *
     * @param text the address.
     * @return the address in the low 48 bits.
     * @throws IllegalArgumentException if {@code text} is not a MAC address.
     */
    public static long parseMac(final String text)
    {
        final String[] parts = text.split("[:-]", -1);
        if (parts.length != 6)
        {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 2)
            {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            int octet = 0;
            for (int i = 0; i < part.length(); i++)
            {
                final int digit = Character.digit(part.charAt(i), 16);
                if (digit < 0)
                {
                    throw new IllegalArgumentException("not a MAC address: " + text);
                }
                octet = octet * 16 + digit;
            }
            mac = (mac << 8) | octet;
        }
        return mac;
    }
}
