package io.flowstack.core.engine;

import io.flowstack.core.driver.Waiter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Waiter} for threads without a device descriptor: parks the owning thread, unparked by
 * {@link #wake()}. In-memory drivers call {@link #wake()} when they enqueue a frame.
 */
public final class ParkingWaiter implements Waiter
{
    private static final int IDLE = 0;
    private static final int PARKED = 1;
    private static final int NOTIFIED = 2;

    private final AtomicInteger state = new AtomicInteger(IDLE);
    private volatile Thread owner;

    @Override
    public void await(final long timeoutNs)
    {
        if (state.compareAndSet(NOTIFIED, IDLE) || timeoutNs <= 0)
        {
            return;
        }
        owner = Thread.currentThread();
        if (state.compareAndSet(IDLE, PARKED))
        {
            LockSupport.parkNanos(this, timeoutNs);
        }
        state.set(IDLE);
    }

    @Override
    public void wake()
    {
        if (state.getAndSet(NOTIFIED) == PARKED)
        {
            final Thread t = owner;
            if (t != null)
            {
                LockSupport.unpark(t);
            }
        }
    }

    @Override
    public void close()
    {
    }
}
