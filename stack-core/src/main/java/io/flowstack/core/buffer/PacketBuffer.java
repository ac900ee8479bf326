package io.flowstack.core.buffer;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One pooled frame: a fixed off-heap slot with headroom, plus the window {@link #offset()}..{@link #limit()}
 * that holds the frame's bytes. Headers are written in front of a payload by {@link #prepend(int)}, so a
 * layer never copies the layers above it.
 * <p>
 * A buffer belongs to exactly one {@link BufferPool}; only the thread of that pool's core may release it.
 * Not thread-safe: a buffer is handed between threads only through a queue, never shared.
 */
public final class PacketBuffer
{
    private final UnsafeBuffer buffer;
    private final BufferPool pool;
    private final int index;
    private int offset;
    private int length;
    private int ifIndex;
    private boolean free;

    PacketBuffer(final BufferPool pool, final int index, final UnsafeBuffer buffer)
    {
        this.pool = pool;
        this.index = index;
        this.buffer = buffer;
        this.free = true;
    }

    /**
     * @return the whole slot; valid bytes are {@code offset()..offset()+length()}.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return index of the first valid byte within {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return number of valid bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return offset one past the last valid byte.
     */
    public int limit()
    {
        return offset + length;
    }

    /**
     * @return capacity of the slot in bytes.
     */
    public int capacity()
    {
        return buffer.capacity();
    }

    /**
     * @return interface the frame arrived on or leaves by.
     */
    public int ifIndex()
    {
        return ifIndex;
    }

    /**
     * @param ifIndex interface the frame arrived on or leaves by.
     * @return this
     */
    public PacketBuffer ifIndex(final int ifIndex)
    {
        this.ifIndex = ifIndex;
        return this;
    }

    /**
     * Sets the valid window.
     *
     * @param offset first valid byte.
     * @param length number of valid bytes.
     * @return this
     */
    public PacketBuffer window(final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset + length > buffer.capacity())
        {
            throw new IndexOutOfBoundsException("window " + offset + "+" + length + " > " + buffer.capacity());
        }
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Grows the window towards the front by {@code bytes} (room for a header) and returns its new offset.
     *
     * @param bytes header length.
     * @return the new {@link #offset()}, where the header starts.
     */
    public int prepend(final int bytes)
    {
        if (bytes > offset)
        {
            throw new IndexOutOfBoundsException("no headroom for " + bytes + " bytes, have " + offset);
        }
        offset -= bytes;
        length += bytes;
        return offset;
    }

    /**
     * Drops {@code bytes} from the front of the window (a header that has been consumed).
     *
     * @param bytes bytes to drop.
     */
    public void advance(final int bytes)
    {
        offset += bytes;
        length -= bytes;
    }

    /**
     * @return the pool that owns this buffer.
     */
    public BufferPool pool()
    {
        return pool;
    }

    /**
     * @return slot index inside the owning pool.
     */
    public int index()
    {
        return index;
    }

    /**
     * Returns the buffer to its pool. Must be called on the pool's owning thread.
     */
    public void release()
    {
        pool.release(this);
    }

    boolean isFree()
    {
        return free;
    }

    void free(final boolean free)
    {
        this.free = free;
    }

    void reset(final int headroom)
    {
        offset = headroom;
        length = 0;
        ifIndex = 0;
    }
}
