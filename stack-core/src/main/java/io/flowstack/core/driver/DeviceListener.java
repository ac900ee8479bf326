package io.flowstack.core.driver;

/**
 * Told when a core takes a queue out of service because its device is gone ({@link NetworkDriver#failure()}).
 * Called on that core's thread, once per queue handle; it may allocate and log (it happens once in a device's
 * life), but must not block the core.
 */
@FunctionalInterface
public interface DeviceListener
{
    /** Ignores failures (the core still closes the queue and counts). */
    DeviceListener NONE = (core, queue, errno) ->
    {
    };

    /**
     * @param core  the core that noticed.
     * @param queue the failed queue handle, already closed and no longer read or written by that core.
     * @param errno what the driver saw, as {@link NetworkDriver#failure()} returned it.
     */
    void onQueueFailed(int core, NetworkDriver queue, int errno);
}
