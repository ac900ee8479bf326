package io.flowstack.tcp.buffer;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.Arrays;

/**
 * The memory of one core's send and receive buffers, with a bound. A connection takes a ring when it has bytes to
 * hold and gives it back when it holds none, so an idle connection holds no ring: memory follows the data queued,
 * as Linux charges socket memory per queued buffer rather than per socket (tcp_mem).
 * <p>
 * Rings in use plus rings kept for reuse never exceed the limit. A ring given back is kept for its size (the most
 * recent first, so a busy connection takes back the ring it just gave and finds it in cache), up to a quarter of
 * the limit in all; a request that would pass the limit first drops kept rings of other sizes, and is refused when
 * the rings in use alone would pass it.
 * The caller of a refused request drops what it wanted to store and counts it ({@link #refusals()}). Single-threaded:
 * one per core. Nothing is allocated once the rings a core needs at its busiest exist.
 */
public final class BufferMemory
{
    private static final int SIZE_CLASSES = 31;

    private final long limit;
    private final long keepAtMost;
    private final AtomicCounter inUseGauge;
    private final AtomicCounter refusedCounter;
    private final UnsafeBuffer[][] kept = new UnsafeBuffer[SIZE_CLASSES][];
    private final int[] keptCount = new int[SIZE_CLASSES];
    private long inUse;
    private long keptBytes;
    private long peak;
    private long refusals;
    private long releases;

    /**
     * @param limit    bytes of rings, in use and kept, at most.
     * @param inUse    shows the bytes in use (a gauge), or null.
     * @param refused  counts refusals, or null.
     */
    public BufferMemory(final long limit, final AtomicCounter inUse, final AtomicCounter refused)
    {
        if (limit <= 0)
        {
            throw new IllegalArgumentException("buffer memory limit must be positive: " + limit);
        }
        this.limit = limit;
        this.keepAtMost = limit / 4;
        this.inUseGauge = inUse;
        this.refusedCounter = refused;
        Arrays.fill(kept, new UnsafeBuffer[0]);
    }

    /**
     * @param limit bytes of rings, in use and kept, at most.
     */
    public BufferMemory(final long limit)
    {
        this(limit, null, null);
    }

    /** @return a bound so large it never refuses: for buffers used alone (tests, tools). */
    public static BufferMemory unbounded()
    {
        return new BufferMemory(Long.MAX_VALUE);
    }

    /**
     * @param size bytes, a power of two from 1 to 2^30.
     * @return a ring of that size (its contents are whatever it held before), or null when the limit refuses it.
     */
    public UnsafeBuffer acquire(final int size)
    {
        final int c = sizeClass(size);
        if (inUse + size > limit)
        {
            refusals++;
            if (refusedCounter != null)
            {
                refusedCounter.incrementOrdered();
            }
            return null;
        }
        final UnsafeBuffer ring;
        if (keptCount[c] > 0)
        {
            ring = kept[c][--keptCount[c]];
            kept[c][keptCount[c]] = null;
            keptBytes -= size;
        }
        else
        {
            evictFor(size);
            // Off-heap and cache-line aligned: a device that gathers writes a send ring's bytes where they lie.
            ring = new UnsafeBuffer(BufferUtil.allocateDirectAligned(size, BitUtil.CACHE_LINE_LENGTH));
        }
        inUse += size;
        peak = Math.max(peak, inUse);
        if (inUseGauge != null)
        {
            inUseGauge.setOrdered(inUse);
        }
        return ring;
    }

    /**
     * Gives a ring back for reuse.
     *
     * @param ring a ring from {@link #acquire}.
     */
    public void release(final UnsafeBuffer ring)
    {
        final int size = ring.capacity();
        final int c = sizeClass(size);
        inUse -= size;
        releases++;
        if (inUseGauge != null)
        {
            inUseGauge.setOrdered(inUse);
        }
        if (keptBytes + size > keepAtMost)
        {
            return;
        }
        if (keptCount[c] == kept[c].length)
        {
            kept[c] = Arrays.copyOf(kept[c], Math.max(4, 2 * keptCount[c]));
        }
        kept[c][keptCount[c]++] = ring;
        keptBytes += size;
    }

    /** Drops kept rings, largest first, until a new ring of {@code size} bytes fits within the limit. */
    private void evictFor(final long size)
    {
        for (int c = SIZE_CLASSES - 1; c >= 0 && inUse + keptBytes + size > limit; c--)
        {
            while (keptCount[c] > 0 && inUse + keptBytes + size > limit)
            {
                kept[c][--keptCount[c]] = null;
                keptBytes -= 1L << c;
            }
        }
    }

    private static int sizeClass(final int size)
    {
        if (size <= 0 || Integer.bitCount(size) != 1 || size > (1 << 30))
        {
            throw new IllegalArgumentException("ring size must be a power of two up to 2^30: " + size);
        }
        return Integer.numberOfTrailingZeros(size);
    }

    /** @return bytes of rings connections hold now. */
    public long inUse()
    {
        return inUse;
    }

    /** @return bytes of rings kept for reuse. */
    public long kept()
    {
        return keptBytes;
    }

    /** @return the most bytes of rings connections held at once. */
    public long peak()
    {
        return peak;
    }

    /** @return the bound. */
    public long limit()
    {
        return limit;
    }

    /** @return rings given back so far (those waiting for memory try again when it changes). */
    public long releases()
    {
        return releases;
    }

    /** @return requests refused because the limit was reached. */
    public long refusals()
    {
        return refusals;
    }
}
