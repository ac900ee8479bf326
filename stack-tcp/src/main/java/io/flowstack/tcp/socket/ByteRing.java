package io.flowstack.tcp.socket;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A single-producer single-consumer byte ring between a core's thread and an application thread: positions only
 * grow and neither side takes a lock. Positions are published with volatile stores, not ordered ones: each side
 * reads the other's parked-thread field right after publishing, and only a full fence keeps that read from
 * overtaking the store (otherwise a wake-up can be lost).
 */
final class ByteRing
{
    private final UnsafeBuffer data;
    private final int mask;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();

    ByteRing(final int capacity)
    {
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        data = new UnsafeBuffer(new byte[capacity]);
        mask = capacity - 1;
    }

    int capacity()
    {
        return mask + 1;
    }

    /** @return bytes the consumer can take. */
    int available()
    {
        return (int)(tail.get() - head.get());
    }

    /** @return bytes the producer can add. */
    int free()
    {
        return capacity() - available();
    }

    /** Producer: adds up to {@code length} bytes; @return bytes added. */
    int write(final DirectBuffer src, final int offset, final int length)
    {
        final long t = tail.get();
        final int n = Math.min(length, capacity() - (int)(t - head.get()));
        final int at = (int)(t & mask);
        final int first = Math.min(n, capacity() - at);
        data.putBytes(at, src, offset, first);
        data.putBytes(0, src, offset + first, n - first);
        tail.set(t + n);
        return n;
    }

    /** Producer: direct access for a source that copies into the ring itself. */
    UnsafeBuffer buffer()
    {
        return data;
    }

    long tailPosition()
    {
        return tail.get();
    }

    long headPosition()
    {
        return head.get();
    }

    void publish(final long newTail)
    {
        tail.set(newTail);
    }

    int index(final long position)
    {
        return (int)(position & mask);
    }

    /**
     * Consumer: copies up to {@code length} bytes without taking them, for a sink that may take fewer
     * ({@link #skip} what it took).
     *
     * @return bytes copied.
     */
    int peek(final MutableDirectBuffer dst, final int offset, final int length)
    {
        final long h = head.get();
        final int n = Math.min(length, (int)(tail.get() - h));
        final int at = (int)(h & mask);
        final int first = Math.min(n, capacity() - at);
        dst.putBytes(offset, data, at, first);
        dst.putBytes(offset + first, data, 0, n - first);
        return n;
    }

    /** Consumer: takes {@code n} bytes, at most what is available, after a {@link #peek}. */
    void skip(final int n)
    {
        final long h = head.get();
        head.set(h + Math.min(n, (int)(tail.get() - h)));
    }

    /** Consumer: takes up to {@code length} bytes into a byte array; @return bytes taken. */
    int read(final byte[] dst, final int offset, final int length)
    {
        final long h = head.get();
        final int n = Math.min(length, (int)(tail.get() - h));
        final int at = (int)(h & mask);
        final int first = Math.min(n, capacity() - at);
        data.getBytes(at, dst, offset, first);
        data.getBytes(0, dst, offset + first, n - first);
        head.set(h + n);
        return n;
    }
}
