package io.flowstack.core.engine;

/**
 * Something with deadlines that a core's stack runs on its duty cycle (for example TCP's timers above IP).
 */
public interface TimerSource
{
    /**
     * Runs what is due at the core's current time.
     *
     * @return work done.
     */
    int onTime();

    /**
     * @return the earliest deadline, or {@link Long#MAX_VALUE}.
     */
    long nextDeadline();
}
