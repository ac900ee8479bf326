package io.flowstack.core.sim;

import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.driver.SteeringRefusedException;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.time.Clock;
import io.flowstack.core.time.SystemClock;

/**
 * A {@link NetworkDevice} whose every queue handle is a {@link FaultyDriver}: wrap a TAP device in it to run a live
 * stack over a lossy, reordering, corrupting link. Each handle gets its own injectors, seeded from the device's seed
 * and the order the handles were opened in, so rate limits and queues apply per handle (per core).
 * Partitions count from the moment the device was wrapped.
 */
public final class FaultyDevice implements NetworkDevice
{
    private final NetworkDevice inner;
    private final FaultProfile receiveProfile;
    private final FaultProfile transmitProfile;
    private final long seed;
    private final Clock clock;
    private final long startNs;
    private int opened;

    /**
     * Same faults both ways, on the system clock.
     *
     * @param inner   the real device.
     * @param profile faults for frames in both directions.
     * @param seed    seed of the injectors.
     */
    public FaultyDevice(final NetworkDevice inner, final FaultProfile profile, final long seed)
    {
        this(inner, profile, profile, seed, SystemClock.INSTANCE);
    }

    /**
     * @param inner           the real device.
     * @param receiveProfile  faults for frames read from the device.
     * @param transmitProfile faults for frames written to it.
     * @param seed            seed of the injectors.
     * @param clock           the clock the stack's cores use.
     */
    public FaultyDevice(final NetworkDevice inner, final FaultProfile receiveProfile, final FaultProfile transmitProfile,
        final long seed, final Clock clock)
    {
        this.inner = inner;
        this.receiveProfile = receiveProfile;
        this.transmitProfile = transmitProfile;
        this.seed = seed;
        this.clock = clock;
        this.startNs = clock.nanoTime();
    }

    @Override
    public int queues()
    {
        return inner.queues();
    }

    @Override
    public synchronized NetworkDriver open(final int queue, final int ifIndex, final long mac)
    {
        final int handle = opened++;
        return new FaultyDriver(inner.open(queue, ifIndex, mac),
            new FaultInjector(receiveProfile, FaultInjector.seedFor(seed, 2L * handle), startNs),
            new FaultInjector(transmitProfile, FaultInjector.seedFor(seed, 2L * handle + 1), startNs),
            clock, FaultyDriver.DEFAULT_HOLD_CAPACITY);
    }

    @Override
    public int mtu()
    {
        return inner.mtu();
    }

    @Override
    public Offloads offloads()
    {
        return inner.offloads();
    }

    @Override
    public Steering steering()
    {
        return inner.steering();
    }

    /** Faults act on frames once the device has put them on a queue: the device's own steering is untouched. */
    @Override
    public OwnerSteering steerByOwner(final FlowOwnership ownership, final int ifIndex) throws SteeringRefusedException
    {
        return inner.steerByOwner(ownership, ifIndex);
    }

    @Override
    public String describe()
    {
        return inner.describe() + " with faults in [" + receiveProfile + "] out [" + transmitProfile + "] seed " + seed;
    }

    @Override
    public void close()
    {
        inner.close();
    }
}
