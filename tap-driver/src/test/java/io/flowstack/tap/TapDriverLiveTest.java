package io.flowstack.tap;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.Steering;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.testing.Arp;
import io.flowstack.tap.testing.LiveTap;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver against the Linux kernel's own stack: a TAP whose kernel side is 198.18.0.1/24 in a namespace of
 * the test's own, and our side pretending to be 198.18.0.2.
 */
class TapDriverLiveTest
{
    private static final int KERNEL_IP = Arp.ipv4(LiveTap.KERNEL_IP);
    private static final int STACK_IP = Arp.ipv4(LiveTap.STACK_IP);
    private static final int UDP = 17;

    @BeforeEach
    void root()
    {
        RootRequirement.assumeRoot();
    }

    @Test
    void shouldReceiveTheKernelsArpRequest() throws Exception
    {
        try (LiveTap tap = new LiveTap(64))
        {
            assertEquals(Steering.NONE, tap.driver.steering());
            assertEquals(tap.stackMac, tap.driver.macAddress());
            assertTrue(tap.stackMac != tap.device.kernelMacAddress(), "our MAC must differ from the kernel's");
            assertEquals(1500, tap.driver.mtu());

            tap.triggerArpFromKernel();
            final List<String> seen = LiveTap.log();
            final PacketBuffer request = tap.awaitFrame(f -> Arp.isRequestFor(f, STACK_IP), 5_000, seen);
            assertNotNull(request, "no ARP request for " + LiveTap.STACK_IP + "; other frames: " + seen);
            try
            {
                assertEquals(MacAddresses.BROADCAST, Arp.ethDst(request));
                assertEquals(tap.device.kernelMacAddress(), Arp.ethSrc(request));
                assertEquals(tap.device.kernelMacAddress(), Arp.senderMac(request));
                assertEquals(KERNEL_IP, Arp.senderIp(request));
                assertEquals(LiveTap.IF_INDEX, request.ifIndex());
                assertEquals(BufferPool.DEFAULT_HEADROOM, request.offset(), "frame read into the headroom offset");
                assertTrue(tap.driver.rxFrames() >= 1);
                assertTrue(tap.driver.rxBytes() >= Arp.FRAME_LENGTH);
            }
            finally
            {
                request.release();
            }
            assertEquals(0, tap.driver.errors());
            assertEquals(64, tap.pool.available(), "every buffer back in the pool");
        }
    }

    @ParameterizedTest(name = "offloads {0}")
    @ValueSource(booleans = {false, true})
    void shouldTeachTheKernelOurMacByAnsweringItsArpRequest(final boolean offloads) throws Exception
    {
        try (LiveTap tap = new LiveTap(64, offloads))
        {
            final long kernelMac = tap.device.kernelMacAddress();
            tap.triggerArpFromKernel();
            final List<String> seen = LiveTap.log();
            final PacketBuffer request = tap.awaitFrame(f -> Arp.isRequestFor(f, STACK_IP), 5_000, seen);
            assertNotNull(request, "no ARP request; other frames: " + seen);
            request.release();

            final PacketBuffer reply = Arp.write(tap.pool.acquire(), kernelMac, Arp.OP_REPLY, tap.stackMac, STACK_IP,
                kernelMac, KERNEL_IP);
            tap.driver.transmit(reply);
            assertEquals(1, tap.driver.flush());
            assertEquals(1, tap.driver.txFrames());
            assertEquals(Arp.FRAME_LENGTH, tap.driver.txBytes());

            // The datagram the kernel queued while resolving now comes to our MAC.
            final PacketBuffer datagram = tap.awaitFrame(
                f -> Arp.ethDst(f) == tap.stackMac && Arp.isIpv4To(f, UDP, STACK_IP), 5_000, seen);
            assertNotNull(datagram, "no UDP datagram to our MAC after the ARP reply; other frames: " + seen);
            assertEquals(kernelMac, Arp.ethSrc(datagram));
            datagram.release();

            final ExecResult neigh = tap.ns.exec("ip", "neigh", "show", LiveTap.STACK_IP, "dev", tap.device.name())
                .checkOk();
            assertTrue(neigh.stdout().contains("lladdr " + MacAddresses.toString(tap.stackMac)),
                "kernel neighbour entry should carry our MAC: " + neigh.stdout());
            assertTrue(!neigh.stdout().contains("FAILED") && !neigh.stdout().contains("INCOMPLETE"), neigh.stdout());
            assertEquals(0, tap.driver.txDrops());
            assertEquals(0, tap.driver.errors());
            assertEquals(64, tap.pool.available());
        }
    }

    @Test
    void shouldWakeTheWaiterWhenTheTapBecomesReadable() throws Exception
    {
        try (LiveTap tap = new LiveTap(16))
        {
            final long idleStart = System.nanoTime();
            tap.waiter.await(50_000_000L);
            assertTrue(System.nanoTime() - idleStart >= 40_000_000L, "idle TAP must not wake the waiter");

            tap.triggerArpFromKernel();
            final long start = System.nanoTime();
            tap.waiter.await(10_000_000_000L);
            final long elapsedMs = (System.nanoTime() - start) / 1_000_000L;
            assertTrue(elapsedMs < 5_000, "await should return when the kernel writes to the TAP, took " + elapsedMs);
            final int[] frames = new int[1];
            final FrameHandler count = f ->
            {
                frames[0]++;
                f.release();
            };
            assertTrue(tap.driver.receive(tap.pool, count, 16) >= 1, "a frame must be pending after the wake-up");
        }
    }

    @Test
    void shouldCountAnEmptyPoolAsADropAndLeaveTheFrameQueued() throws Exception
    {
        try (LiveTap tap = new LiveTap(1))
        {
            tap.triggerArpFromKernel();
            tap.waiter.await(5_000_000_000L);
            final PacketBuffer held = tap.pool.acquire();
            final FrameHandler release = PacketBuffer::release;
            assertEquals(0, tap.driver.receive(tap.pool, release, 8));
            assertEquals(1, tap.driver.rxDrops());
            held.release();
            assertTrue(tap.driver.receive(tap.pool, release, 8) >= 1, "the frame waited in the kernel queue");
            assertEquals(1, tap.pool.available());
        }
    }

    @ParameterizedTest(name = "offloads {0}")
    @ValueSource(booleans = {false, true})
    void shouldNotAllocateWhileReceivingTransmittingAndWaiting(final boolean offloads) throws Exception
    {
        try (LiveTap tap = new LiveTap(256, offloads))
        {
            // Each ARP request we send makes the kernel send a reply: real traffic on both paths.
            final int[] received = new int[1];
            final FrameHandler handler = new CountingHandler(received);
            final long kernelMac = tap.device.kernelMacAddress();
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

            runHotLoop(tap, handler, kernelMac, 20_000);
            final long before = threads.getCurrentThreadAllocatedBytes();
            runHotLoop(tap, handler, kernelMac, 20_000);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertTrue(received[0] > 10_000, "the kernel should have answered most requests, got " + received[0]);
            assertTrue(allocated < 20_000, "hot paths allocated " + allocated + " bytes in 20000 iterations");
            assertEquals(0, tap.driver.errors());
        }
    }

    private static void runHotLoop(final LiveTap tap, final FrameHandler handler, final long kernelMac, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            final PacketBuffer request = tap.pool.acquire();
            Arp.write(request, MacAddresses.BROADCAST, Arp.OP_REQUEST, tap.stackMac, STACK_IP, 0L, KERNEL_IP);
            tap.driver.transmit(request);
            tap.driver.flush();
            tap.waiter.wake();
            tap.waiter.await(1_000_000L);
            tap.driver.receive(tap.pool, handler, 16);
        }
        tap.waiter.await(0);
        tap.driver.receive(tap.pool, handler, 1024);
    }

    /** Counts and releases; a class rather than a capturing lambda so nothing is allocated per call. */
    private static final class CountingHandler implements FrameHandler
    {
        private final int[] count;

        CountingHandler(final int[] count)
        {
            this.count = count;
        }

        @Override
        public void onFrame(final PacketBuffer frame)
        {
            count[0]++;
            frame.release();
        }
    }

    @Test
    void shouldFailForGoodWhenTheKernelSidesNamespaceIsDeleted() throws Exception
    {
        try (LiveTap tap = new LiveTap(16))
        {
            tap.ns.close();
            assertGone(tap);
        }
    }

    @Test
    void shouldFailForGoodWhenTheTapIsDeleted() throws Exception
    {
        try (LiveTap tap = new LiveTap(16))
        {
            tap.ns.exec("ip", "link", "del", tap.device.name()).checkOk();
            assertGone(tap);
        }
    }

    /**
     * A gone TAP (measured: poll says POLLERR, read and write fail with EBADFD, for good) fails the driver at the
     * first read; out of the waiter's set, the descriptor no longer wakes it, and nothing is written.
     */
    private static void assertGone(final LiveTap tap)
    {
        final FrameHandler drop = PacketBuffer::release;
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (tap.driver.failure() == 0 && System.nanoTime() < deadline)
        {
            if (tap.driver.receive(tap.pool, drop, 16) == 0)
            {
                tap.waiter.await(100_000_000L);
            }
        }
        assertEquals(Linux.EBADFD, tap.driver.failure(), "a gone TAP fails with EBADFD");
        assertEquals(0, tap.driver.receive(tap.pool, drop, 16), "not read again");

        tap.waiter.remove(tap.driver.waitHandle());
        final long t0 = System.nanoTime();
        tap.waiter.await(200_000_000L);
        final long blockedMs = (System.nanoTime() - t0) / 1_000_000L;
        assertTrue(blockedMs >= 150, "the waiter blocks again once the descriptor is removed: " + blockedMs + " ms");

        tap.driver.transmit(Arp.write(tap.pool.acquire(), MacAddresses.BROADCAST, Arp.OP_REQUEST, tap.stackMac,
            STACK_IP, 0L, KERNEL_IP));
        assertEquals(0, tap.driver.flush());
        assertEquals(1, tap.driver.txDrops());
        assertEquals(16, tap.pool.available(), "every buffer back in the pool");
    }

    @Test
    void shouldCountWritesWhileTheKernelSideIsDownWithoutFailing() throws Exception
    {
        try (LiveTap tap = new LiveTap(16))
        {
            tap.ns.exec("ip", "link", "set", tap.device.name(), "down").checkOk();
            tap.driver.transmit(Arp.write(tap.pool.acquire(), MacAddresses.BROADCAST, Arp.OP_REQUEST, tap.stackMac,
                STACK_IP, 0L, KERNEL_IP));
            assertEquals(0, tap.driver.flush());
            assertEquals(1, tap.driver.txLinkDown(), "EIO while the kernel side is down");
            assertEquals(0, tap.driver.failure(), "a down kernel side is transient");

            tap.ns.exec("ip", "link", "set", tap.device.name(), "up").checkOk();
            tap.driver.transmit(Arp.write(tap.pool.acquire(), MacAddresses.BROADCAST, Arp.OP_REQUEST, tap.stackMac,
                STACK_IP, 0L, KERNEL_IP));
            assertEquals(1, tap.driver.flush());
            assertEquals(16, tap.pool.available());
        }
    }
}
