package io.flowstack.tcp.recovery;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.cc.AckSample;

/**
 * One record per segment sent and not yet cumulatively acknowledged, in sequence order: its range, when it was
 * last sent, and whether it was retransmitted (Karn's rule, RFC 6298 3), selectively acknowledged (RFC 2018) or
 * judged lost and not sent again since (RFC 6675, RFC 8985). It keeps the byte counts SACK-based recovery needs
 * (SACKed, lost) and what RACK needs of the most recent delivery. It starts small (an idle or half-open connection
 * holds little) and doubles when full until its limit, which follows the send buffer; at the limit a new segment
 * is merged into the last record (still correct, only coarser), so nothing is allocated once a connection has
 * reached its largest flight.
 */
public final class TransmitRecord
{
    /** The segment was sent more than once. */
    public static final int RETRANSMITTED = 1;
    /** The peer reported the segment in a SACK block. */
    public static final int SACKED = 2;
    /** Loss detection judged the segment lost, and it was not sent again since. */
    public static final int LOST = 4;

    private int[] starts;
    private int[] ends;
    private long[] sentAt;
    private long[] sentOrder;
    private byte[] flags;
    /** Delivery rate estimation, with its stamps per record (slot for slot). */
    private final DeliveryRate rate;
    private long ackTime;
    private long transmissions;
    private int mask;
    private int limit;
    private int head;
    private int count;
    private int sackedBytes;
    private int lostBytes;
    private int fack;
    private boolean fackKnown;
    /** RACK.fack as the acknowledgment being processed found it (see {@link #noteDelivered}). */
    private int priorFack;
    private boolean priorFackKnown;

    // The most recently sent segment that was delivered (acknowledged or SACKed) by the last update: RACK's input.
    private boolean delivered;
    private long deliveredSentAt;
    private long deliveredOrder;
    private boolean deliveredRetransmitted;
    private boolean reordered;

    /**
     * @param capacity records held at most, rounded up to a power of two, all allocated now.
     */
    public TransmitRecord(final int capacity)
    {
        this(capacity, capacity);
    }

    /**
     * @param initial records allocated now, rounded up to a power of two.
     * @param limit   records held at most (rounded up to a power of two): more are allocated when needed.
     */
    public TransmitRecord(final int initial, final int limit)
    {
        final int n = powerOfTwo(initial);
        this.limit = Math.max(n, powerOfTwo(limit));
        starts = new int[n];
        ends = new int[n];
        sentAt = new long[n];
        sentOrder = new long[n];
        flags = new byte[n];
        rate = new DeliveryRate(n);
        mask = n - 1;
    }

    /** @return the delivery rate estimator this record feeds. */
    public DeliveryRate rate()
    {
        return rate;
    }

    /** @return records held now; more are allocated up to {@link #limit()}. */
    public int capacity()
    {
        return starts.length;
    }

    /** @return records held at most before new segments merge into the last one. */
    public int limit()
    {
        return limit;
    }

    /**
     * Lets the record hold more (when the send buffer grows); the arrays grow when a flight needs them.
     *
     * @param records records held at most from now on (rounded up to a power of two; never fewer than before).
     */
    public void limit(final int records)
    {
        limit = Math.max(limit, powerOfTwo(records));
    }

    private static int powerOfTwo(final int capacity)
    {
        return Integer.highestOneBit(Math.max(4, capacity - 1)) << 1;
    }

    /**
     * Holds more records (when the send buffer grows). Allocates: call it rarely, never per segment.
     *
     * @param capacity records held at most, rounded up to a power of two.
     */
    public void grow(final int capacity)
    {
        final int n = powerOfTwo(capacity);
        limit = Math.max(limit, n);
        if (n <= starts.length)
        {
            return;
        }
        final int[] s = new int[n];
        final int[] e = new int[n];
        final long[] t = new long[n];
        final long[] o = new long[n];
        final byte[] f = new byte[n];
        for (int i = 0; i < count; i++)
        {
            final int at = (head + i) & mask;
            s[i] = starts[at];
            e[i] = ends[at];
            t[i] = sentAt[at];
            o[i] = sentOrder[at];
            f[i] = flags[at];
        }
        rate.grow(n, head, count, mask);
        starts = s;
        ends = e;
        sentAt = t;
        sentOrder = o;
        flags = f;
        mask = n - 1;
        head = 0;
    }

    /** Forgets every record. */
    public void clear()
    {
        head = 0;
        count = 0;
        sackedBytes = 0;
        lostBytes = 0;
        fackKnown = false;
    }

    /** @return records held. */
    public int size()
    {
        return count;
    }

    /** @return first sequence number of record {@code i} (0 is the oldest). */
    public int start(final int i)
    {
        return starts[(head + i) & mask];
    }

    /** @return sequence number after record {@code i}. */
    public int end(final int i)
    {
        return ends[(head + i) & mask];
    }

    /**
     * The order of transmissions, which RACK needs to tell which of two segments was sent later (RFC 8985 6.2).
     * Send times do not: segments sent for one frame or one timer share a clock reading, and the RFC's tie-break by
     * sequence number would put a retransmission before new data sent earlier at the same time.
     *
     * @return a number that grows with every transmission, for the last transmission of record {@code i}.
     */
    public long sentOrder(final int i)
    {
        return sentOrder[(head + i) & mask];
    }

    /** @return when record {@code i} was last sent. */
    public long sentAt(final int i)
    {
        return sentAt[(head + i) & mask];
    }

    /** @return the flags of record {@code i}. */
    public int flags(final int i)
    {
        return flags[(head + i) & mask];
    }

    /** @return bytes of records SACKed and not yet cumulatively acknowledged. */
    public int sackedBytes()
    {
        return sackedBytes;
    }

    /** @return bytes judged lost and not sent again since. */
    public int lostBytes()
    {
        return lostBytes;
    }

    /** @return the highest sequence number SACKed (FACK), valid when {@link #hasSacked()}. */
    public int fack()
    {
        return fack;
    }

    /** @return true if some outstanding data is SACKed. */
    public boolean hasSacked()
    {
        return sackedBytes > 0;
    }

    /**
     * Records a segment sent for the first time: {@code [seq, seq + length)}, SYN and FIN counted as one each.
     */
    public void sent(final int seq, final int length, final long nowNs)
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
        if (count == 0)
        {
            rate.idle(nowNs);
        }
        if (count == starts.length && starts.length < limit)
        {
            grow(2 * starts.length);
        }
        if (count == starts.length)
        {
            final int last = (head + count - 1) & mask;
            ends[last] = seq + length;
            sentAt[last] = nowNs;
            sentOrder[last] = ++transmissions;
            rate.stamp(last, pipe());
            return;
        }
        final int at = (head + count) & mask;
        starts[at] = seq;
        ends[at] = seq + length;
        sentAt[at] = nowNs;
        sentOrder[at] = ++transmissions;
        flags[at] = 0;
        count++;
        rate.stamp(at, pipe());
    }

    /** @return bytes in flight by RFC 6675's count: outstanding, neither SACKed nor lost. */
    private int pipe()
    {
        return count == 0 ? 0 : ends[(head + count - 1) & mask] - starts[head] - sackedBytes - lostBytes;
    }

    /**
     * CheckIfApplicationLimited (draft-ietf-ccwg-bbr 4.1.2.4): with less than a segment left to send, room in the
     * congestion window and every lost segment sent again, the sender ran out of data; the rate samples of what it
     * sends until what is in flight now is delivered are application-limited.
     *
     * @param unsent bytes written and not sent.
     * @param mss    the sender's maximum segment size.
     * @param cwnd   the congestion window.
     */
    public void checkAppLimited(final int unsent, final int mss, final int cwnd)
    {
        final int pipe = pipe();
        if (unsent < mss && pipe < cwnd && lostBytes == 0)
        {
            rate.markAppLimited(pipe);
        }
    }

    /**
     * Records a retransmission of {@code [seq, seq + length)}: every record it overlaps is marked retransmitted,
     * restamped, and no longer lost.
     */
    public void retransmitted(final int seq, final int length, final long nowNs)
    {
        final int end = seq + length;
        final long order = ++transmissions;
        for (int i = 0; i < count; i++)
        {
            final int at = (head + i) & mask;
            if (Seq.ge(starts[at], end))
            {
                break;
            }
            if (Seq.gt(ends[at], seq))
            {
                if ((flags[at] & LOST) != 0)
                {
                    lostBytes -= ends[at] - starts[at];
                }
                flags[at] = (byte)((flags[at] | RETRANSMITTED) & ~LOST);
                sentAt[at] = nowNs;
                sentOrder[at] = order;
                rate.stamp(at, pipe());
            }
        }
    }

    /**
     * Marks record {@code i} lost (unless it is SACKed or already lost).
     *
     * @return true if it was newly marked.
     */
    public boolean markLost(final int i)
    {
        final int at = (head + i) & mask;
        if ((flags[at] & (SACKED | LOST)) != 0)
        {
            return false;
        }
        flags[at] |= LOST;
        lostBytes += ends[at] - starts[at];
        rate.onLost(at, ends[at] - starts[at]);
        return true;
    }

    /**
     * Starts collecting what one acknowledgment delivers.
     *
     * @param nowNs current time.
     */
    public void beginAck(final long nowNs)
    {
        delivered = false;
        reordered = false;
        priorFack = fack;
        priorFackKnown = fackKnown;
        ackTime = nowNs;
        rate.begin();
    }

    /**
     * Ends an acknowledgment: its delivery rate sample goes into {@code ack} (see {@link DeliveryRate}).
     *
     * @param ack the acknowledgment's sample.
     */
    public void endAck(final AckSample ack)
    {
        rate.generate(ack);
    }

    /**
     * Removes what a cumulative acknowledgment covers.
     *
     * @return the round-trip time of the oldest segment it acknowledged in full, or -1 when it acknowledged no
     *         whole segment or one of them was retransmitted (Karn: such a sample is ambiguous).
     */
    public long acknowledge(final int ack, final long nowNs)
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
                final int f = flags[at];
                ambiguous |= (f & RETRANSMITTED) != 0;
                final int len = ends[at] - starts[at];
                if ((f & SACKED) != 0)
                {
                    sackedBytes -= len;
                }
                else
                {
                    noteDelivered(at);
                    rate.onDelivered(at, len, sentAt[at], sentOrder[at], (f & RETRANSMITTED) != 0, nowNs);
                }
                if ((f & LOST) != 0)
                {
                    lostBytes -= len;
                }
                head = (head + 1) & mask;
                count--;
            }
            else
            {
                if (Seq.gt(ack, starts[at]))
                {
                    // Part of a record (a merged one, or cut differently by a retransmission): delivered as much.
                    rate.onDelivered(at, ack - starts[at], sentAt[at], sentOrder[at],
                        (flags[at] & RETRANSMITTED) != 0, nowNs);
                    starts[at] = ack;
                }
                break;
            }
        }
        if (count == 0)
        {
            sackedBytes = 0;
            lostBytes = 0;
            fackKnown = false;
        }
        return oldest < 0 || ambiguous ? -1 : nowNs - oldest;
    }

    /**
     * Marks the records a SACK block covers in full.
     *
     * @param left  the block's left edge.
     * @param right the block's right edge.
     * @return bytes newly SACKed.
     */
    public int sack(final int left, final int right)
    {
        int newly = 0;
        for (int i = 0; i < count; i++)
        {
            final int at = (head + i) & mask;
            if (Seq.ge(starts[at], right))
            {
                break;
            }
            if ((flags[at] & SACKED) == 0 && Seq.ge(starts[at], left) && Seq.le(ends[at], right))
            {
                final int len = ends[at] - starts[at];
                if ((flags[at] & LOST) != 0)
                {
                    lostBytes -= len;
                }
                flags[at] = (byte)((flags[at] | SACKED) & ~LOST);
                sackedBytes += len;
                newly += len;
                noteDelivered(at);
                rate.onDelivered(at, len, sentAt[at], sentOrder[at], (flags[at] & RETRANSMITTED) != 0, ackTime);
                if (!fackKnown || Seq.gt(ends[at], fack))
                {
                    fack = ends[at];
                    fackKnown = true;
                }
            }
        }
        return newly;
    }

    private void noteDelivered(final int at)
    {
        // RFC 8985 6.2 step 3: a segment delivered below the highest one delivered before it, never retransmitted,
        // was reordered. The segments an acknowledgment newly delivers are taken in the order they were sent, i.e.
        // (never retransmitted) in sequence order, as Linux sorts the SACK blocks: so only the highest SACKed
        // sequence of the acknowledgments before counts. The blocks come most recent first; judged against a fack
        // that a higher block of the same ACK had just raised, every ACK that reported two new blocks (a hole within
        // the arrivals one ACK covers, or the blocks of a lost ACK) looked like reordering.
        if (priorFackKnown && Seq.lt(ends[at], priorFack) && (flags[at] & RETRANSMITTED) == 0)
        {
            reordered = true;
        }
        if (!delivered || sentOrder[at] > deliveredOrder)
        {
            delivered = true;
            deliveredSentAt = sentAt[at];
            deliveredOrder = sentOrder[at];
            deliveredRetransmitted = (flags[at] & RETRANSMITTED) != 0;
        }
    }

    /** @return true if the last acknowledgment delivered a segment (see the delivered* accessors). */
    public boolean delivered()
    {
        return delivered;
    }

    /** @return when the most recently sent segment delivered by the last acknowledgment was sent. */
    public long deliveredSentAt()
    {
        return deliveredSentAt;
    }

    /** @return its place in the order of transmissions (see {@link #sentOrder}). */
    public long deliveredOrder()
    {
        return deliveredOrder;
    }

    /** @return whether it had been retransmitted. */
    public boolean deliveredRetransmitted()
    {
        return deliveredRetransmitted;
    }

    /** @return true if the last acknowledgment showed reordering. */
    public boolean reordered()
    {
        return reordered;
    }
}
