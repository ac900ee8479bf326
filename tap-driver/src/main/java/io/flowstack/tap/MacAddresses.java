package io.flowstack.tap;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * MAC addresses as {@code long}s holding the 48 bits in the low bits, first octet highest (the form
 * {@link io.flowstack.core.driver.NetworkDriver#macAddress()} uses).
 */
public final class MacAddresses
{
    /** The 48 address bits. */
    public static final long MASK = 0xFFFF_FFFF_FFFFL;
    /** First-octet bit 0: group (multicast) address. */
    public static final long GROUP_BIT = 0x01L << 40;
    /** First-octet bit 1: locally administered address. */
    public static final long LOCAL_BIT = 0x02L << 40;
    /** The broadcast address. */
    public static final long BROADCAST = MASK;

    private MacAddresses()
    {
    }

    /**
     * A random locally administered unicast address (first octet x2, x6, xA or xE), as our side of a TAP
     * needs: the kernel's side has its own address and ours must differ.
     *
     * @param random source of the 46 random bits.
     * @return the address.
     */
    public static long randomLocalUnicast(final Random random)
    {
        return ((random.nextLong() & MASK) & ~GROUP_BIT) | LOCAL_BIT;
    }

    /**
     * @param other an address to avoid, such as the kernel side's.
     * @return a random locally administered unicast address different from {@code other}.
     */
    public static long randomLocalUnicastDistinctFrom(final long other)
    {
        long mac;
        do
        {
            mac = randomLocalUnicast(ThreadLocalRandom.current());
        }
        while (mac == other);
        return mac;
    }

    /**
     * @param mac an address.
     * @return true for a locally administered address.
     */
    public static boolean isLocallyAdministered(final long mac)
    {
        return (mac & LOCAL_BIT) != 0;
    }

    /**
     * @param mac an address.
     * @return true for a unicast (individual) address.
     */
    public static boolean isUnicast(final long mac)
    {
        return (mac & GROUP_BIT) == 0;
    }

    /**
     * @param mac an address.
     * @return "02:ab:cd:ef:01:23" (lower case, as {@code ip} prints it).
     */
    public static String toString(final long mac)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int b = (int)(mac >>> shift) & 0xFF;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            if (shift > 0)
            {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /**
     * @param text six hex octets separated by ':' or '-'.
     * @return the address.
     * @throws IllegalArgumentException when the text is not a MAC address.
     */
    public static long parse(final String text)
    {
        final String[] parts = text.trim().split("[:-]");
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
            mac = (mac << 8) | Integer.parseInt(part, 16);
        }
        return mac;
    }

    /**
     * @param buffer  source.
     * @param offset  first of six bytes, in wire order.
     * @return the address.
     */
    public static long read(final DirectBuffer buffer, final int offset)
    {
        long mac = 0;
        for (int i = 0; i < 6; i++)
        {
            mac = (mac << 8) | (buffer.getByte(offset + i) & 0xFF);
        }
        return mac;
    }

    /**
     * @param buffer destination.
     * @param offset first of six bytes, in wire order.
     * @param mac    the address.
     */
    public static void write(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        for (int i = 0; i < 6; i++)
        {
            buffer.putByte(offset + i, (byte)(mac >>> (40 - 8 * i)));
        }
    }
}
