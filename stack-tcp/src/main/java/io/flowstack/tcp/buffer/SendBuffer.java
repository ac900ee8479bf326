package io.flowstack.tcp.buffer;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.seq.Seq;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Bytes the application wrote and the peer has not yet acknowledged, addressed by sequence number: the data part
 * of the send sequence space between SND.UNA and the last byte written (RFC 9293 3.3.1). The TCB copies ranges
 * out with {@link #copy} to send or resend them and frees them with {@link #acknowledge}.
 * <p>
 * Only data is held: SYN and FIN occupy sequence numbers but no bytes, so the TCB accounts for them itself. After
 * {@code reset(iss)} the first data byte is {@code iss + 1}, the number after the SYN; a FIN, when sent, has
 * sequence number {@link #endSeq()}.
 * <p>
 * A ring of power-of-two capacity indexed by {@code seq & mask}, taken from the core's {@link BufferMemory} when the
 * first byte is written and given back when the last is acknowledged: an idle connection holds no ring. When the
 * memory refuses a ring, {@link #write} takes nothing ({@link #starved()} then says why).
 */
public final class SendBuffer
{
    private final BufferMemory memory;
    private UnsafeBuffer ring;
    private int capacity;
    private int mask;
    private int una;
    private int end;
    private boolean starved;

    /**
     * @param capacity bytes held at most; a power of two from 1 to 2^30.
     * @throws IllegalArgumentException if {@code capacity} is not such a power of two.
     */
    public SendBuffer(final int capacity)
    {
        this(capacity, BufferMemory.unbounded());
    }

    /**
     * @param capacity bytes held at most; a power of two from 1 to 2^30.
     * @param memory   where the ring comes from.
     * @throws IllegalArgumentException if {@code capacity} is not such a power of two.
     */
    public SendBuffer(final int capacity, final BufferMemory memory)
    {
        if (capacity <= 0 || capacity > (1 << 30) || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two up to 2^30: " + capacity);
        }
        this.memory = memory;
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    /**
     * Empties the buffer for a new connection.
     *
     * @param iss initial send sequence number; the first data byte is {@code iss + 1}.
     */
    public void reset(final int iss)
    {
        una = iss + 1;
        end = una;
        giveBack();
    }

    /** Drops every byte held and gives the ring back (the connection is gone). */
    public void discard()
    {
        una = end;
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

    /**
     * @return true if the last {@link #write} took nothing because the core's buffer memory had no ring for it.
     */
    public boolean starved()
    {
        return starved;
    }

    /** @return true if the buffer holds a ring now. */
    public boolean hasRing()
    {
        return ring != null;
    }

    /**
     * Appends application data, as much as fits (back-pressure: the rest stays with the caller).
     *
     * @param src    bytes to send.
     * @param offset index of the first byte in {@code src}.
     * @param length bytes offered.
     * @return bytes taken, 0 to {@code length}.
     */
    public int write(final DirectBuffer src, final int offset, final int length)
    {
        final int n = Math.min(length, free());
        if (n <= 0)
        {
            return 0;
        }
        if (!ensureRing())
        {
            return 0;
        }
        final int index = end & mask;
        final int first = Math.min(n, capacity - index);
        ring.putBytes(index, src, offset, first);
        if (n > first)
        {
            ring.putBytes(0, src, offset + first, n - first);
        }
        end += n;
        return n;
    }

    /**
     * Room for a write in place ({@link #ring()} at {@link #writeIndex()}, then {@link #commit}); takes the ring from
     * the core's memory if the buffer has none yet.
     *
     * @return free bytes at {@link #writeIndex()} before the ring wraps; 0 when full or when the memory refused a
     *         ring ({@link #starved()}).
     */
    public int contiguousFree()
    {
        final int n = free();
        if (n <= 0 || !ensureRing())
        {
            return 0;
        }
        return Math.min(n, capacity - (end & mask));
    }

    /**
     * @return where the next byte written lies in {@link #ring()}.
     */
    public int writeIndex()
    {
        return end & mask;
    }

    /**
     * @return the ring itself, for writes in place; null while the buffer holds nothing.
     */
    public MutableDirectBuffer ring()
    {
        return ring;
    }

    /**
     * Queues bytes written in place at {@link #writeIndex()}.
     *
     * @param n bytes written, at most {@link #contiguousFree()}.
     * @throws IllegalArgumentException if {@code n} is negative or more than the room.
     */
    public void commit(final int n)
    {
        if (n < 0 || n > free() || ring == null)
        {
            throw new IllegalArgumentException("cannot commit " + n + " bytes with " + free() + " free");
        }
        end += n;
    }

    private boolean ensureRing()
    {
        starved = false;
        if (ring == null)
        {
            ring = memory.acquire(capacity);
            if (ring == null)
            {
                starved = true;
                return false;
            }
        }
        return true;
    }

    /**
     * Frees the bytes below an acknowledgment number. An acknowledgment at or before {@link #firstSeq()} frees
     * nothing (a duplicate or old ACK); one beyond {@link #endSeq()} frees everything, since it may also cover a
     * FIN. Whether SEG.ACK is acceptable at all (RFC 9293 3.10.7.4: SND.UNA &lt; SEG.ACK =&lt; SND.NXT) is the
     * TCB's decision, made before this call.
     *
     * @param ackSeq SEG.ACK.
     * @return bytes freed.
     */
    public int acknowledge(final int ackSeq)
    {
        if (Seq.le(ackSeq, una))
        {
            return 0;
        }
        final int n = Seq.lt(ackSeq, end) ? ackSeq - una : end - una;
        una += n;
        if (una == end)
        {
            giveBack();
        }
        return n;
    }

    /**
     * Copies held bytes starting at a sequence number, for a first transmission or a retransmission.
     *
     * @param seq       sequence number of the first byte, from {@link #firstSeq()} to {@link #endSeq()}.
     * @param dst       where to copy.
     * @param dstOffset index in {@code dst}.
     * @param length    bytes wanted.
     * @return bytes copied: fewer than {@code length} when the buffer ends first, 0 when {@code seq} is outside.
     */
    public int copy(final int seq, final MutableDirectBuffer dst, final int dstOffset, final int length)
    {
        if (!Seq.between(una, seq, end) || length <= 0)
        {
            return 0;
        }
        final int n = Math.min(length, end - seq);
        final int index = seq & mask;
        final int first = Math.min(n, capacity - index);
        dst.putBytes(dstOffset, ring, index, first);
        if (n > first)
        {
            dst.putBytes(dstOffset + first, ring, 0, n - first);
        }
        return n;
    }

    /**
     * Attaches held bytes to a frame instead of copying them ({@link PacketBuffer#attach}), when they lie in one
     * piece of an off-heap ring.
     *
     * @param seq    sequence number of the first byte, from {@link #firstSeq()} on.
     * @param length bytes, all held.
     * @param frame  the frame they follow.
     * @return false (nothing done) when they wrap round the ring's end or the ring is on the heap: copy them.
     */
    public boolean attach(final int seq, final int length, final PacketBuffer frame)
    {
        final int index = seq & mask;
        if (ring == null || ring.byteArray() != null || length <= 0 || index + length > capacity
            || !Seq.between(una, seq, end) || Seq.gt(seq + length, end))
        {
            return false;
        }
        frame.attach(ring, index, length);
        return true;
    }

    /**
     * @return bytes that {@link #write} can take now.
     */
    public int free()
    {
        return capacity - size();
    }

    /**
     * @return bytes held: written and not yet acknowledged.
     */
    public int size()
    {
        return end - una;
    }

    /**
     * @return bytes held, as {@link #size()}.
     */
    public int unacked()
    {
        return size();
    }

    /**
     * @return true if nothing is held.
     */
    public boolean isEmpty()
    {
        return end == una;
    }

    /**
     * @return sequence number of the first byte held: the data part of SND.UNA.
     */
    public int firstSeq()
    {
        return una;
    }

    /**
     * @return sequence number after the last byte written (where a FIN would go).
     */
    public int endSeq()
    {
        return end;
    }

    /**
     * @param seq a sequence number.
     * @return bytes held from {@code seq} to the end: what remains to send from there; 0 if outside.
     */
    public int available(final int seq)
    {
        return Seq.between(una, seq, end) ? end - seq : 0;
    }

    /**
     * @return bytes held at most.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Makes room for more: a new ring of the given capacity takes the bytes held (send-buffer auto-tuning, as
     * Linux grows SO_SNDBUF with the congestion window). Call it rarely, never per segment.
     *
     * @param newCapacity a power of two from the current capacity to 2^30.
     * @return false if the core's buffer memory refused the larger ring (the buffer stays as it was).
     */
    public boolean grow(final int newCapacity)
    {
        if (newCapacity <= capacity || newCapacity > (1 << 30) || Integer.bitCount(newCapacity) != 1)
        {
            throw new IllegalArgumentException("cannot grow from " + capacity + " to " + newCapacity);
        }
        if (ring == null)
        {
            capacity = newCapacity;
            mask = newCapacity - 1;
            return true;
        }
        final UnsafeBuffer bigger = memory.acquire(newCapacity);
        if (bigger == null)
        {
            return false;
        }
        final int newMask = newCapacity - 1;
        for (int seq = una; seq != end; )
        {
            final int index = seq & mask;
            final int run = Math.min(end - seq, Math.min(capacity - index, newCapacity - (seq & newMask)));
            bigger.putBytes(seq & newMask, ring, index, run);
            seq += run;
        }
        memory.release(ring);
        ring = bigger;
        capacity = newCapacity;
        mask = newMask;
        return true;
    }
}
