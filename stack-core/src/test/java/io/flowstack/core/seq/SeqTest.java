package io.flowstack.core.seq;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sequence-number comparisons across the 2^31 and 2^32 boundaries, and against 64-bit arithmetic.
 */
class SeqTest
{
    private static final int BEFORE_2_31 = 0x7FFF_FFF0;
    private static final int AFTER_2_31 = 0x8000_0010;
    private static final int BEFORE_2_32 = 0xFFFF_FFF0;
    private static final int AFTER_2_32 = 0x0000_0010;

    @Test
    void shouldOrderAcrossTwoToThe32()
    {
        // 0xFFFFFFF0 + 0x20 wraps to 0x10: the later number is numerically smaller.
        assertTrue(Seq.lt(BEFORE_2_32, AFTER_2_32));
        assertTrue(Seq.le(BEFORE_2_32, AFTER_2_32));
        assertTrue(Seq.gt(AFTER_2_32, BEFORE_2_32));
        assertTrue(Seq.ge(AFTER_2_32, BEFORE_2_32));
        assertFalse(Seq.lt(AFTER_2_32, BEFORE_2_32));
        assertFalse(Seq.gt(BEFORE_2_32, AFTER_2_32));
        assertEquals(AFTER_2_32, Seq.max(BEFORE_2_32, AFTER_2_32));
        assertEquals(BEFORE_2_32, Seq.min(AFTER_2_32, BEFORE_2_32));
        assertEquals(0x20, Seq.distance(BEFORE_2_32, AFTER_2_32));
        assertEquals(0x1_0000_0000L - 0x20, Seq.distance(AFTER_2_32, BEFORE_2_32));
    }

    @Test
    void shouldOrderAcrossTwoToThe31()
    {
        // Signed ints flip sign here; a plain '<' would say 0x80000010 < 0x7FFFFFF0.
        assertTrue(Seq.lt(BEFORE_2_31, AFTER_2_31));
        assertTrue(Seq.gt(AFTER_2_31, BEFORE_2_31));
        assertEquals(AFTER_2_31, Seq.max(BEFORE_2_31, AFTER_2_31));
        assertEquals(BEFORE_2_31, Seq.min(BEFORE_2_31, AFTER_2_31));
        assertEquals(0x20, Seq.distance(BEFORE_2_31, AFTER_2_31));
    }

    @Test
    void shouldTreatEqualNumbersAsNeitherBeforeNorAfter()
    {
        assertFalse(Seq.lt(5, 5));
        assertFalse(Seq.gt(5, 5));
        assertTrue(Seq.le(5, 5));
        assertTrue(Seq.ge(5, 5));
        assertEquals(0, Seq.distance(5, 5));
    }

    @Test
    void shouldTestHalfOpenRangesAcrossTheWrap()
    {
        // RCV.NXT = 0xFFFFFFF0, RCV.WND = 0x20: acceptable are 0xFFFFFFF0 .. 0x0000000F.
        assertTrue(Seq.between(BEFORE_2_32, BEFORE_2_32, AFTER_2_32));
        assertTrue(Seq.between(BEFORE_2_32, -1, AFTER_2_32));
        assertTrue(Seq.between(BEFORE_2_32, 0, AFTER_2_32));
        assertTrue(Seq.between(BEFORE_2_32, AFTER_2_32 - 1, AFTER_2_32));
        assertFalse(Seq.between(BEFORE_2_32, AFTER_2_32, AFTER_2_32), "high end is excluded");
        assertFalse(Seq.between(BEFORE_2_32, BEFORE_2_32 - 1, AFTER_2_32));
        assertFalse(Seq.between(7, 7, 7), "an empty range holds nothing");

        assertTrue(Seq.inWindow(BEFORE_2_32, 0, 0x20));
        assertTrue(Seq.inWindow(BEFORE_2_31, AFTER_2_31 - 1, 0x20));
        assertFalse(Seq.inWindow(BEFORE_2_31, AFTER_2_31, 0x20));
        assertFalse(Seq.inWindow(BEFORE_2_32, BEFORE_2_32, 0), "a zero window accepts nothing");
        assertTrue(Seq.inWindow(0, -2, -1), "length is unsigned: 2^32 - 1 numbers");
    }

    @Property
    void shouldAgreeWithLongArithmeticForDistancesBelowTwoToThe31(
        @ForAll final int a,
        @ForAll @IntRange(min = -Integer.MAX_VALUE) final int d)
    {
        // b is d after a; d is any distance with |d| < 2^31, so the order is defined.
        final int b = a + d;
        assertEquals(d > 0, Seq.lt(a, b));
        assertEquals(d >= 0, Seq.le(a, b));
        assertEquals(d < 0, Seq.gt(a, b));
        assertEquals(d <= 0, Seq.ge(a, b));
        assertEquals(d >= 0 ? b : a, Seq.max(a, b));
        assertEquals(d >= 0 ? a : b, Seq.min(a, b));
        assertEquals(((long)d + (1L << 32)) % (1L << 32), Seq.distance(a, b));
    }

    @Property
    void shouldBeAntisymmetric(@ForAll final int a, @ForAll final int b)
    {
        Assume.that(b - a != Integer.MIN_VALUE);
        if (a == b)
        {
            assertFalse(Seq.lt(a, b) || Seq.lt(b, a));
        }
        else
        {
            assertTrue(Seq.lt(a, b) != Seq.lt(b, a), "exactly one is before the other");
            assertEquals(Seq.lt(a, b), Seq.gt(b, a));
            assertEquals(Seq.le(a, b), !Seq.gt(a, b));
        }
        assertEquals(Seq.max(a, b), Seq.max(b, a));
        assertEquals(Seq.min(a, b), Seq.min(b, a));
    }

    @Property
    void shouldMatchRangeMembershipInLongArithmetic(
        @ForAll final int low,
        @ForAll @LongRange(max = 0xFFFF_FFFFL) final long length,
        @ForAll @LongRange(max = 0xFFFF_FFFFL) final long offset)
    {
        final int high = (int)(low + length);
        final int x = (int)(low + offset);
        assertEquals(offset < length, Seq.between(low, x, high));
        assertEquals(offset < length, Seq.inWindow(low, x, (int)length));
        assertEquals(offset, Seq.distance(low, x));
    }

    @Property
    void shouldAddDistanceBack(@ForAll final int from, @ForAll final int to)
    {
        assertEquals(to, (int)(from + Seq.distance(from, to)));
        assertEquals(0, (Seq.distance(from, to) + Seq.distance(to, from)) % (1L << 32));
    }
}
