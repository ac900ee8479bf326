package io.flowstack.test;

import io.flowstack.ip.addr.IpAddress;
import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.time.VirtualClock;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.IsnGenerator;
import io.flowstack.tcp.api.TcpConfig;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * Two single-core stacks back to back over an in-memory link, on the test's thread and one virtual clock: each
 * step runs both cores until quiet, then moves time to the next deadline. Deterministic (fixed keys and ISNs), so
 * a transfer between an application on A and one on B replays exactly; {@link #ctx} gives each core's context.
 */
public final class TwoStacks implements AutoCloseable
{
    /** A's address. */
    public static final int A_IP = Ipv4Flyweight.parseAddress("198.18.0.1");
    /** B's address. */
    public static final int B_IP = Ipv4Flyweight.parseAddress("198.18.0.2");
    /** A's IPv6 address (with {@link #TwoStacks(TcpConfig, Offloads, Offloads, boolean)}). */
    public static final IpAddress A_IP6 = IpAddress.parse("2001:2::1");
    /** B's IPv6 address. */
    public static final IpAddress B_IP6 = IpAddress.parse("2001:2::2");

    private static IpInterface v6(final IpInterface ifc, final IpAddress address, final boolean ipv6)
    {
        return ipv6 ? ifc.withIpv6(address, 64) : ifc;
    }

    /** The clock both stacks run on. */
    public final VirtualClock clock = new VirtualClock(1_000_000_000L);
    /** The first stack (198.18.0.1). */
    public final FlowStack a;
    /** The second stack (198.18.0.2). */
    public final FlowStack b;
    /** A's core context (index 0) and B's (index 1); use them on the test's thread. */
    public final CoreContext[] ctx = new CoreContext[2];
    /** A's device. */
    public final MemoryDriver da;
    /** B's device. */
    public final MemoryDriver db;

    /**
     * @param config both stacks' TCP configuration.
     * @throws IOException never in practice (no application is installed).
     */
    public TwoStacks(final TcpConfig config) throws IOException
    {
        this(config, Offloads.NONE, Offloads.NONE);
    }

    /**
     * @param config    both stacks' TCP configuration.
     * @param offloadsA what A's device offers (virtio-net semantics, see MemoryDriver).
     * @param offloadsB what B's device offers.
     * @throws IOException never in practice (no application is installed).
     */
    public TwoStacks(final TcpConfig config, final Offloads offloadsA, final Offloads offloadsB) throws IOException
    {
        this(config, offloadsA, offloadsB, false);
    }

    /**
     * @param config    both stacks' TCP configuration.
     * @param offloadsA what A's device offers.
     * @param offloadsB what B's device offers.
     * @param ipv6      give both interfaces IPv6 addresses too ({@link #A_IP6}, {@link #B_IP6}, /64).
     * @throws IOException never in practice (no application is installed).
     */
    public TwoStacks(final TcpConfig config, final Offloads offloadsA, final Offloads offloadsB, final boolean ipv6)
        throws IOException
    {
        da = new MemoryDriver(0, 0x02_00_00_00_00_01L, 1500, 1 << 24, offloadsA);
        db = new MemoryDriver(0, 0x02_00_00_00_00_02L, 1500, 1 << 24, offloadsB);
        MemoryDriver.link(da, db);
        a = FlowStack.builder().clock(clock).tcp(config).rssKey(ToeplitzHash.microsoftKey()).isn(c -> IsnGenerator.fixed(1000))
            .addInterface(v6(new IpInterface(0, 0x02_00_00_00_00_01L, A_IP, 24, 1500, 0), A_IP6, ipv6),
                NetworkDevice.shared(da))
            .onEachCore(c -> ctx[0] = c).poolSlots(1024).build();
        b = FlowStack.builder().clock(clock).tcp(config).rssKey(ToeplitzHash.microsoftKey()).isn(c -> IsnGenerator.fixed(-2000))
            .addInterface(v6(new IpInterface(0, 0x02_00_00_00_00_02L, B_IP, 24, 1500, 0), B_IP6, ipv6),
                NetworkDevice.shared(db))
            .onEachCore(c -> ctx[1] = c).poolSlots(1024).build();
    }

    /**
     * Runs until the condition holds, moving virtual time when both sides are idle.
     *
     * @param done         the condition.
     * @param maxVirtualNs how much virtual time it may take.
     * @throws AssertionError when it does not hold in time, or both sides wait on nothing.
     */
    public void runUntil(final BooleanSupplier done, final long maxVirtualNs)
    {
        final long end = clock.nanoTime() + maxVirtualNs;
        while (!done.getAsBoolean())
        {
            int work = a.doWork() + b.doWork();
            if (work == 0)
            {
                final long next = Math.min(a.nextDeadline(), b.nextDeadline());
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
