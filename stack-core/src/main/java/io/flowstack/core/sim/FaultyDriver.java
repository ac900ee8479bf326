package io.flowstack.core.sim;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.driver.Waiter;
import io.flowstack.core.time.Clock;

/**
 * A {@link NetworkDriver} decorator that applies a {@link FaultInjector} to real traffic, in both directions: frames
 * read from the device may be dropped, duplicated, corrupted or delayed before the stack sees them, and frames the
 * stack sends the same before they are written. So a live TAP run can have loss, reordering and partitions too.
 * <p>
 * A frame that passes untouched and on time goes straight through: no copy, no allocation. A delayed frame keeps its
 * pool buffer and waits in a time-ordered holding queue of {@code holdCapacity} preallocated slots (full: the frame
 * is dropped and counted in {@link #holdDrops()}); {@link #nextDeadline()} tells the core when to wake for it. A
 * duplicate is a copy into a second buffer from the same pool (none free: no duplicate).
 * <p>
 * Used by one core's thread, like any driver handle.
 */
public final class FaultyDriver implements NetworkDriver
{
    /** Default frames held back per direction. */
    public static final int DEFAULT_HOLD_CAPACITY = 256;

    private final NetworkDriver inner;
    private final FaultInjector receiveFaults;
    private final FaultInjector transmitFaults;
    private final Clock clock;
    private final Holding rxHold;
    private final Holding txHold;
    private final FrameHandler intercept = this::onReceived;
    private FrameHandler handler;
    private BufferPool pool;
    private long now;
    private long holdDrops;
    private long duplicateFailures;

    /**
     * @param inner          the real driver.
     * @param receiveFaults  faults on frames read from the device.
     * @param transmitFaults faults on frames the stack sends.
     * @param clock          the core's clock (partitions and delays are measured on it).
     * @param holdCapacity   frames held back at most per direction.
     */
    public FaultyDriver(final NetworkDriver inner, final FaultInjector receiveFaults, final FaultInjector transmitFaults,
        final Clock clock, final int holdCapacity)
    {
        this.inner = inner;
        this.receiveFaults = receiveFaults;
        this.transmitFaults = transmitFaults;
        this.clock = clock;
        this.rxHold = new Holding(holdCapacity);
        this.txHold = new Holding(holdCapacity);
    }

    @Override
    public int receive(final BufferPool pool, final FrameHandler handler, final int limit)
    {
        now = clock.nanoTime();
        this.pool = pool;
        this.handler = handler;
        int n = 0;
        while (n < limit && rxHold.due(now))
        {
            handler.onFrame(rxHold.pop());
            n++;
        }
        return n + inner.receive(pool, intercept, limit - n);
    }

    private void onReceived(final PacketBuffer frame)
    {
        final int copies = receiveFaults.offer(now, frame.buffer(), frame.offset(), frame.length());
        if (copies == 0)
        {
            frame.release();
            return;
        }
        final PacketBuffer second = copies == 2 ? copy(frame, pool) : null;
        apply(receiveFaults, 0, frame, rxHold, true);
        if (second != null)
        {
            apply(receiveFaults, 1, second, rxHold, true);
        }
    }

    @Override
    public void transmit(final PacketBuffer frame)
    {
        now = clock.nanoTime();
        releaseDueTransmits();
        // A frame may be held past this cycle: its payload must not stay in a send ring.
        frame.linearize();
        final int copies = transmitFaults.offer(now, frame.buffer(), frame.offset(), frame.length());
        if (copies == 0)
        {
            frame.release();
            return;
        }
        final PacketBuffer second = copies == 2 ? copy(frame, frame.pool()) : null;
        apply(transmitFaults, 0, frame, txHold, false);
        if (second != null)
        {
            apply(transmitFaults, 1, second, txHold, false);
        }
    }

    @Override
    public int flush()
    {
        now = clock.nanoTime();
        return releaseDueTransmits() + inner.flush();
    }

    private int releaseDueTransmits()
    {
        int n = 0;
        while (txHold.due(now))
        {
            inner.transmit(txHold.pop());
            n++;
        }
        return n;
    }

    private PacketBuffer copy(final PacketBuffer frame, final BufferPool from)
    {
        final PacketBuffer c = from == null ? null : from.acquire();
        if (c == null || frame.length() > c.capacity() - frame.offset())
        {
            if (c != null)
            {
                c.release();
            }
            duplicateFailures++;
            return null;
        }
        c.buffer().putBytes(frame.offset(), frame.buffer(), frame.offset(), frame.length());
        c.window(frame.offset(), frame.length()).ifIndex(frame.ifIndex());
        c.offloadsFrom(frame);
        return c;
    }

    private void apply(final FaultInjector faults, final int copy, final PacketBuffer frame, final Holding hold,
        final boolean receiving)
    {
        if (faults.corrupts(copy))
        {
            // The bit flips on the wire: after the sender's checksum is complete, and nothing vouches for it on
            // arrival (a device checksum offload would have caught it).
            if (receiving)
            {
                frame.checksumComplete();
            }
            else
            {
                VirtioNetHeader.completeChecksum(frame);
            }
            faults.corrupt(copy, frame.buffer(), frame.offset());
        }
        final long at = faults.departure(copy);
        if (at <= now)
        {
            if (receiving)
            {
                handler.onFrame(frame);
            }
            else
            {
                inner.transmit(frame);
            }
        }
        else if (!hold.push(at, frame))
        {
            holdDrops++;
            frame.release();
        }
    }

    @Override
    public long nextDeadline()
    {
        return Math.min(Math.min(rxHold.nextTime(), txHold.nextTime()), inner.nextDeadline());
    }

    @Override
    public int mtu()
    {
        return inner.mtu();
    }

    @Override
    public long macAddress()
    {
        return inner.macAddress();
    }

    @Override
    public Offloads offloads()
    {
        return inner.offloads();
    }

    @Override
    public Steering steering()
    {
        return inner.steering();
    }

    @Override
    public int failure()
    {
        return inner.failure();
    }

    @Override
    public int waitHandle()
    {
        return inner.waitHandle();
    }

    @Override
    public void wakeOnReceive(final Waiter waiter)
    {
        inner.wakeOnReceive(waiter);
    }

    /**
     * @return the injector on the receive side.
     */
    public FaultInjector receiveFaults()
    {
        return receiveFaults;
    }

    /**
     * @return the injector on the transmit side.
     */
    public FaultInjector transmitFaults()
    {
        return transmitFaults;
    }

    /**
     * @return frames dropped because the holding queue was full.
     */
    public long holdDrops()
    {
        return holdDrops;
    }

    /**
     * @return duplicates not made because no buffer was free.
     */
    public long duplicateFailures()
    {
        return duplicateFailures;
    }

    /**
     * @return frames held back now, both directions.
     */
    public int held()
    {
        return rxHold.size() + txHold.size();
    }

    /**
     * Releases the frames held back, then closes the real driver.
     */
    @Override
    public void close()
    {
        rxHold.releaseAll();
        txHold.releaseAll();
        inner.close();
    }

    /** Frames held back, earliest first; the frames keep their pool buffers. */
    private static final class Holding
    {
        private final PacketBuffer[] frames;
        private final int[] free;
        private final EventQueue queue;
        private int freeCount;

        Holding(final int capacity)
        {
            frames = new PacketBuffer[capacity];
            free = new int[capacity];
            for (int i = 0; i < capacity; i++)
            {
                free[i] = capacity - 1 - i;
            }
            freeCount = capacity;
            queue = new EventQueue(capacity, false);
        }

        boolean isEmpty()
        {
            return queue.isEmpty();
        }

        int size()
        {
            return queue.size();
        }

        long nextTime()
        {
            return queue.peekTime();
        }

        boolean due(final long now)
        {
            return queue.peekTime() <= now;
        }

        boolean push(final long at, final PacketBuffer frame)
        {
            if (freeCount == 0)
            {
                return false;
            }
            final int slot = free[--freeCount];
            frames[slot] = frame;
            queue.push(at, slot);
            return true;
        }

        PacketBuffer pop()
        {
            final int slot = queue.pop();
            final PacketBuffer f = frames[slot];
            frames[slot] = null;
            free[freeCount++] = slot;
            return f;
        }

        void releaseAll()
        {
            while (!queue.isEmpty())
            {
                pop().release();
            }
        }
    }
}
