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
        // RFC 1071 2(C): the sum may be formed in wider words and folded later, since 2^16 == 1 (mod 2^16 - 1).
        // Each 8-byte read adds two 32-bit halves, at most 2^33 per step: no overflow for any buffer size.
        while (end - i >= 8)
        {
            final long word = buffer.getLong(i, ByteOrder.BIG_ENDIAN);
            sum += (word >>> 32) + (word & 0xFFFF_FFFFL);
            i += 8;
        }
        if (end - i >= 4)
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
            // RFC 1071 section 1: an odd last byte is padded with a zero byte on the right.
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
     * <p>
     * RFC 1624 (3): unlike RFC 1141's formula (eqn. 2), eqn. 3 never yields 0xFFFF where recomputation yields
     * 0x0000. It equals recomputation from scratch in every case but one: when every covered word is zero after
     * the update, recomputation gives 0xFFFF (the sum is +0) and eqn. 3 gives 0x0000 (the sum is -0). That
     * cannot happen for an IPv4 header (the version field is non-zero) nor with a pseudo-header (the protocol
     * is).
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
     * Incremental update for one changed 32-bit field (an address), as two 16-bit updates. The same RFC 1624
     * corner as {@link #update16} applies.
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
