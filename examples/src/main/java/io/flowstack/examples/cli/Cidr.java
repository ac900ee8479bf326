package io.flowstack.examples.cli;

import io.flowstack.ip.wire.Ipv4Flyweight;

/**
 * An IPv4 address with a prefix length, as given on the command line ({@code 198.18.0.2/24}).
 *
 * @param address      the address.
 * @param prefixLength the prefix length.
 */
public record Cidr(int address, int prefixLength)
{
    /**
     * @param text {@code A.B.C.D/N}; without {@code /N} the prefix is 24.
     * @return the parsed value.
     * @throws IllegalArgumentException with a one-line reason.
     */
    public static Cidr parse(final String text)
    {
        final int slash = text.indexOf('/');
        final String addr = slash < 0 ? text : text.substring(0, slash);
        final int prefix;
        try
        {
            prefix = slash < 0 ? 24 : Integer.parseInt(text.substring(slash + 1));
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("bad prefix length in '" + text + "'");
        }
        if (prefix < 1 || prefix > 32)
        {
            throw new IllegalArgumentException("prefix length out of range in '" + text + "'");
        }
        final int address;
        try
        {
            address = Ipv4Flyweight.parseAddress(addr);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("bad IPv4 address '" + addr + "'");
        }
        return new Cidr(address, prefix);
    }

    @Override
    public String toString()
    {
        return Ipv4Flyweight.addressToString(address) + "/" + prefixLength;
    }
}
