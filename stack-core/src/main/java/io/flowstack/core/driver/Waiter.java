package io.flowstack.core.driver;

/**
 * What an idle core blocks on: its devices becoming readable, a doorbell rung by another thread, or a
 * timeout (the next timer deadline). Implementations: a parking waiter for memory devices; an epoll plus eventfd
 * waiter for real devices.
 */
public interface Waiter extends AutoCloseable
{
    /**
     * Blocks until a device is readable, {@link #wake()} was called, or the timeout passes.
     * A wake-up that happened before this call makes it return at once.
     *
     * @param timeoutNs maximum time to block; 0 polls.
     */
    void await(long timeoutNs);

    /**
     * Stops watching a device handle (its queue failed). Call on the owning thread, not during
     * {@link #await(long)}; before the handle is closed.
     *
     * @param handle a {@link NetworkDriver#waitHandle()} given when the waiter was made; -1 is ignored.
     */
    default void remove(final int handle)
    {
    }

    /**
     * Rings the doorbell. Safe from any thread.
     */
    void wake();

    @Override
    void close();
}
