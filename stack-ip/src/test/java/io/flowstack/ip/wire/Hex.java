package io.flowstack.ip.wire;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Test helper: packets written as hex dumps.
 */
final class Hex
{
    private Hex()
    {
    }

    /**
     * @param hexWithSpaces hex digit pairs, whitespace anywhere between pairs ignored.
     * @return the bytes.
     */
    static byte[] bytes(final String hexWithSpaces)
    {
        final String hex = hexWithSpaces.replaceAll("\\s+", "");
        if ((hex.length() & 1) != 0)
        {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        final byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++)
        {
            final int hi = Character.digit(hex.charAt(2 * i), 16);
            final int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0)
            {
                throw new IllegalArgumentException("not hex: " + hex.substring(2 * i, 2 * i + 2));
            }
            out[i] = (byte)((hi << 4) | lo);
        }
        return out;
    }

    /**
     * @param hexWithSpaces hex digit pairs.
     * @return a buffer over exactly those bytes.
     */
    static UnsafeBuffer buffer(final String hexWithSpaces)
    {
        return new UnsafeBuffer(bytes(hexWithSpaces));
    }

    /**
     * @param buffer bytes.
     * @param offset first byte.
     * @param length number of bytes.
     * @return lower-case hex pairs separated by spaces.
     */
    static String hex(final DirectBuffer buffer, final int offset, final int length)
    {
        final StringBuilder out = new StringBuilder(length * 3);
        for (int i = 0; i < length; i++)
        {
            if (i > 0)
            {
                out.append(' ');
            }
            final int b = buffer.getByte(offset + i) & 0xFF;
            out.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return out.toString();
    }

    /**
     * @param bytes bytes.
     * @return lower-case hex pairs separated by spaces.
     */
    static String hex(final byte[] bytes)
    {
        return hex(new UnsafeBuffer(bytes), 0, bytes.length);
    }
}
