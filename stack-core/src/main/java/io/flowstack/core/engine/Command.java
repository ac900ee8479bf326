package io.flowstack.core.engine;

/**
 * Work handed to a core from another thread (an application call). Runs on the core's thread during the
 * duty cycle, with the cycle's time.
 */
@FunctionalInterface
public interface Command
{
    /**
     * @param nowNs the duty cycle's time.
     */
    void execute(long nowNs);
}
