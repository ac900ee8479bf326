package io.flowstack.ip.addr;

import io.flowstack.core.wire.AddressBits;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address of either family as one immutable value: 128 bits in two longs, an IPv4 address held as its
 * IPv4-mapped IPv6 form {@code ::ffff:a.b.c.d} (RFC 4291 2.5.5.2), as a dual-stack socket sees it. Equal addresses
 * are equal values, so it is a map key as it is; {@link #toString()} prints IPv4 dotted and IPv6 in the RFC 5952
 * text form.
 * <p>
 * The hot path never makes one: layers, connection keys and routes carry the same two longs as primitives
 * ({@link #high()}, {@link #low()}; {@link #ipv4Low(int)} maps an IPv4 address, {@link #isIpv4(long, long)} tells
 * the family). This class is the public form: for APIs, configuration and diagnostics.
 */
public final class IpAddress implements Comparable<IpAddress>
{
    /** Family of IPv4 addresses. */
    public static final int IPV4 = 4;
    /** Family of IPv6 addresses. */
    public static final int IPV6 = 6;
    /** The low long of every IPv4-mapped address, less the IPv4 address itself (the high long is 0). */
    public static final long IPV4_MAPPED_PREFIX = AddressBits.IPV4_MAPPED_PREFIX;
    /** 0.0.0.0: any IPv4 address of this host (a wildcard bind). */
    public static final IpAddress IPV4_ANY = ofIpv4(0);
    /** {@code ::}: the IPv6 unspecified address (RFC 4291 2.5.2), also a wildcard bind. */
    public static final IpAddress IPV6_ANY = new IpAddress(0, 0);

    private final long high;
    private final long low;

    private IpAddress(final long high, final long low)
    {
        this.high = high;
        this.low = low;
    }

    /**
     * @param high the first 64 bits (network order: bit 127 is the most significant bit of {@code high}).
     * @param low  the last 64 bits.
     * @return the address; IPv4 if the bits are an IPv4-mapped address.
     */
    public static IpAddress of(final long high, final long low)
    {
        return new IpAddress(high, low);
    }

    /**
     * @param address an IPv4 address, most significant byte first ({@code 198.18.0.1} is {@code 0xC6120001}).
     * @return the address.
     */
    public static IpAddress ofIpv4(final int address)
    {
        return new IpAddress(0, ipv4Low(address));
    }

    /**
     * @param address 4 or 16 bytes in network order.
     * @return the address.
     * @throws IllegalArgumentException for any other length.
     */
    public static IpAddress of(final byte[] address)
    {
        if (address.length == 4)
        {
            return ofIpv4(getInt(address, 0));
        }
        if (address.length != 16)
        {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        return new IpAddress(getLong(address, 0), getLong(address, 8));
    }

    /**
     * @param address a Java address of either family.
     * @return the same address.
     */
    public static IpAddress of(final InetAddress address)
    {
        return of(address.getAddress());
    }

    /**
     * Parses an address literal, never a host name (nothing is looked up): dotted IPv4, or IPv6 in any RFC 4291
     * 2.2 form, without a zone.
     *
     * @param text the literal.
     * @return the address.
     * @throws IllegalArgumentException if it is not an address literal.
     */
    public static IpAddress parse(final String text)
    {
        final long[] bits = AddressBits.parse(text);
        return new IpAddress(bits[0], bits[1]);
    }

    /**
     * @param address an IPv4 address.
     * @return the low long of its IPv4-mapped form (the high long is 0).
     */
    public static long ipv4Low(final int address)
    {
        return AddressBits.ipv4Low(address);
    }

    /**
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return true if the two longs hold an IPv4 address (its mapped form).
     */
    public static boolean isIpv4(final long high, final long low)
    {
        return AddressBits.isIpv4(high, low);
    }

    /**
     * @return {@link #IPV4} or {@link #IPV6}.
     */
    public int family()
    {
        return isIpv4() ? IPV4 : IPV6;
    }

    /**
     * @return true for an IPv4 address.
     */
    public boolean isIpv4()
    {
        return isIpv4(high, low);
    }

    /**
     * @return true for 0.0.0.0 and {@code ::}.
     */
    public boolean isAny()
    {
        return high == 0 && (low == 0 || low == IPV4_MAPPED_PREFIX);
    }

    /**
     * @return the IPv4 address as an int.
     * @throws IllegalStateException for an IPv6 address.
     */
    public int ipv4()
    {
        if (!isIpv4())
        {
            throw new IllegalStateException(this + " is not an IPv4 address");
        }
        return (int)low;
    }

    /**
     * @return the first 64 bits (for an IPv4 address, 0).
     */
    public long high()
    {
        return high;
    }

    /**
     * @return the last 64 bits (for an IPv4 address, {@link #ipv4Low(int)}).
     */
    public long low()
    {
        return low;
    }

    /**
     * @return 4 bytes for IPv4, 16 for IPv6, network order.
     */
    public byte[] toBytes()
    {
        if (isIpv4())
        {
            final int a = (int)low;
            return new byte[]{(byte)(a >>> 24), (byte)(a >>> 16), (byte)(a >>> 8), (byte)a};
        }
        final byte[] b = new byte[16];
        for (int i = 0; i < 8; i++)
        {
            b[i] = (byte)(high >>> (56 - 8 * i));
            b[8 + i] = (byte)(low >>> (56 - 8 * i));
        }
        return b;
    }

    /**
     * @return the same address as a Java {@link InetAddress} (an {@code Inet4Address} for IPv4).
     */
    public InetAddress toInetAddress()
    {
        try
        {
            return InetAddress.getByAddress(toBytes());
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return the text form of the address, without making an {@link IpAddress} (diagnostics).
     */
    public static String toString(final long high, final long low)
    {
        return AddressBits.toString(high, low);
    }

    @Override
    public String toString()
    {
        return toString(high, low);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof IpAddress a && a.high == high && a.low == low;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(high * 31 + low);
    }

    /** Orders by the 128-bit value, unsigned: IPv4 addresses (mapped) come before global IPv6 ones. */
    @Override
    public int compareTo(final IpAddress o)
    {
        final int c = Long.compareUnsigned(high, o.high);
        return c != 0 ? c : Long.compareUnsigned(low, o.low);
    }

    private static int getInt(final byte[] b, final int at)
    {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
    }

    private static long getLong(final byte[] b, final int at)
    {
        return (getInt(b, at) & 0xFFFF_FFFFL) << 32 | getInt(b, at + 4) & 0xFFFF_FFFFL;
    }
}
