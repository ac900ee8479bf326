package io.flowstack.tap.testing;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.tap.EpollWaiter;
import io.flowstack.tap.MacAddresses;
import io.flowstack.tap.netns.VethPair;
import io.flowstack.tap.packet.PacketDevice;
import io.flowstack.tap.packet.RawSocketDriver;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * A veth pair for raw-socket tests: the kernel's end with {@value LiveTap#KERNEL_CIDR} in "fstest-raw-k-*", the
 * stack's end (no address) in "fstest-raw-stack-*", and a {@link PacketDevice} opened inside the latter with one
 * driver per member, each with its own pool and epoll waiter. {@link #close()} removes everything.
 */
public final class LiveVeth implements AutoCloseable
{
    /** Interface index the drivers stamp. */
    public static final int IF_INDEX = 3;

    public final VethPair veth;
    public final PacketDevice device;
    public final RawSocketDriver[] drivers;
    public final BufferPool[] pools;
    public final EpollWaiter[] waiters;
    public final long stackMac;
    public final long kernelMac;

    /**
     * @param config    device configuration; its interface name is replaced by a fresh one.
     * @param poolSlots buffers per member pool.
     * @throws IOException when any part of the setup fails (everything made so far is removed).
     */
    public LiveVeth(final PacketDevice.Config config, final int poolSlots) throws IOException
    {
        final String tag = String.format("%08x", ThreadLocalRandom.current().nextInt());
        final String ifName = Names.device();
        VethPair pair = null;
        PacketDevice dev = null;
        boolean ok = false;
        final int members = config.members();
        drivers = new RawSocketDriver[members];
        pools = new BufferPool[members];
        waiters = new EpollWaiter[members];
        try
        {
            pair = VethPair.create("fstest-raw-k-" + tag, "fstest-raw-stack-" + tag, ifName, LiveTap.KERNEL_CIDR);
            final PacketDevice.Config named = new PacketDevice.Config(ifName, members, config.fanout(),
                config.blockSize(), config.blockCount(), config.retireTimeoutMs(), config.qdiscBypass(),
                config.linkListener(), config.steering(), config.offloads());
            dev = pair.stackNs().callInside(() -> PacketDevice.open(named));
            stackMac = MacAddresses.randomLocalUnicastDistinctFrom(dev.interfaceMac());
            final String link = pair.kernelNs().exec("cat", "/sys/class/net/" + ifName + "/address").checkOk().stdout();
            kernelMac = MacAddresses.parse(link.strip());
            for (int m = 0; m < members; m++)
            {
                drivers[m] = dev.driver(m, IF_INDEX, stackMac);
                pools[m] = new BufferPool(m, poolSlots, BufferPool.DEFAULT_SLOT_SIZE, BufferPool.DEFAULT_HEADROOM);
                waiters[m] = new EpollWaiter(drivers[m].waitHandle());
            }
            ok = true;
        }
        finally
        {
            if (!ok)
            {
                closeAll(dev, pair);
            }
        }
        veth = pair;
        device = dev;
    }

    private void closeAll(final PacketDevice dev, final VethPair pair)
    {
        try
        {
            for (final EpollWaiter w : waiters)
            {
                if (w != null)
                {
                    w.close();
                }
            }
            for (final RawSocketDriver d : drivers)
            {
                if (d != null)
                {
                    d.close();
                }
            }
            if (dev != null)
            {
                dev.close();
            }
        }
        finally
        {
            if (pair != null)
            {
                pair.close();
            }
        }
    }

    /**
     * Makes the kernel resolve {@value LiveTap#STACK_IP}: a UDP datagram to port 9 from the kernel's namespace.
     *
     * @throws IOException when the datagram cannot be sent.
     */
    public void triggerArpFromKernel() throws IOException
    {
        LiveTap.sendUdpFrom(veth.kernelNs());
    }

    /**
     * Receives on one member until a frame matches, releasing the others, for at most {@code timeoutMs}.
     *
     * @param member    member index.
     * @param match     what to wait for.
     * @param timeoutMs how long.
     * @param seen      collects a one-line summary of every other frame.
     * @return the matching frame (the caller releases it), or null on timeout.
     */
    public PacketBuffer awaitFrame(final int member, final Predicate<PacketBuffer> match, final long timeoutMs,
        final List<String> seen)
    {
        final PacketBuffer[] found = new PacketBuffer[1];
        final FrameHandler handler = frame ->
        {
            if (found[0] == null && match.test(frame))
            {
                found[0] = frame;
            }
            else
            {
                seen.add("type=0x" + Integer.toHexString(Arp.etherType(frame)) + " len=" + frame.length()
                    + " dst=" + MacAddresses.toString(Arp.ethDst(frame)));
                frame.release();
            }
        };
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (found[0] == null)
        {
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0)
            {
                return null;
            }
            if (drivers[member].receive(pools[member], handler, 64) == 0)
            {
                waiters[member].await(Math.min(remaining, 100_000_000L));
            }
        }
        return found[0];
    }

    @Override
    public void close()
    {
        closeAll(device, veth);
    }
}
