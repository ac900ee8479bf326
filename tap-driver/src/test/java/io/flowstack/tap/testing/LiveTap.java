package io.flowstack.tap.testing;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.tap.EpollWaiter;
import io.flowstack.tap.MacAddresses;
import io.flowstack.tap.TapDevice;
import io.flowstack.tap.TapDriver;
import io.flowstack.tap.netns.NetNs;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A TAP whose kernel side lives in a namespace made for one test: the TAP is opened here, moved into
 * "fstest-tap-*", given {@value #KERNEL_CIDR} and brought up. Our side is a {@link TapDriver} with its own MAC
 * and a pool, plus an {@link EpollWaiter} on the queue. {@link #close()} removes everything.
 */
public final class LiveTap implements AutoCloseable
{
    /** Kernel side's address and prefix. */
    public static final String KERNEL_CIDR = "198.18.0.1/24";
    /** Kernel side's address. */
    public static final String KERNEL_IP = "198.18.0.1";
    /** The address our side answers for. */
    public static final String STACK_IP = "198.18.0.2";
    /** Interface index the driver stamps. */
    public static final int IF_INDEX = 7;

    public final NetNs ns;
    public final TapDevice device;
    public final TapDriver driver;
    public final BufferPool pool;
    public final EpollWaiter waiter;
    public final long stackMac;

    /**
     * @param poolSlots buffers in the pool.
     * @throws IOException when any part of the setup fails (everything made so far is removed).
     */
    public LiveTap(final int poolSlots) throws IOException
    {
        this(poolSlots, false);
    }

    /**
     * @param poolSlots buffers in the pool.
     * @param offloads  open the TAP with a virtio-net header and its offloads.
     * @throws IOException when any part of the setup fails (everything made so far is removed).
     */
    public LiveTap(final int poolSlots, final boolean offloads) throws IOException
    {
        NetNs createdNs = null;
        TapDevice createdDevice = null;
        TapDriver createdDriver = null;
        boolean ok = false;
        try
        {
            createdNs = NetNs.create(Names.namespace("tap"));
            createdDevice = TapDevice.open(Names.device(), 1, offloads);
            // Read while the device is still in our namespace; afterwards lookups by name fail here.
            final long kernelMac = createdDevice.kernelMacAddress();
            createdNs.moveLink(createdDevice.name());
            createdNs.addAddress(createdDevice.name(), KERNEL_CIDR);
            createdNs.linkUp(createdDevice.name());
            stackMac = MacAddresses.randomLocalUnicastDistinctFrom(kernelMac);
            createdDriver = createdDevice.driver(0, IF_INDEX, stackMac);
            pool = new BufferPool(0, poolSlots, BufferPool.DEFAULT_SLOT_SIZE, BufferPool.DEFAULT_HEADROOM);
            waiter = new EpollWaiter(createdDriver.waitHandle());
            ok = true;
        }
        finally
        {
            if (!ok)
            {
                closeAll(createdDriver, createdDevice, createdNs);
            }
        }
        ns = createdNs;
        device = createdDevice;
        driver = createdDriver;
    }

    private static void closeAll(final TapDriver driver, final TapDevice device, final NetNs ns)
    {
        try
        {
            if (driver != null)
            {
                driver.close();
            }
            if (device != null)
            {
                device.close();
            }
        }
        finally
        {
            if (ns != null)
            {
                ns.close();
            }
        }
    }

    /**
     * Makes the kernel resolve {@value #STACK_IP}: a UDP datagram to port 9 sent from inside the namespace.
     *
     * @throws IOException when the datagram cannot be sent.
     */
    public void triggerArpFromKernel() throws IOException
    {
        sendUdpFrom(ns);
    }

    /**
     * Sends "hello" to {@value #STACK_IP} port 9 from a kernel socket inside {@code ns}; the kernel queues it
     * until ARP resolves the address (or gives up).
     *
     * @param ns the kernel side's namespace.
     * @throws IOException when the datagram cannot be sent.
     */
    static void sendUdpFrom(final NetNs ns) throws IOException
    {
        ns.callInside(() ->
        {
            try (DatagramSocket socket = new DatagramSocket())
            {
                final byte[] hello = "hello\n".getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(hello, hello.length, InetAddress.getByName(STACK_IP), 9));
            }
            return null;
        });
    }

    /**
     * Receives until a frame matches, releasing the others, for at most {@code timeoutMs}.
     *
     * @param match     what to wait for.
     * @param timeoutMs how long.
     * @param seen      collects a one-line summary of every frame, for failure messages.
     * @return the matching frame (the caller releases it), or null on timeout.
     */
    public PacketBuffer awaitFrame(final Predicate<PacketBuffer> match, final long timeoutMs, final List<String> seen)
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
            if (driver.receive(pool, handler, 16) == 0)
            {
                waiter.await(remaining);
            }
        }
        return found[0];
    }

    /**
     * @return a fresh list for {@link #awaitFrame(Predicate, long, List)}.
     */
    public static List<String> log()
    {
        return new ArrayList<>();
    }

    @Override
    public void close()
    {
        try
        {
            waiter.close();
        }
        finally
        {
            closeAll(driver, device, ns);
        }
    }
}
