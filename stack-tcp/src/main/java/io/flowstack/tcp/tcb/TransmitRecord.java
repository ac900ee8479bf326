package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;

/**
 * One record per segment sent and not yet acknowledged, in sequence order: its range, when it was last sent, and
 * whether it was retransmitted (Karn's rule, RFC 6298 3), selectively acknowledged or judged lost (what SACK
 * scoreboards and RACK, RFC 8985, work on). Preallocated per connection; when it is full, a new segment is merged
 * into the last record (it stays correct, only coarser), so nothing is allocated after construction.
 */
final class TransmitRecord
{
    /** The segment was sent more than once. */
    static final int RETRANSMITTED = 1;
    /** The peer reported the segment in a SACK block. */
    static final int SACKED = 2;
    /** Loss detection judged the segment lost. */
    static final int LOST = 4;

    private final int[] starts;
    private final int[] ends;
    private final long[] sentAt;
    private final byte[] flags;
    private final int mask;
    private int head;
    private int count;

    /**
     * @param capacity records held at most, rounded up to a power of two.
     */
    TransmitRecord(final int capacity)
    {
        final int n = Integer.highestOneBit(Math.max(4, capacity - 1)) << 1;
        starts = new int[n];
        ends = new int[n];
        sentAt = new long[n];
        flags = new byte[n];
        mask = n - 1;
    }

    void clear()
    {
        head = 0;
        count = 0;
    }

    int size()
    {
        return count;
    }

    int start(final int i)
    {
        return starts[(head + i) & mask];
    }

    int end(final int i)
    {
        return ends[(head + i) & mask];
    }

    long sentAt(final int i)
    {
        return sentAt[(head + i) & mask];
    }

    int flags(final int i)
    {
        return flags[(head + i) & mask];
    }

    void mark(final int i, final int flag)
    {
        flags[(head + i) & mask] |= (byte)flag;
    }

    /**
     * Records a segment sent for the first time: {@code [seq, seq + length)}, SYN and FIN counted as one each.
     */
    void sent(final int seq, final int length, final long nowNs)
    {
        if (length <= 0)
        {
            return;
        }
        if (count > 0 && ends[(head + count - 1) & mask] != seq)
        {
            // Not contiguous with the last record: only after the peer acknowledged beyond what we remember.
            clear();
        }
        if (count == starts.length)
        {
            final int last = (head + count - 1) & mask;
            ends[last] = seq + length;
            sentAt[last] = nowNs;
            return;
        }
        final int at = (head + count) & mask;
        starts[at] = seq;
        ends[at] = seq + length;
        sentAt[at] = nowNs;
        flags[at] = 0;
        count++;
    }

    /**
     * Records a retransmission of {@code [seq, seq + length)}: every record it overlaps is marked.
     */
    void retransmitted(final int seq, final int length, final long nowNs)
    {
        final int end = seq + length;
        for (int i = 0; i < count; i++)
        {
            final int at = (head + i) & mask;
            if (Seq.ge(starts[at], end))
            {
                break;
            }
            if (Seq.gt(ends[at], seq))
            {
                flags[at] |= RETRANSMITTED;
                sentAt[at] = nowNs;
            }
        }
    }

    /**
     * Removes what a cumulative acknowledgment covers.
     *
     * @return the round-trip time of the oldest segment it acknowledged in full, or -1 when it acknowledged no
     *         whole segment or one of them was retransmitted (Karn: such a sample is ambiguous).
     */
    long acknowledge(final int ack, final long nowNs)
    {
        long oldest = -1;
        boolean ambiguous = false;
        while (count > 0)
        {
            final int at = head;
            if (Seq.le(ends[at], ack))
            {
                if (oldest < 0)
                {
                    oldest = sentAt[at];
                }
                ambiguous |= (flags[at] & RETRANSMITTED) != 0;
                head = (head + 1) & mask;
                count--;
            }
            else
            {
                if (Seq.gt(ack, starts[at]))
                {
                    starts[at] = ack;
                }
                break;
            }
        }
        return oldest < 0 || ambiguous ? -1 : nowNs - oldest;
    }
}
