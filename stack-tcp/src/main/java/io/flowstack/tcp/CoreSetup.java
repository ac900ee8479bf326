package io.flowstack.tcp;

import java.io.IOException;

/**
 * Installs applications on one core before it starts: called once per core, on the thread that builds the
 * stack, so that each core gets its own application instance.
 */
@FunctionalInterface
public interface CoreSetup
{
    /**
     * @param core the core being set up.
     * @throws IOException when an application cannot start, such as a {@link java.net.BindException} from a
     *                     listen; {@link FlowStack.Builder#build()} throws it on.
     */
    void setup(CoreContext core) throws IOException;
}
