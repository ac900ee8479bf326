package io.flowstack.tcp;

/**
 * Installs applications on one core before it starts: called once per core, on the thread that builds the
 * stack, so that each core gets its own application instance.
 */
@FunctionalInterface
public interface CoreSetup
{
    /**
     * @param core the core being set up.
     */
    void setup(CoreContext core);
}
