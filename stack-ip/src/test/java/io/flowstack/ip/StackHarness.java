package io.flowstack.ip;

import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.engine.CoreEngine;
import io.flowstack.core.engine.ParkingWaiter;
import io.flowstack.core.time.VirtualClock;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * One core's {@link IpStack} on an in-memory driver with a virtual clock, driven by hand: inject frames,
 * run a duty cycle, read what came out.
 */
public final class StackHarness
{
    /** The stack's MAC. */
    public static final long STACK_MAC = 0x02_00_00_00_00_02L;
    /** The peer's MAC. */
    public static final long PEER_MAC = 0x02_00_00_00_00_01L;
    /** The stack's address. */
    public static final int STACK_IP = Ipv4Flyweight.parseAddress("198.18.0.2");
    /** The peer's address. */
    public static final int PEER_IP = Ipv4Flyweight.parseAddress("198.18.0.1");
    /** The stack's IPv6 address (benchmarking range, RFC 5180). */
    public static final IpAddress STACK_IP6 = IpAddress.parse("2001:2::2");
    /** The peer's IPv6 address. */
    public static final IpAddress PEER_IP6 = IpAddress.parse("2001:2::1");

    public final VirtualClock clock = new VirtualClock(1_000_000_000L);
    public final MemoryDriver driver;
    public final BufferPool pool;
    public final CounterSet counters;
    public final CoreEngine engine;
    public final IpStack stack;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[70_000]);
    private final List<byte[]> out = new ArrayList<>();
    private final MessageHandler collector = this::collect;

    /**
     * @param mtu the interface MTU.
     */
    public StackHarness(final int mtu)
    {
        this(mtu, Offloads.NONE);
    }

    /**
     * @param mtu      the interface MTU.
     * @param offloads what the device offers (frames it transmits then carry a virtio-net header in the ring).
     */
    public StackHarness(final int mtu, final Offloads offloads)
    {
        this(mtu, offloads, false);
    }

    /**
     * @param mtu      the interface MTU.
     * @param offloads what the device offers.
     * @param ipv6     give the interface {@link #STACK_IP6}/64 too.
     */
    public StackHarness(final int mtu, final Offloads offloads, final boolean ipv6)
    {
        driver = new MemoryDriver(0, STACK_MAC, mtu, 1 << 20, offloads);
        pool = new BufferPool(0, 64, BufferPool.DEFAULT_SLOT_SIZE, BufferPool.DEFAULT_HEADROOM);
        counters = CounterSet.inMemory(0);
        final NetworkDriver[] drivers = {driver};
        engine = new CoreEngine(0, clock, pool, drivers, drivers, new ParkingWaiter(), counters, 64);
        final IpInterface ifc = new IpInterface(0, STACK_MAC, STACK_IP, 24, mtu, 0, offloads);
        stack = new IpStack(new IpInterface[]{ipv6 ? ifc.withIpv6(STACK_IP6, 64) : ifc}, pool, engine, counters);
        engine.stack(stack);
    }

    /**
     * @return an MTU 1500 harness whose interface has IPv6 as well ({@link #STACK_IP6}/64).
     */
    public static StackHarness dualStack()
    {
        return new StackHarness(1500, Offloads.NONE, true);
    }

    /** An MTU 1500 harness. */
    public StackHarness()
    {
        this(1500);
    }

    /**
     * Puts a frame on the wire towards the stack.
     *
     * @param frame bytes.
     */
    public void inject(final byte[] frame)
    {
        scratch.putBytes(0, frame);
        if (!driver.inject(scratch, 0, frame.length))
        {
            throw new IllegalStateException("ring full");
        }
    }

    /**
     * Runs duty cycles until nothing is left to do.
     */
    public void run()
    {
        int guard = 0;
        while (engine.doWork() > 0)
        {
            if (++guard > 10_000)
            {
                throw new IllegalStateException("stack does not settle");
            }
        }
    }

    /**
     * Injects a frame, runs, and returns what the stack sent.
     *
     * @param frame bytes.
     * @return frames out.
     */
    public List<byte[]> exchange(final byte[] frame)
    {
        inject(frame);
        run();
        return transmitted();
    }

    /**
     * @return the frames sent since the last call.
     */
    public List<byte[]> transmitted()
    {
        out.clear();
        driver.drainTransmitted(collector, Integer.MAX_VALUE);
        return new ArrayList<>(out);
    }

    /**
     * Teaches the stack the peer's MAC (the peer asks for us, as a kernel does before its first datagram), and
     * discards the reply.
     */
    public void learnPeer()
    {
        exchange(Frames.arpRequest(PEER_MAC, PEER_IP, STACK_IP));
    }

    /**
     * Teaches the stack the peer's IPv6 MAC: the peer solicits our address with its link-layer address, as a
     * kernel does before its first packet; the advertisement is discarded.
     */
    public void learnPeer6()
    {
        exchange(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, Frames6.ICMPV6, 255,
            Frames6.icmpv6(PEER_IP6, STACK_IP6, 135, 0, 0, Frames6.ndBody(STACK_IP6, 1, PEER_MAC))));
    }

    private void collect(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final byte[] frame = new byte[length];
        buffer.getBytes(index, frame);
        out.add(frame);
    }
}
