package io.flowstack.tcp;

import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.time.VirtualClock;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.IsnGenerator;

import java.util.function.BooleanSupplier;

/**
 * Two single-core stacks back to back over an in-memory link, on one thread and one virtual clock: each step
 * runs both cores until quiet, then moves time to the next deadline. Deterministic.
 */
final class TwoStacks implements AutoCloseable
{
    static final int A_IP = Ipv4Flyweight.parseAddress("198.18.0.1");
    static final int B_IP = Ipv4Flyweight.parseAddress("198.18.0.2");

    final VirtualClock clock = new VirtualClock(1_000_000_000L);
    final FlowStack a;
    final FlowStack b;
    final CoreContext[] ctx = new CoreContext[2];
    final MemoryDriver da;
    final MemoryDriver db;

    TwoStacks(final TcpConfig config) throws Exception
    {
        this(config, Offloads.NONE, Offloads.NONE);
    }

    /**
     * @param offloadsA what A's device offers (virtio-net semantics, see MemoryDriver).
     * @param offloadsB what B's device offers.
     */
    TwoStacks(final TcpConfig config, final Offloads offloadsA, final Offloads offloadsB) throws Exception
    {
        da = new MemoryDriver(0, 0x02_00_00_00_00_01L, 1500, 1 << 24, offloadsA);
        db = new MemoryDriver(0, 0x02_00_00_00_00_02L, 1500, 1 << 24, offloadsB);
        MemoryDriver.link(da, db);
        a = FlowStack.builder().clock(clock).tcp(config).rssKey(ToeplitzHash.microsoftKey()).isn(c -> IsnGenerator.fixed(1000))
            .addInterface(new IpInterface(0, 0x02_00_00_00_00_01L, A_IP, 24, 1500, 0), NetworkDevice.shared(da))
            .onEachCore(c -> ctx[0] = c).poolSlots(1024).build();
        b = FlowStack.builder().clock(clock).tcp(config).rssKey(ToeplitzHash.microsoftKey()).isn(c -> IsnGenerator.fixed(-2000))
            .addInterface(new IpInterface(0, 0x02_00_00_00_00_02L, B_IP, 24, 1500, 0), NetworkDevice.shared(db))
            .onEachCore(c -> ctx[1] = c).poolSlots(1024).build();
        a.engine(0).start();
        b.engine(0).start();
    }

    /** Runs until the condition holds, moving virtual time when both sides are idle. */
    void runUntil(final BooleanSupplier done, final long maxVirtualNs)
    {
        final long end = clock.nanoTime() + maxVirtualNs;
        while (!done.getAsBoolean())
        {
            int work = a.engine(0).doWork() + b.engine(0).doWork();
            if (work == 0)
            {
                final long next = Math.min(a.engine(0).nextDeadline(), b.engine(0).nextDeadline());
                if (next == Long.MAX_VALUE || next > end)
                {
                    throw new AssertionError("stuck at " + (clock.nanoTime() / 1_000_000) + " ms virtual");
                }
                clock.set(Math.max(next, clock.nanoTime() + 1));
            }
            else
            {
                // Time passes while working, too: a few microseconds per busy step.
                clock.advance(2_000);
            }
            if (clock.nanoTime() > end)
            {
                throw new AssertionError("not done after " + (maxVirtualNs / 1_000_000) + " ms virtual");
            }
        }
    }

    @Override
    public void close()
    {
        a.close();
        b.close();
    }
}
