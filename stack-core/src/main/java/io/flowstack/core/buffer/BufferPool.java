package io.flowstack.core.buffer;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.MpscArrayQueue;

import java.nio.ByteBuffer;

/**
 * A fixed set of off-heap {@link PacketBuffer}s carved from one direct slab, owned by one core.
 * Acquire and release are a stack push/pop: no allocation, no lock. Only the owning thread acquires. A buffer
 * released on another thread (a frame forwarded to another core and consumed there) goes back through a
 * bounded multi-producer queue that the owner drains; it can never overflow, because it is as large as the pool.
 */
public final class BufferPool
{
    /** Room in front of a received frame or a payload for headers (vnet 12 + Ethernet 14 + IPv4 60 + TCP 60). */
    public static final int DEFAULT_HEADROOM = 160;
    /** Slot size: a 64 KiB offload frame plus Ethernet and virtio headers after the headroom. */
    public static final int DEFAULT_SLOT_SIZE = DEFAULT_HEADROOM + 65_536 + 64;
    /** Default number of slots per core. */
    public static final int DEFAULT_SLOT_COUNT = 512;

    private final int id;
    private final int headroom;
    private final int slotSize;
    private final ByteBuffer slab;
    private final PacketBuffer[] slots;
    private final PacketBuffer[] free;
    private final MpscArrayQueue<PacketBuffer> returns;
    private volatile Thread owner;
    private int freeCount;

    /**
     * @param id        identifier of the owning core (shows in diagnostics).
     * @param slotCount number of buffers.
     * @param slotSize  bytes per buffer, headroom included.
     * @param headroom  default offset of a fresh buffer's window.
     */
    public BufferPool(final int id, final int slotCount, final int slotSize, final int headroom)
    {
        if (slotCount <= 0 || slotSize <= headroom || headroom < 0)
        {
            throw new IllegalArgumentException("bad pool geometry " + slotCount + "x" + slotSize + "/" + headroom);
        }
        this.id = id;
        this.headroom = headroom;
        this.slotSize = slotSize;
        this.slab = BufferUtil.allocateDirectAligned(slotCount * slotSize, 64);
        this.slots = new PacketBuffer[slotCount];
        this.free = new PacketBuffer[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            final UnsafeBuffer view = new UnsafeBuffer(slab, i * slotSize, slotSize);
            slots[i] = new PacketBuffer(this, i, view);
            free[i] = slots[i];
        }
        freeCount = slotCount;
        returns = new MpscArrayQueue<>(Math.max(2, slotCount));
    }

    /**
     * Names the thread that owns this pool; releases from any other thread go through the return queue.
     * Until an owner is set (while a stack is being built), every release is direct.
     *
     * @param thread the core's thread, or null for single-threaded use (tests, simulator).
     */
    public void owner(final Thread thread)
    {
        this.owner = thread;
    }

    /**
     * @param id owning core.
     * @return a pool with the default geometry.
     */
    public static BufferPool withDefaults(final int id)
    {
        return new BufferPool(id, DEFAULT_SLOT_COUNT, DEFAULT_SLOT_SIZE, DEFAULT_HEADROOM);
    }

    /**
     * Takes a buffer with an empty window at the headroom offset.
     *
     * @return a buffer, or {@code null} when the pool is exhausted (the caller drops and counts).
     */
    public PacketBuffer acquire()
    {
        if (freeCount == 0 && drainReturns() == 0)
        {
            return null;
        }
        final PacketBuffer b = free[--freeCount];
        free[freeCount] = null;
        b.free(false);
        b.reset(headroom);
        return b;
    }

    /**
     * Gives a buffer back. Releasing a buffer twice or into a foreign pool is a programming error.
     *
     * @param buffer buffer obtained from this pool.
     */
    public void release(final PacketBuffer buffer)
    {
        final Thread o = owner;
        if (o != null && o != Thread.currentThread())
        {
            returns.offer(buffer);
            return;
        }
        releaseOwned(buffer);
    }

    /**
     * Takes back the buffers other threads released.
     *
     * @return number taken back.
     */
    public int drainReturns()
    {
        int n = 0;
        PacketBuffer b;
        while ((b = returns.relaxedPoll()) != null)
        {
            releaseOwned(b);
            n++;
        }
        return n;
    }

    private void releaseOwned(final PacketBuffer buffer)
    {
        if (buffer.pool() != this || buffer.isFree())
        {
            throw new IllegalStateException("release of foreign or free buffer " + buffer.index() + " into pool " + id);
        }
        buffer.free(true);
        free[freeCount++] = buffer;
    }

    /**
     * @return buffers currently available.
     */
    public int available()
    {
        return freeCount;
    }

    /**
     * @return total number of buffers.
     */
    public int capacity()
    {
        return slots.length;
    }

    /**
     * @return bytes per buffer.
     */
    public int slotSize()
    {
        return slotSize;
    }

    /**
     * @return default window offset of a fresh buffer.
     */
    public int headroom()
    {
        return headroom;
    }

    /**
     * @return identifier of the owning core.
     */
    public int id()
    {
        return id;
    }
}
