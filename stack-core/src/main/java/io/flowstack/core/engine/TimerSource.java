package io.flowstack.core.engine;

/**
 * Something with deadlines that a core's stack runs on its duty cycle (for example TCP's timers above IP).
 */
public interface TimerSource
{
    /**
     * @param nowNs current time.
     * @return work done.
     */
    int onTime(long nowNs);

    /**
     * @return the earliest deadline, or {@link Long#MAX_VALUE}.
     */
    long nextDeadline();
}
