package io.flowstack.core.time;

/**
 * A {@link Clock} that moves only when told to: tests and the simulator advance it explicitly.
 * Single-threaded, like everything it drives.
 */
public final class VirtualClock implements Clock
{
    private long now;

    /**
     * @param start initial time in nanoseconds.
     */
    public VirtualClock(final long start)
    {
        this.now = start;
    }

    /** Starts at zero. */
    public VirtualClock()
    {
        this(0);
    }

    @Override
    public long nanoTime()
    {
        return now;
    }

    /**
     * @param nanos time to move forward; must not be negative.
     * @return the new time.
     */
    public long advance(final long nanos)
    {
        if (nanos < 0)
        {
            throw new IllegalArgumentException("time runs forward only: " + nanos);
        }
        now += nanos;
        return now;
    }

    /**
     * @param time new absolute time; must not be earlier than now.
     */
    public void set(final long time)
    {
        if (time < now)
        {
            throw new IllegalArgumentException("time runs forward only: " + time + " < " + now);
        }
        now = time;
    }
}
