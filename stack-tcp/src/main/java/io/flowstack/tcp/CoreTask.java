package io.flowstack.tcp;

/**
 * Work handed to a core from another thread with {@link CoreContext#submit}; it runs on the core's thread and may
 * use the context it is given.
 */
@FunctionalInterface
public interface CoreTask
{
    /**
     * @param core the core's context.
     * @throws Exception whatever the work throws: counted and reported in one line, and the core carries on.
     */
    void run(CoreContext core) throws Exception;
}
