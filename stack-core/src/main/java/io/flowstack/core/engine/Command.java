package io.flowstack.core.engine;

/**
 * Work handed to a core from another thread (an application call). Runs on the core's thread during the
 * duty cycle; what it does reads the cycle's time from the core's clock ({@link CoreServices#time()}).
 */
@FunctionalInterface
public interface Command
{
    /**
     * Does the work, on the core's thread.
     */
    void execute();
}
