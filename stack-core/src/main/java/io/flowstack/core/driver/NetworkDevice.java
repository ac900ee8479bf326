package io.flowstack.core.driver;

import io.flowstack.core.flow.FlowOwnership;

/**
 * A network device with one or more queues. Each core that reads or sends on a queue gets its own
 * {@link NetworkDriver} handle from {@link #open}; several handles may share a queue (a single-queue device that
 * every core transmits on), but only one core ever reads a queue.
 */
public interface NetworkDevice extends AutoCloseable
{
    /**
     * @return number of queues.
     */
    int queues();

    /**
     * Opens a per-core handle on a queue. Closing the handle does not close the queue; {@link #close()} does.
     *
     * @param queue   queue index.
     * @param ifIndex interface index stamped on received frames.
     * @param mac     the stack's MAC address on this device.
     * @return the handle.
     */
    NetworkDriver open(int queue, int ifIndex, long mac);

    /**
     * @return the device's IP MTU.
     */
    int mtu();

    /**
     * @return how the device steers flows to its queues.
     */
    Steering steering();

    /**
     * Asks the device to deliver every frame to the queue of the core that owns it, by the stack's own ownership
     * function, queue i being read by core i. Called once, before any queue is opened, for an interface hashed
     * over all cores when the device has a queue per core. On success {@link #steering()} is
     * {@link Steering#EXACT} from then on.
     *
     * @param ownership the ownership function (read only; {@link OwnerSteering#apply} brings later states).
     * @param ifIndex   the interface index the stack gave this device.
     * @return the device's copy to keep in step, or null when the device has no way to steer by it.
     * @throws SteeringRefusedException when the device could but the kernel refused; it keeps steering as before.
     */
    default OwnerSteering steerByOwner(final FlowOwnership ownership, final int ifIndex)
        throws SteeringRefusedException
    {
        return null;
    }

    /**
     * @return the offloads every queue of the device has; {@link Offloads#NONE} by default.
     */
    default Offloads offloads()
    {
        return Offloads.NONE;
    }

    /**
     * @return a short description (name, queues) for messages.
     */
    String describe();

    /**
     * Closes every queue. Idempotent.
     */
    @Override
    void close();

    /**
     * A one-queue device over a driver whose transmit is safe from several threads (such as
     * {@link MemoryDriver}): every core gets the same handle.
     *
     * @param driver the driver.
     * @return the device.
     */
    static NetworkDevice shared(final NetworkDriver driver)
    {
        return new NetworkDevice()
        {
            @Override
            public int queues()
            {
                return 1;
            }

            @Override
            public NetworkDriver open(final int queue, final int ifIndex, final long mac)
            {
                return driver;
            }

            @Override
            public int mtu()
            {
                return driver.mtu();
            }

            @Override
            public Steering steering()
            {
                return driver.steering();
            }

            @Override
            public Offloads offloads()
            {
                return driver.offloads();
            }

            @Override
            public String describe()
            {
                return driver.toString();
            }

            @Override
            public void close()
            {
                driver.close();
            }
        };
    }
}
