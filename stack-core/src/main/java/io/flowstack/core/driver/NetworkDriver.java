package io.flowstack.core.driver;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.Waiter;

/**
 * One receive/transmit queue of a network device, used by exactly one core's thread.
 * <p>
 * Receive fills buffers from the core's pool; transmit takes ownership of a buffer, queues it in a batch and
 * releases it to its pool once written (or dropped). Nothing here blocks: blocking while idle is done through
 * the {@link #waitHandle()} by an {@link Waiter}.
 */
public interface NetworkDriver extends AutoCloseable
{
    /**
     * Reads up to {@code limit} frames, each into a buffer from {@code pool}, and hands each to the handler.
     *
     * @param pool    pool of the calling core.
     * @param handler receives each frame (and ownership of its buffer).
     * @param limit   maximum frames to read in this call.
     * @return frames read; 0 when nothing is pending.
     */
    int receive(BufferPool pool, FrameHandler handler, int limit);

    /**
     * Queues a frame for transmission. The driver owns the buffer from here on.
     *
     * @param frame the frame; its window is exactly the bytes to send.
     */
    void transmit(PacketBuffer frame);

    /**
     * Writes what {@link #transmit(PacketBuffer)} has queued.
     *
     * @return frames written.
     */
    int flush();

    /**
     * @return maximum frame payload the link carries (the IP MTU).
     */
    int mtu();

    /**
     * @return the interface's hardware (MAC) address in the low 48 bits.
     */
    long macAddress();

    /**
     * @return how this driver steers flows to queues.
     */
    Steering steering();

    /**
     * What the device does for the stack (checksums, segmentation). A frame handed to {@link #transmit} may ask
     * only for what this offers; received frames carry only what it offers.
     *
     * @return the offloads in use on this queue; {@link Offloads#NONE} by default.
     */
    default Offloads offloads()
    {
        return Offloads.NONE;
    }

    /**
     * @return an OS handle (a file descriptor) that becomes readable when frames are pending, or -1 if the driver
     *         has none (in-memory drivers wake the waiter themselves).
     */
    int waitHandle();

    /**
     * Drivers without a {@link #waitHandle()} call the waiter's {@link Waiter#wake()} when frames arrive.
     *
     * @param waiter the waiter of the core that reads this queue.
     */
    default void wakeOnReceive(final Waiter waiter)
    {
    }

    /**
     * Drivers that hold frames back (a fault injector delaying them) say when they next have something to hand on,
     * so that an idle core wakes up for it.
     *
     * @return the earliest time {@link #receive} or {@link #flush()} has work without new input, or
     *         {@link Long#MAX_VALUE}.
     */
    default long nextDeadline()
    {
        return Long.MAX_VALUE;
    }

    /**
     * Whether the device behind this queue is gone for good: deleted, or its network namespace deleted. A
     * transient condition (a full queue, an interrupted call, an interface that is merely down) is not a failure:
     * the driver drops and counts, or waits with backoff. Read by the core after every receive and flush, so it
     * must be a plain field read.
     *
     * @return 0 while the queue works; once it failed, the errno that showed it (non-zero from then on).
     */
    default int failure()
    {
        return 0;
    }

    /**
     * Releases the device queue. Idempotent.
     */
    @Override
    void close();
}
