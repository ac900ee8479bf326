package io.flowstack.core.engine;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.driver.DeviceListener;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Waiter;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.Arrays;

/**
 * The device queues one core reads and the transmit queue it uses per interface, and what happens when a device
 * goes away: after every receive and flush the core reads each queue's {@link NetworkDriver#failure()} (a field
 * read); a failed queue is taken out of the waiter's set (a gone TAP is readable forever: POLLERR, EBADFD), out of
 * the receive list and the transmit table, closed, counted, and reported to the {@link DeviceListener}. From then
 * on frames this core routes to that interface are dropped and counted ({@code engine.tx_no_device}). Only the
 * failure path allocates.
 */
final class DeviceQueues
{
    private final int coreId;
    private final Waiter waiter;
    private final NetworkDriver[] transmitByIf;
    private NetworkDriver[] receive;
    private DeviceListener listener = DeviceListener.NONE;
    private final AtomicCounter failedQueues;
    private final AtomicCounter noDeviceDrops;

    DeviceQueues(final int coreId, final NetworkDriver[] transmitByIf, final NetworkDriver[] receive,
        final Waiter waiter, final CounterSet counters)
    {
        this.coreId = coreId;
        this.transmitByIf = transmitByIf.clone();
        this.receive = receive.clone();
        this.waiter = waiter;
        this.failedQueues = counters.counter(EngineCounter.QUEUES_FAILED);
        this.noDeviceDrops = counters.counter(EngineCounter.TX_NO_DEVICE);
    }

    void listener(final DeviceListener listener)
    {
        this.listener = listener == null ? DeviceListener.NONE : listener;
    }

    int receive(final BufferPool pool, final FrameHandler handler, final int limit)
    {
        int work = 0;
        // A queue retired here replaces the array; this loop goes on over the old one, where the queue was last.
        for (final NetworkDriver queue : receive)
        {
            work += queue.receive(pool, handler, limit);
            if (queue.failure() != 0)
            {
                retire(queue);
            }
        }
        return work;
    }

    /**
     * @param ifIndex an interface index.
     * @return the queue this core transmits on for that interface, or null when it has none (none was given, or
     *         its device is gone).
     */
    NetworkDriver transmitQueue(final int ifIndex)
    {
        return ifIndex >= 0 && ifIndex < transmitByIf.length ? transmitByIf[ifIndex] : null;
    }

    /**
     * Drops a frame for an interface without a queue, and counts it.
     *
     * @param frame the frame; released.
     */
    void dropNoDevice(final PacketBuffer frame)
    {
        noDeviceDrops.incrementOrdered();
        frame.release();
    }

    int flush()
    {
        int work = 0;
        final NetworkDriver[] drivers = transmitByIf;
        for (int i = 0; i < drivers.length; i++)
        {
            final NetworkDriver driver = drivers[i];
            if (driver != null)
            {
                work += driver.flush();
                if (driver.failure() != 0)
                {
                    retire(driver);
                }
            }
        }
        return work;
    }

    long nextDeadline(final long deadline)
    {
        long next = deadline;
        for (final NetworkDriver queue : receive)
        {
            next = Math.min(next, queue.nextDeadline());
        }
        for (final NetworkDriver driver : transmitByIf)
        {
            if (driver != null)
            {
                next = Math.min(next, driver.nextDeadline());
            }
        }
        return next;
    }

    /**
     * @return queues this core still reads.
     */
    int receiveQueues()
    {
        return receive.length;
    }

    private void retire(final NetworkDriver failed)
    {
        final int errno = failed.failure();
        waiter.remove(failed.waitHandle());
        int kept = 0;
        final NetworkDriver[] remaining = new NetworkDriver[receive.length];
        for (final NetworkDriver queue : receive)
        {
            if (queue != failed)
            {
                remaining[kept++] = queue;
            }
        }
        receive = Arrays.copyOf(remaining, kept);
        for (int i = 0; i < transmitByIf.length; i++)
        {
            if (transmitByIf[i] == failed)
            {
                transmitByIf[i] = null;
            }
        }
        // Releases what it had queued: every buffer goes back to its pool.
        failed.close();
        failedQueues.incrementOrdered();
        listener.onQueueFailed(coreId, failed, errno);
    }
}
