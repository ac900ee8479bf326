package io.flowstack.examples.cli;

import io.flowstack.ip.addr.IpAddress;

/**
 * An IPv4 or IPv6 address with a prefix length, as given on the command line ({@code 198.18.0.2/24},
 * {@code 2001:2::2/64}).
 *
 * @param ip           the address.
 * @param prefixLength the prefix length.
 */
public record Cidr(IpAddress ip, int prefixLength)
{
    /**
     * @param text {@code A.B.C.D/N} or {@code IPV6/N}; without {@code /N} the prefix is 24 (IPv4) or 64 (IPv6).
     * @return the parsed value.
     * @throws IllegalArgumentException with a one-line reason.
     */
    public static Cidr parse(final String text)
    {
        final int slash = text.indexOf('/');
        final String addr = slash < 0 ? text : text.substring(0, slash);
        final IpAddress ip;
        try
        {
            ip = IpAddress.parse(addr);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("bad IP address '" + addr + "'");
        }
        final int prefix;
        try
        {
            prefix = slash < 0 ? (ip.isIpv4() ? 24 : 64) : Integer.parseInt(text.substring(slash + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'");
        }
        if (prefix < 1 || prefix > (ip.isIpv4() ? 32 : 128))
        {
            throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
        }
        return new Cidr(ip, prefix);
    }

    /**
     * @return true for an IPv4 address.
     */
    public boolean isIpv4()
    {
        return ip.isIpv4();
    }

    /**
     * @return the IPv4 address.
     * @throws IllegalStateException for an IPv6 one.
     */
    public int address()
    {
        return ip.ipv4();
    }

    @Override
    public String toString()
    {
        return ip + "/" + prefixLength;
    }
}
