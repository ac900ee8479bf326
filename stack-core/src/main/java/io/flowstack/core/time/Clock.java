package io.flowstack.core.time;

/**
 * Monotonic time source in nanoseconds. The engine reads it once per duty cycle and passes the value down;
 * nothing below the engine reads a clock itself.
 */
public interface Clock
{
    /**
     * @return monotonic nanoseconds; only differences are meaningful.
     */
    long nanoTime();
}
