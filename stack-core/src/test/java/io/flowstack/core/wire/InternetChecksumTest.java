package io.flowstack.core.wire;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Internet checksum against RFC 1071 and RFC 1624 vectors and against a byte-by-byte reference.
 */
class InternetChecksumTest
{
    /**
     * Straightforward reference: adds 16-bit words one byte at a time, folding the carry after every addition.
     */
    static int referenceChecksum(final byte[] data, final int offset, final int length)
    {
        int sum = 0;
        for (int i = 0; i < length; i++)
        {
            final int b = data[offset + i] & 0xFF;
            sum += (i & 1) == 0 ? b << 8 : b;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            out[i] = (byte)values[i];
        }
        return out;
    }

    @Test
    void shouldMatchRfc1071Example()
    {
        // RFC 1071 (3): bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7));
        final long acc = InternetChecksum.partial(buffer, 0, 8, 0);
        assertEquals(0xddf2, ~InternetChecksum.fold(acc) & 0xFFFF);
        assertEquals(0x220d, InternetChecksum.checksum(buffer, 0, 8));
    }

    @Test
    void shouldVerifyRealIpv4HeaderToZero()
    {
        // 192.168.0.1 -> 192.168.0.199, UDP, total length 115, DF, TTL 64, checksum 0xb861.
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes(
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
            0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7));
        assertEquals(0, InternetChecksum.checksum(buffer, 0, 20));

        buffer.putShort(10, (short)0);
        assertEquals(0xb861, InternetChecksum.checksum(buffer, 0, 20));
    }

    @Test
    void shouldComputeAllOnesForEmptyAndZeroData()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        assertEquals(0xFFFF, InternetChecksum.checksum(buffer, 0, 0));
        assertEquals(0xFFFF, InternetChecksum.checksum(buffer, 3, 13));
    }

    @Test
    void shouldMatchReferenceForEveryLengthUpTo2000AtOddAndEvenOffsets()
    {
        final Random random = new Random(1071);
        final byte[] data = new byte[2000 + 8];
        final byte[] ones = new byte[2000 + 8];
        Arrays.fill(ones, (byte)0xFF);
        final UnsafeBuffer onesBuffer = new UnsafeBuffer(ones);
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        for (int length = 0; length <= 2000; length++)
        {
            for (int offset = 0; offset < 8; offset++)
            {
                random.nextBytes(data);
                assertEquals(referenceChecksum(data, offset, length), InternetChecksum.checksum(buffer, offset, length),
                    () -> "random data");
                assertEquals(referenceChecksum(ones, offset, length),
                    InternetChecksum.checksum(onesBuffer, offset, length), () -> "all ones");
            }
        }
    }

    @Property(tries = 2000)
    void shouldMatchReferenceOnArbitraryData(
        @ForAll @Size(max = 2000) final byte[] data,
        @ForAll @IntRange(max = 7) final int offset)
    {
        final byte[] shifted = new byte[offset + data.length];
        System.arraycopy(data, 0, shifted, offset, data.length);
        final UnsafeBuffer buffer = new UnsafeBuffer(shifted);
        assertEquals(referenceChecksum(shifted, offset, data.length),
            InternetChecksum.checksum(buffer, offset, data.length));
    }

    @Property(tries = 1000)
    void shouldAddPiecesSplitAtEvenPositions(
        @ForAll @Size(max = 1500) final byte[] data,
        @ForAll @IntRange(max = 1500) final int splitAt)
    {
        final int split = Math.min(splitAt, data.length) & ~1;
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        final long acc = InternetChecksum.partial(buffer, 0, split, 0);
        assertEquals(referenceChecksum(data, 0, data.length),
            InternetChecksum.fold(InternetChecksum.partial(buffer, split, data.length - split, acc)));
    }

    @Test
    void shouldMatchRfc1624Example()
    {
        // RFC 1624 (4): m = 0x5555 -> m' = 0x3285, other words sum to 0xCD7A; HC = 0xDD2F and HC' = 0x0000,
        // where RFC 1141's eqn. 2 gives the wrong 0xFFFF.
        assertEquals(0x0000, InternetChecksum.update16(0xDD2F, 0x5555, 0x3285));
    }

    @Property(tries = 3000)
    void shouldUpdate16LikeRecomputation(
        @ForAll @Size(min = 1, max = 40) final short[] words,
        @ForAll @IntRange(max = 39) final int index,
        @ForAll final short newWord,
        @ForAll final boolean sumToMinusZero)
    {
        final int k = index % words.length;
        final UnsafeBuffer buffer = toBuffer(words);
        if (sumToMinusZero && words.length > 1)
        {
            forceMinusZeroSum(buffer, words.length, k);
        }
        final int before = InternetChecksum.checksum(buffer, 0, words.length * 2);
        final int oldWord = buffer.getShort(k * 2, BIG_ENDIAN) & 0xFFFF;
        buffer.putShort(k * 2, newWord, BIG_ENDIAN);
        // RFC 1624 (3): the one case eqn. 3 differs is data that is all zero after the update.
        Assume.that(!allZero(buffer, words.length * 2));

        final int recomputed = InternetChecksum.checksum(buffer, 0, words.length * 2);
        assertEquals(recomputed, InternetChecksum.update16(before, oldWord, newWord & 0xFFFF));
    }

    @Property(tries = 3000)
    void shouldUpdate32LikeRecomputation(
        @ForAll @Size(min = 2, max = 40) final short[] words,
        @ForAll @IntRange(max = 38) final int index,
        @ForAll final int newValue,
        @ForAll final boolean sumToMinusZero)
    {
        final int k = index % (words.length - 1);
        final UnsafeBuffer buffer = toBuffer(words);
        if (sumToMinusZero && words.length > 2)
        {
            forceMinusZeroSum(buffer, words.length, k == 0 ? words.length - 1 : 0);
        }
        final int before = InternetChecksum.checksum(buffer, 0, words.length * 2);
        final int oldValue = buffer.getInt(k * 2, BIG_ENDIAN);
        buffer.putInt(k * 2, newValue, BIG_ENDIAN);
        Assume.that(!allZero(buffer, words.length * 2));

        final int recomputed = InternetChecksum.checksum(buffer, 0, words.length * 2);
        assertEquals(recomputed, InternetChecksum.update32(before, oldValue, newValue));
    }

    @Test
    void shouldGiveMinusZeroWhenUpdatedDataIsAllZero()
    {
        // RFC 1624 (3): recomputation over all-zero data gives 0xFFFF; eqn. 3 gives 0x0000. Documented corner.
        assertEquals(0x0000, InternetChecksum.update16(0xFFFA, 0x0005, 0x0000));
        assertEquals(0x0000, InternetChecksum.update32(0xFFFF, 0, 0));
    }

    @Test
    void shouldUpdateRealIpv4HeaderTtlAndAddress()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes(
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
            0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7));
        final int original = InternetChecksum.checksum(buffer, 0, 20);
        assertEquals(0xb861, original);

        // Decrement TTL as a router does (RFC 1624 (4), RFC 1812 5.3.1).
        final int oldWord = buffer.getShort(8, BIG_ENDIAN) & 0xFFFF;
        buffer.putByte(8, (byte)0x3f);
        final int newWord = buffer.getShort(8, BIG_ENDIAN) & 0xFFFF;
        final int afterTtl = InternetChecksum.update16(original, oldWord, newWord);
        assertEquals(InternetChecksum.checksum(buffer, 0, 20), afterTtl);

        // Rewrite the source address as a NAT does.
        final int oldSource = buffer.getInt(12, BIG_ENDIAN);
        buffer.putInt(12, 0x0a000001, BIG_ENDIAN);
        assertEquals(InternetChecksum.checksum(buffer, 0, 20),
            InternetChecksum.update32(afterTtl, oldSource, 0x0a000001));
    }

    private static UnsafeBuffer toBuffer(final short[] words)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[words.length * 2]);
        for (int i = 0; i < words.length; i++)
        {
            buffer.putShort(i * 2, words[i], BIG_ENDIAN);
        }
        return buffer;
    }

    /**
     * Rewrites word {@code fix} so that the one's complement sum of all words is 0xFFFF (-0), the checksum 0.
     */
    private static void forceMinusZeroSum(final UnsafeBuffer buffer, final int words, final int fix)
    {
        buffer.putShort(fix * 2, (short)0, BIG_ENDIAN);
        final int sumOfOthers = ~InternetChecksum.checksum(buffer, 0, words * 2) & 0xFFFF;
        buffer.putShort(fix * 2, (short)(~sumOfOthers & 0xFFFF), BIG_ENDIAN);
    }

    private static boolean allZero(final UnsafeBuffer buffer, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(i) != 0)
            {
                return false;
            }
        }
        return true;
    }
}
