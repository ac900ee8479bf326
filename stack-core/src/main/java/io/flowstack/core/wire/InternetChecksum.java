package io.flowstack.core.wire;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit big-endian words.
 * Sums are carried in a {@code long} accumulator and folded once at the end, so partial sums over several
 * pieces (pseudo-header, header, payload) add up without intermediate folding.
 */
public final class InternetChecksum
{
    private InternetChecksum()
    {
    }

    /**
     * Adds the bytes to an accumulator. An odd trailing byte is padded with zero on the right (RFC 1071).
     * Pieces added one after another must each start at an even position of the checksummed data, except the
     * last.
     *
     * @param buffer bytes.
     * @param offset first byte.
     * @param length number of bytes.
     * @param acc    accumulator so far (0 to start).
     * @return the new accumulator.
     */
    public static long partial(final DirectBuffer buffer, final int offset, final int length, final long acc)
    {
        long sum = acc;
        int i = offset;
        final int end = offset + length;
        // 32-bit big-endian words add into 64 bits without overflow for any frame size we handle.
        while (end - i >= 4)
        {
            sum += buffer.getInt(i, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2)
        {
            sum += buffer.getShort(i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            i += 2;
        }
        if (i < end)
        {
            sum += (buffer.getByte(i) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * Folds an accumulator to 16 bits and complements it.
     *
     * @param acc accumulator.
     * @return the checksum field value.
     */
    public static int fold(final long acc)
    {
        long sum = acc;
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    /**
     * @param buffer bytes.
     * @param offset first byte.
     * @param length number of bytes.
     * @return the checksum of the range; 0 means a range that includes a correct checksum field verifies.
     */
    public static int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        return fold(partial(buffer, offset, length, 0));
    }

    /**
     * The IPv4 pseudo-header sum used by UDP and TCP (RFC 768, RFC 9293 3.1).
     *
     * @param source      source address.
     * @param destination destination address.
     * @param protocol    IP protocol number.
     * @param length      transport header plus payload length.
     * @return accumulator to continue with {@link #partial}.
     */
    public static long pseudoHeaderIpv4(final int source, final int destination, final int protocol, final int length)
    {
        return (source & 0xFFFF_FFFFL) + (destination & 0xFFFF_FFFFL) + protocol + length;
    }

    /**
     * Incremental update for one changed 16-bit word, RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').
     *
     * @param checksum old checksum field.
     * @param oldWord  old value of the word.
     * @param newWord  new value of the word.
     * @return the new checksum field.
     */
    public static int update16(final int checksum, final int oldWord, final int newWord)
    {
        final long sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return fold(sum);
    }

    /**
     * Incremental update for one changed 32-bit field (an address), as two 16-bit updates.
     *
     * @param checksum old checksum field.
     * @param oldValue old value.
     * @param newValue new value.
     * @return the new checksum field.
     */
    public static int update32(final int checksum, final int oldValue, final int newValue)
    {
        final long sum = (~checksum & 0xFFFF)
            + (~oldValue >>> 16 & 0xFFFF) + (~oldValue & 0xFFFF)
            + (newValue >>> 16 & 0xFFFF) + (newValue & 0xFFFF);
        return fold(sum);
    }
}
