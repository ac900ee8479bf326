package io.flowstack.core.time;

/**
 * {@link Clock} backed by {@link System#nanoTime()}.
 */
public final class SystemClock implements Clock
{
    /** Shared instance: the clock is stateless. */
    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock()
    {
    }

    @Override
    public long nanoTime()
    {
        return System.nanoTime();
    }
}
