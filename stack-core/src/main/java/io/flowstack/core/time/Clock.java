package io.flowstack.core.time;

/**
 * Monotonic time source in nanoseconds. The engine reads it per frame and per stage of its duty cycle and passes
 * the value down; nothing below the engine reads a clock itself.
 */
public interface Clock
{
    /**
     * @return monotonic nanoseconds; only differences are meaningful.
     */
    long nanoTime();
}
