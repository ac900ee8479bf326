package io.flowstack.core.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address of either family as the two longs every layer carries: 128 bits, an IPv4 address held as its
 * IPv4-mapped IPv6 form {@code ::ffff:a.b.c.d} (RFC 4291 2.5.5.2), so that one pair of primitives names an address
 * of either family without allocating. The value class over the same bits is {@code io.flowstack.ip.addr.IpAddress};
 * this one serves the modules below it (flow ownership, steering rules and pins).
 */
public final class AddressBits
{
    /** The low long of every IPv4-mapped address, less the IPv4 address itself (the high long is 0). */
    public static final long IPV4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;

    private AddressBits()
    {
    }

    /**
     * @param address an IPv4 address, most significant byte first.
     * @return the low long of its IPv4-mapped form (the high long is 0).
     */
    public static long ipv4Low(final int address)
    {
        return IPV4_MAPPED_PREFIX | (address & 0xFFFF_FFFFL);
    }

    /**
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return true if the two longs hold an IPv4 address (its mapped form).
     */
    public static boolean isIpv4(final long high, final long low)
    {
        return high == 0 && (low & 0xFFFF_FFFF_0000_0000L) == IPV4_MAPPED_PREFIX;
    }

    /**
     * Parses an address literal, never a host name (nothing is looked up): dotted IPv4, or IPv6 in any RFC 4291
     * 2.2 form, without a zone.
     *
     * @param text the literal.
     * @return {high, low}.
     * @throws IllegalArgumentException if it is not an address literal.
     */
    public static long[] parse(final String text)
    {
        final boolean ipv6 = text.indexOf(':') >= 0;
        if (text.isEmpty() || text.length() > 45)
        {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        int dots = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            final boolean digit = c >= '0' && c <= '9';
            final boolean hex = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            dots += c == '.' ? 1 : 0;
            if (!digit && c != '.' && !(ipv6 && (hex || c == ':')))
            {
                throw new IllegalArgumentException("not an IP address: '" + text + "'");
            }
        }
        if (!ipv6 && dots != 3)
        {
            throw new IllegalArgumentException("not an IPv4 address (four dotted numbers): '" + text + "'");
        }
        try
        {
            // Only digits, dots, hex and colons are left: InetAddress parses a literal and never resolves a name.
            return of(InetAddress.getByName(text));
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalArgumentException("not an IP address: '" + text + "'", e);
        }
    }

    /**
     * @param address a Java address of either family.
     * @return {high, low}.
     */
    public static long[] of(final InetAddress address)
    {
        final byte[] b = address.getAddress();
        if (address instanceof Inet4Address)
        {
            return new long[]{0, ipv4Low(
                (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | b[3] & 0xFF)};
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++)
        {
            high = high << 8 | (b[i] & 0xFF);
            low = low << 8 | (b[8 + i] & 0xFF);
        }
        return new long[]{high, low};
    }

    /**
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return IPv4 dotted, IPv6 in the RFC 5952 text form.
     */
    public static String toString(final long high, final long low)
    {
        if (isIpv4(high, low))
        {
            final int a = (int)low;
            return (a >>> 24) + "." + (a >>> 16 & 0xFF) + "." + (a >>> 8 & 0xFF) + "." + (a & 0xFF);
        }
        final int[] words = new int[8];
        for (int i = 0; i < 4; i++)
        {
            words[i] = (int)(high >>> (48 - 16 * i)) & 0xFFFF;
            words[4 + i] = (int)(low >>> (48 - 16 * i)) & 0xFFFF;
        }
        // RFC 5952 4.2: the longest run of two or more zero words becomes "::" (the first such run on a tie).
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; )
        {
            if (words[i] != 0)
            {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        final StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':')
            {
                sb.append(':');
            }
            sb.append(Integer.toHexString(words[i]));
        }
        return sb.toString();
    }
}
