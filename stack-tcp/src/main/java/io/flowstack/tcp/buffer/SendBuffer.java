package io.flowstack.tcp.buffer;

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
 * A ring of power-of-two capacity indexed by {@code seq & mask}; nothing is allocated after construction.
 */
public final class SendBuffer
{
    private UnsafeBuffer ring;
    private int capacity;
    private int mask;
    private int una;
    private int end;

    /**
     * @param capacity bytes held at most; a power of two from 1 to 2^30.
     * @throws IllegalArgumentException if {@code capacity} is not such a power of two.
     */
    public SendBuffer(final int capacity)
    {
        if (capacity <= 0 || capacity > (1 << 30) || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two up to 2^30: " + capacity);
        }
        this.ring = new UnsafeBuffer(new byte[capacity]);
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
     * Linux grows SO_SNDBUF with the congestion window). Allocates: call it rarely, never per segment.
     *
     * @param newCapacity a power of two from the current capacity to 2^30.
     */
    public void grow(final int newCapacity)
    {
        if (newCapacity <= capacity || newCapacity > (1 << 30) || Integer.bitCount(newCapacity) != 1)
        {
            throw new IllegalArgumentException("cannot grow from " + capacity + " to " + newCapacity);
        }
        final UnsafeBuffer bigger = new UnsafeBuffer(new byte[newCapacity]);
        final int newMask = newCapacity - 1;
        for (int seq = una; seq != end; )
        {
            final int index = seq & mask;
            final int run = Math.min(end - seq, Math.min(capacity - index, newCapacity - (seq & newMask)));
            bigger.putBytes(seq & newMask, ring, index, run);
            seq += run;
        }
        ring = bigger;
        capacity = newCapacity;
        mask = newMask;
    }
}
