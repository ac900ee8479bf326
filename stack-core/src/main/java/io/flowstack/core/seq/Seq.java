package io.flowstack.core.seq;

/**
 * Wrap-aware comparisons of 32-bit sequence numbers (RFC 9293 3.4, in the manner of RFC 1982 serial numbers).
 * <p>
 * RFC 9293 3.4: "all arithmetic dealing with sequence numbers must be performed modulo 2^32". Two numbers are
 * ordered by the sign of their difference as a 32-bit two's complement value: {@code a} is before {@code b} when
 * {@code a - b < 0}. The order is only meaningful for numbers less than 2^31 apart, which TCP guarantees because a
 * window never exceeds 2^30 (RFC 7323 2.3). For a pair exactly 2^31 apart {@code lt(a, b)} and {@code lt(b, a)}
 * are both true: RFC 1982 3.2 leaves that pair undefined, and no caller may rely on either answer.
 * <p>
 * Adding to a sequence number needs no helper: Java's {@code int} addition already wraps modulo 2^32.
 */
public final class Seq
{
    private Seq()
    {
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return true if {@code a} comes before {@code b} (RFC 9293 3.4 "&lt;").
     */
    public static boolean lt(final int a, final int b)
    {
        return a - b < 0;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return true if {@code a} comes before or equals {@code b} (RFC 9293 3.4 "=&lt;").
     */
    public static boolean le(final int a, final int b)
    {
        return a - b <= 0;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return true if {@code a} comes after {@code b}.
     */
    public static boolean gt(final int a, final int b)
    {
        return a - b > 0;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return true if {@code a} comes after or equals {@code b}.
     */
    public static boolean ge(final int a, final int b)
    {
        return a - b >= 0;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return the later of the two in sequence space.
     */
    public static int max(final int a, final int b)
    {
        return a - b >= 0 ? a : b;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return the earlier of the two in sequence space.
     */
    public static int min(final int a, final int b)
    {
        return a - b <= 0 ? a : b;
    }

    /**
     * The acceptability test of RFC 9293 3.10.7.4, e.g. "RCV.NXT =&lt; SEG.SEQ &lt; RCV.NXT+RCV.WND": true if
     * {@code x} lies in the half-open range {@code [low, high)} walked forward from {@code low}, modulo 2^32. The
     * range is empty when {@code low == high}; it may be up to 2^32 - 1 long.
     *
     * @param low  first number in the range.
     * @param x    the number tested.
     * @param high first number after the range.
     * @return true if {@code low =< x < high}.
     */
    public static boolean between(final int low, final int x, final int high)
    {
        // Unsigned distances from low: x is inside if it is reached before high.
        return Integer.compareUnsigned(x - low, high - low) < 0;
    }

    /**
     * True if {@code x} lies in the {@code length} numbers starting at {@code start}: the same test as
     * {@link #between(int, int, int)} with {@code high = start + length}, e.g. "RCV.NXT =&lt; SEG.SEQ &lt;
     * RCV.NXT+RCV.WND" as {@code inWindow(rcvNxt, segSeq, rcvWnd)} (RFC 9293 3.10.7.4).
     *
     * @param start  first number in the window.
     * @param x      the number tested.
     * @param length numbers in the window, read as unsigned; 0 makes the window empty.
     * @return true if {@code start =< x < start + length}.
     */
    public static boolean inWindow(final int start, final int x, final int length)
    {
        return Integer.compareUnsigned(x - start, length) < 0;
    }

    /**
     * @param from a sequence number.
     * @param to   a sequence number.
     * @return how far {@code to} is ahead of {@code from} walking forward, modulo 2^32: 0 to 2^32 - 1.
     */
    public static long distance(final int from, final int to)
    {
        return (to - from) & 0xFFFF_FFFFL;
    }
}
