package io.flowstack.tcp.buffer;

import io.flowstack.core.seq.Seq;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Received data: the bytes in order that wait for the application, and out-of-order bytes held at their place
 * until the gap before them is filled (RFC 9293 3.10.7.4, "segment text").
 * <p>
 * Layout: a ring of power-of-two capacity indexed by {@code seq & mask}. Unread bytes occupy
 * {@code [readSeq, rcvNxt)}; the rest of the ring, {@code [rcvNxt, readSeq + capacity)}, is the receive window,
 * and out-of-order data is written straight into it at its sequence number. So the window is the capacity less
 * the unread bytes; out-of-order data does not shrink it, and its right edge {@code readSeq + capacity} only moves
 * right, when the application reads (RFC 9293 3.8.6: the window should not shrink).
 * <p>
 * Out-of-order data is tracked as at most {@code maxOooRanges} disjoint, non-adjacent ranges sorted by sequence
 * number. A segment that would need one more range than that is dropped whole and counted in
 * {@link #droppedSegments()}; the peer retransmits it.
 * <p>
 * Duplicates: the first copy of a byte wins. Bytes already held, in order or out of order, are never
 * overwritten, so what the application reads never depends on retransmissions (RFC 9293 3.10.7.4 allows keeping
 * either copy; keeping the first is the only choice that also covers bytes already delivered).
 * <p>
 * Only data is held. SYN and FIN occupy sequence numbers but no bytes, so the TCB keeps its own RCV.NXT: after
 * {@code reset(irs)} data starts at {@code irs + 1}, and a FIN is in order once {@link #rcvNxt()} reaches its
 * sequence number.
 * <p>
 * Memory: the ring is taken from the core's {@link BufferMemory} when the first byte arrives and given back when
 * nothing is held (everything read, no out-of-order data), so an idle connection holds no ring. A segment for which
 * the memory has no ring is dropped ({@link #offer} returns -1); the peer sends it again. Nothing is allocated after
 * construction but the ring.
 */
public final class ReceiveBuffer
{
    /** What {@link #offer} returns when the core's buffer memory refused a ring: the segment was dropped. */
    public static final int NO_MEMORY = -1;

    private final BufferMemory memory;
    private UnsafeBuffer ring;
    private int capacity;
    private int mask;
    private int maxOooRanges;
    private int[] oooStarts;
    private int[] oooEnds;
    private int oooCount;
    private int readSeq;
    private int rcvNxt;
    private int lastOooSeq;
    private boolean lastOooKnown;
    private long droppedSegments;

    /**
     * @param capacity     bytes held at most, and so the largest window; a power of two from 1 to 2^30.
     * @param maxOooRanges most disjoint out-of-order ranges held; 0 drops every out-of-order segment.
     * @throws IllegalArgumentException if {@code capacity} is not such a power of two or {@code maxOooRanges} is
     *                                  negative.
     */
    public ReceiveBuffer(final int capacity, final int maxOooRanges)
    {
        this(capacity, maxOooRanges, BufferMemory.unbounded());
    }

    /**
     * @param capacity     bytes held at most, and so the largest window; a power of two from 1 to 2^30.
     * @param maxOooRanges most disjoint out-of-order ranges held; 0 drops every out-of-order segment.
     * @param memory       where the ring comes from.
     * @throws IllegalArgumentException if {@code capacity} is not such a power of two or {@code maxOooRanges} is
     *                                  negative.
     */
    public ReceiveBuffer(final int capacity, final int maxOooRanges, final BufferMemory memory)
    {
        if (capacity <= 0 || capacity > (1 << 30) || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two up to 2^30: " + capacity);
        }
        if (maxOooRanges < 0)
        {
            throw new IllegalArgumentException("maxOooRanges must not be negative: " + maxOooRanges);
        }
        this.memory = memory;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxOooRanges = maxOooRanges;
        this.oooStarts = new int[maxOooRanges];
        this.oooEnds = new int[maxOooRanges];
    }

    /**
     * Empties the buffer for a new connection and clears {@link #droppedSegments()}.
     *
     * @param irs initial receive sequence number; the first data byte expected is {@code irs + 1}.
     */
    public void reset(final int irs)
    {
        rcvNxt = irs + 1;
        readSeq = rcvNxt;
        oooCount = 0;
        lastOooKnown = false;
        droppedSegments = 0;
        giveBack();
    }

    /** Drops the out-of-order data (the connection is gone); what is in order stays for the application. */
    public void dropOutOfOrder()
    {
        oooCount = 0;
        giveBackIfEmpty();
    }

    /** Drops everything held, read or not, and gives the ring back (the connection is gone). */
    public void discard()
    {
        readSeq = rcvNxt;
        oooCount = 0;
        giveBack();
    }

    private void giveBack()
    {
        if (ring != null)
        {
            memory.release(ring);
            ring = null;
        }
    }

    /** Gives the ring back once it holds nothing. */
    private void giveBackIfEmpty()
    {
        if (ring != null && readSeq == rcvNxt && oooCount == 0)
        {
            memory.release(ring);
            ring = null;
        }
    }

    /** @return true if a ring is held (or was just taken); false if the memory refused one. */
    private boolean hasRing()
    {
        if (ring == null)
        {
            ring = memory.acquire(capacity);
        }
        return ring != null;
    }

    /** @return true if the buffer holds a ring now. */
    public boolean holdsRing()
    {
        return ring != null;
    }

    /**
     * Takes the data of a segment. The part inside the window {@code [rcvNxt, rcvNxt + window())} is kept at its
     * place (RFC 9293 3.10.7.4: segments are trimmed to the window); bytes before it, after it, or already held
     * are ignored. If the data reaches {@link #rcvNxt()}, RCV.NXT advances over it and over any out-of-order
     * ranges it joins.
     *
     * @param seq    SEG.SEQ of the first data byte (after the SYN, if the segment has one).
     * @param src    bytes of the segment's data.
     * @param offset index of the first data byte in {@code src}.
     * @param length bytes of data.
     * @return bytes that became readable in order: how far {@link #rcvNxt()} advanced; {@link #NO_MEMORY} if the
     *         segment was dropped because the core's buffer memory had no ring for it.
     */
    public int offer(final int seq, final DirectBuffer src, final int offset, final int length)
    {
        if (length <= 0)
        {
            return 0;
        }
        // Offsets relative to RCV.NXT; the window is at most 2^30, so they cannot overflow once clipped.
        final long relStart = seq - rcvNxt;
        final int lo = (int)Math.max(relStart, 0);
        final int hi = (int)Math.min(relStart + length, window());
        if (lo >= hi)
        {
            return 0;
        }
        final int srcBase = offset - (int)relStart;

        // Ranges [first, last] touch [lo, hi]: they overlap it or are adjacent to it.
        int first = 0;
        while (first < oooCount && oooEnds[first] - rcvNxt < lo)
        {
            first++;
        }
        int last = first - 1;
        while (last + 1 < oooCount && oooStarts[last + 1] - rcvNxt <= hi)
        {
            last++;
        }

        if (lo > 0 && first > last && oooCount == maxOooRanges)
        {
            droppedSegments++;
            return 0;
        }
        if (!hasRing())
        {
            return NO_MEMORY;
        }

        copyGaps(lo, hi, first, last, src, srcBase);

        if (lo == 0)
        {
            // In order: RCV.NXT moves to the end of this data or of the last range it joins, all of them from 0.
            final int newEnd = last >= 0 ? Math.max(hi, oooEnds[last] - rcvNxt) : hi;
            removeRanges(0, last + 1);
            rcvNxt += newEnd;
            return newEnd;
        }

        final int start = first <= last ? Math.min(lo, oooStarts[first] - rcvNxt) : lo;
        final int end = first <= last ? Math.max(hi, oooEnds[last] - rcvNxt) : hi;
        if (first <= last)
        {
            removeRanges(first + 1, last - first);
        }
        else
        {
            insertRange(first);
        }
        oooStarts[first] = rcvNxt + start;
        oooEnds[first] = rcvNxt + end;
        lastOooSeq = rcvNxt + lo;
        lastOooKnown = true;
        return 0;
    }

    /**
     * Keeps the data of a SYN without making it readable: it is stored at its place, RCV.NXT stays before it,
     * and {@link #releaseHeld()} makes it readable once the connection is established (RFC 9293 3.10.7.2: text on
     * a SYN is queued for processing after ESTABLISHED). Only on an empty buffer.
     *
     * @param seq    sequence number of the first data byte (RCV.NXT).
     * @param src    bytes.
     * @param offset index of the first data byte in {@code src}.
     * @param length bytes of data.
     * @return bytes held (what fits in the window).
     */
    public int hold(final int seq, final DirectBuffer src, final int offset, final int length)
    {
        if (length <= 0 || seq != rcvNxt || oooCount != 0 || readSeq != rcvNxt || maxOooRanges == 0 || !hasRing())
        {
            return 0;
        }
        final int n = Math.min(length, window());
        copyIn(0, n, src, offset);
        oooStarts[0] = rcvNxt;
        oooEnds[0] = rcvNxt + n;
        oooCount = 1;
        return n;
    }

    /**
     * Makes held data readable: RCV.NXT moves over what {@link #hold} kept.
     *
     * @return bytes that became readable.
     */
    public int releaseHeld()
    {
        if (oooCount == 0 || oooStarts[0] != rcvNxt)
        {
            return 0;
        }
        final int n = oooEnds[0] - rcvNxt;
        rcvNxt = oooEnds[0];
        removeRanges(0, 1);
        return n;
    }

    private void copyGaps(
        final int lo, final int hi, final int first, final int last, final DirectBuffer src, final int srcBase)
    {
        int cursor = lo;
        for (int k = first; k <= last && cursor < hi; k++)
        {
            final int start = oooStarts[k] - rcvNxt;
            if (start > cursor)
            {
                copyIn(cursor, Math.min(start, hi), src, srcBase);
            }
            cursor = Math.max(cursor, oooEnds[k] - rcvNxt);
        }
        if (cursor < hi)
        {
            copyIn(cursor, hi, src, srcBase);
        }
    }

    private void copyIn(final int from, final int to, final DirectBuffer src, final int srcBase)
    {
        final int n = to - from;
        final int index = (rcvNxt + from) & mask;
        final int firstPart = Math.min(n, capacity - index);
        ring.putBytes(index, src, srcBase + from, firstPart);
        if (n > firstPart)
        {
            ring.putBytes(0, src, srcBase + from + firstPart, n - firstPart);
        }
    }

    private void removeRanges(final int from, final int count)
    {
        if (count <= 0)
        {
            return;
        }
        final int tail = oooCount - from - count;
        System.arraycopy(oooStarts, from + count, oooStarts, from, tail);
        System.arraycopy(oooEnds, from + count, oooEnds, from, tail);
        oooCount -= count;
    }

    private void insertRange(final int at)
    {
        final int tail = oooCount - at;
        System.arraycopy(oooStarts, at, oooStarts, at + 1, tail);
        System.arraycopy(oooEnds, at, oooEnds, at + 1, tail);
        oooCount++;
    }

    /**
     * Copies bytes in order to the application and frees their space: the window grows by the bytes read.
     *
     * @param dst    where to copy.
     * @param offset index in {@code dst}.
     * @param length bytes wanted.
     * @return bytes read, at most {@link #readable()}.
     */
    public int read(final MutableDirectBuffer dst, final int offset, final int length)
    {
        final int n = peek(dst, offset, length);
        readSeq += n;
        giveBackIfEmpty();
        return n;
    }

    /**
     * Copies bytes in order without consuming them.
     *
     * @param dst    where to copy.
     * @param offset index in {@code dst}.
     * @param length bytes wanted.
     * @return bytes copied, at most {@link #readable()}.
     */
    public int peek(final MutableDirectBuffer dst, final int offset, final int length)
    {
        final int n = Math.min(length, readable());
        if (n <= 0)
        {
            return 0;
        }
        final int index = readSeq & mask;
        final int firstPart = Math.min(n, capacity - index);
        dst.putBytes(offset, ring, index, firstPart);
        if (n > firstPart)
        {
            dst.putBytes(offset + firstPart, ring, 0, n - firstPart);
        }
        return n;
    }

    /**
     * @return bytes in order that can be read in place at {@link #readIndex()} before the ring wraps.
     */
    public int contiguousReadable()
    {
        final int n = readable();
        return n <= 0 ? 0 : Math.min(n, capacity - (readSeq & mask));
    }

    /**
     * @return where the first unread byte lies in {@link #ring()}.
     */
    public int readIndex()
    {
        return readSeq & mask;
    }

    /**
     * @return the ring itself, for reads in place ({@link #contiguousReadable()}, then {@link #skip}); null while the
     *         buffer holds nothing.
     */
    public DirectBuffer ring()
    {
        return ring;
    }

    /**
     * Consumes bytes in order without copying them, e.g. after {@link #peek}.
     *
     * @param length bytes to consume.
     * @return bytes consumed, at most {@link #readable()}.
     */
    public int skip(final int length)
    {
        final int n = Math.max(0, Math.min(length, readable()));
        readSeq += n;
        giveBackIfEmpty();
        return n;
    }

    /**
     * @return bytes in order that the application has not read.
     */
    public int readable()
    {
        return rcvNxt - readSeq;
    }

    /**
     * @return the receive window: capacity less the unread bytes, 0 to the capacity. The TCB scales it and may
     *     hold it back to avoid silly windows (RFC 9293 3.8.6.2.2); it never advertises more.
     */
    public int window()
    {
        return capacity - readable();
    }

    /**
     * @return the sequence number after the window, {@code rcvNxt() + window()}; it never moves left.
     */
    public int rightEdge()
    {
        return readSeq + capacity;
    }

    /**
     * @return next data sequence number expected: the data part of RCV.NXT.
     */
    public int rcvNxt()
    {
        return rcvNxt;
    }

    /**
     * @return true if out-of-order data is held.
     */
    public boolean hasOutOfOrder()
    {
        return oooCount > 0;
    }

    /**
     * @return disjoint out-of-order ranges held, 0 to {@code maxOooRanges}.
     */
    public int outOfOrderRanges()
    {
        return oooCount;
    }

    /**
     * @return the sequence number after the highest out-of-order byte held, {@link #rcvNxt()} when none is.
     */
    public int outOfOrderEnd()
    {
        return oooCount == 0 ? rcvNxt : oooEnds[oooCount - 1];
    }

    /**
     * @return bytes held out of order (beyond RCV.NXT, waiting for a gap to fill), and text held from a SYN.
     */
    public int outOfOrderBytes()
    {
        int bytes = 0;
        for (int k = 0; k < oooCount; k++)
        {
            bytes += oooEnds[k] - oooStarts[k];
        }
        return bytes;
    }

    /**
     * @return segments with new out-of-order data dropped because every range was in use.
     */
    public long droppedSegments()
    {
        return droppedSegments;
    }

    /**
     * @param seq    first sequence number.
     * @param length bytes, at least 1.
     * @return true if every byte of {@code [seq, seq + length)} is held already: before RCV.NXT, or inside one
     *         out-of-order range (a duplicate, which RFC 2883 reports as a D-SACK block).
     */
    public boolean holds(final int seq, final int length)
    {
        final int end = seq + length;
        if (Seq.le(end, rcvNxt))
        {
            return true;
        }
        for (int k = 0; k < oooCount; k++)
        {
            if (Seq.le(oooStarts[k], seq) && Seq.le(end, oooEnds[k]))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param k a range, 0 to {@link #outOfOrderRanges()} - 1, in sequence order.
     * @return the first sequence number of range {@code k}.
     */
    public int rangeStart(final int k)
    {
        return oooStarts[k];
    }

    /**
     * @param k a range, 0 to {@link #outOfOrderRanges()} - 1, in sequence order.
     * @return the sequence number after range {@code k}.
     */
    public int rangeEnd(final int k)
    {
        return oooEnds[k];
    }

    /**
     * @param seq a sequence number.
     * @return the range (in sequence order) that holds {@code seq}, -1 if none does.
     */
    public int rangeHolding(final int seq)
    {
        int lo = 0;
        int hi = oooCount - 1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (Seq.lt(seq, oooStarts[mid]))
            {
                hi = mid - 1;
            }
            else if (Seq.ge(seq, oooEnds[mid]))
            {
                lo = mid + 1;
            }
            else
            {
                return mid;
            }
        }
        return -1;
    }

    /**
     * @return the range holding the most recently received out-of-order data, -1 if none does (RFC 2018 4's first
     *         block).
     */
    public int recentRange()
    {
        return lastOooKnown ? rangeHolding(lastOooSeq) : -1;
    }

    /**
     * @return bytes held at most.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Makes the window larger: a new ring of the given capacity takes the unread bytes and the out-of-order
     * ranges at their places (receive-buffer auto-tuning, as Linux grows SO_RCVBUF). Call it rarely, never per
     * segment.
     *
     * @param newCapacity a power of two from the current capacity to 2^30.
     * @return false if the core's buffer memory refused the larger ring (the buffer stays as it was).
     */
    public boolean grow(final int newCapacity)
    {
        return grow(newCapacity, maxOooRanges);
    }

    /**
     * Makes the window larger and allows more out-of-order ranges (a larger window can hold more holes).
     *
     * @param newCapacity  a power of two from the current capacity to 2^30.
     * @param maxRanges    most disjoint out-of-order ranges held from now on (never fewer than before).
     * @return false if the core's buffer memory refused the larger ring (the buffer stays as it was).
     */
    public boolean grow(final int newCapacity, final int maxRanges)
    {
        if (newCapacity <= capacity || newCapacity > (1 << 30) || Integer.bitCount(newCapacity) != 1)
        {
            throw new IllegalArgumentException("cannot grow from " + capacity + " to " + newCapacity);
        }
        if (ring != null)
        {
            final UnsafeBuffer bigger = memory.acquire(newCapacity);
            if (bigger == null)
            {
                return false;
            }
            move(bigger, newCapacity, readSeq, rcvNxt);
            for (int k = 0; k < oooCount; k++)
            {
                move(bigger, newCapacity, oooStarts[k], oooEnds[k]);
            }
            memory.release(ring);
            ring = bigger;
        }
        capacity = newCapacity;
        mask = newCapacity - 1;
        if (maxRanges > maxOooRanges)
        {
            oooStarts = java.util.Arrays.copyOf(oooStarts, maxRanges);
            oooEnds = java.util.Arrays.copyOf(oooEnds, maxRanges);
            maxOooRanges = maxRanges;
        }
        return true;
    }

    private void move(final UnsafeBuffer to, final int toCapacity, final int from, final int end)
    {
        final int toMask = toCapacity - 1;
        for (int seq = from; seq != end; )
        {
            final int index = seq & mask;
            final int run = Math.min(end - seq, Math.min(capacity - index, toCapacity - (seq & toMask)));
            to.putBytes(seq & toMask, ring, index, run);
            seq += run;
        }
    }
}
