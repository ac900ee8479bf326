package io.flowstack.core.sim;

import java.util.Arrays;

/**
 * A binary min-heap of {@code (time, value)} pairs over primitive arrays. Equal times come out in insertion order
 * (a sequence number breaks ties), which keeps every run that pushes the same events in the same order
 * deterministic. A fixed capacity never allocates; a growable one doubles when full.
 */
final class EventQueue
{
    private long[] times;
    private long[] seqs;
    private int[] values;
    private final boolean growable;
    private int size;
    private long nextSeq;

    /**
     * @param capacity initial number of entries.
     * @param growable whether {@link #push} may grow the arrays instead of refusing.
     */
    EventQueue(final int capacity, final boolean growable)
    {
        final int n = Math.max(1, capacity);
        this.times = new long[n];
        this.seqs = new long[n];
        this.values = new int[n];
        this.growable = growable;
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    /**
     * @return the earliest time, or {@link Long#MAX_VALUE} when empty.
     */
    long peekTime()
    {
        return size == 0 ? Long.MAX_VALUE : times[0];
    }

    /**
     * @return the value of the earliest entry; the queue must not be empty.
     */
    int peekValue()
    {
        return values[0];
    }

    /**
     * @param time  when.
     * @param value what.
     * @return false if the queue is full and cannot grow.
     */
    boolean push(final long time, final int value)
    {
        if (size == times.length)
        {
            if (!growable)
            {
                return false;
            }
            final int n = times.length * 2;
            times = Arrays.copyOf(times, n);
            seqs = Arrays.copyOf(seqs, n);
            values = Arrays.copyOf(values, n);
        }
        int i = size++;
        final long seq = nextSeq++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!before(time, seq, times[parent], seqs[parent]))
            {
                break;
            }
            set(i, times[parent], seqs[parent], values[parent]);
            i = parent;
        }
        set(i, time, seq, value);
        return true;
    }

    /**
     * Removes the earliest entry.
     *
     * @return its value; the queue must not be empty.
     */
    int pop()
    {
        final int top = values[0];
        final int last = --size;
        if (last > 0)
        {
            final long t = times[last];
            final long s = seqs[last];
            final int v = values[last];
            int i = 0;
            while (true)
            {
                final int left = 2 * i + 1;
                if (left >= last)
                {
                    break;
                }
                final int right = left + 1;
                final int child = right < last && before(times[right], seqs[right], times[left], seqs[left]) ? right : left;
                if (!before(times[child], seqs[child], t, s))
                {
                    break;
                }
                set(i, times[child], seqs[child], values[child]);
                i = child;
            }
            set(i, t, s, v);
        }
        return top;
    }

    private static boolean before(final long t1, final long s1, final long t2, final long s2)
    {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    private void set(final int i, final long time, final long seq, final int value)
    {
        times[i] = time;
        seqs[i] = seq;
        values[i] = value;
    }
}
