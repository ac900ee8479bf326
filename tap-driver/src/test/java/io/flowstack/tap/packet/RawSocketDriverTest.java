package io.flowstack.tap.packet;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.tap.MacAddresses;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Arp;
import io.flowstack.tap.testing.LiveTap;
import io.flowstack.tap.testing.LiveVeth;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.flowstack.tap.packet.PacketAbi.ENODEV;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AF_PACKET driver against the Linux kernel's own stack over a veth pair: the kernel's end is 198.18.0.1/24 in
 * one namespace, our socket sits on the other end in a second namespace that has no address, and we pretend to be
 * 198.18.0.2.
 */
class RawSocketDriverTest
{
    private static final int KERNEL_IP = Arp.ipv4(LiveTap.KERNEL_IP);
    private static final int STACK_IP = Arp.ipv4(LiveTap.STACK_IP);
    private static final int UDP = 17;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    @BeforeEach
    void root()
    {
        RootRequirement.assumeRoot();
    }

    private static PacketDevice.Config config(final int members)
    {
        return PacketDevice.Config.defaults("unused", members).withLinkListener(null);
    }

    @Test
    void shouldRefuseAMissingInterfaceWithOneLine()
    {
        final IOException e = assertThrows(IOException.class, () -> PacketDevice.open("fstnosuch0", 1));
        assertEquals("no interface named fstnosuch0 in this network namespace", e.getMessage());
    }

    @Test
    void shouldReceiveTheKernelsArpRequestAndTeachItOurMac() throws Exception
    {
        try (LiveVeth veth = new LiveVeth(config(1), 64))
        {
            final RawSocketDriver driver = veth.drivers[0];
            assertEquals(Steering.NONE, driver.steering());
            assertEquals(1500, driver.mtu());
            assertEquals(-1, veth.device.fanoutGroup());
            assertTrue(veth.stackMac != veth.device.interfaceMac(), "our MAC must differ from the interface's");

            veth.triggerArpFromKernel();
            final List<String> seen = new ArrayList<>();
            final PacketBuffer request = veth.awaitFrame(0, f -> Arp.isRequestFor(f, STACK_IP), 5_000, seen);
            assertNotNull(request, "no ARP request for " + LiveTap.STACK_IP + "; other frames: " + seen);
            assertEquals(MacAddresses.BROADCAST, Arp.ethDst(request));
            assertEquals(veth.kernelMac, Arp.senderMac(request));
            assertEquals(KERNEL_IP, Arp.senderIp(request));
            assertEquals(LiveVeth.IF_INDEX, request.ifIndex());
            assertEquals(BufferPool.DEFAULT_HEADROOM, request.offset());
            request.release();

            final PacketBuffer reply = Arp.write(veth.pools[0].acquire(), veth.kernelMac, Arp.OP_REPLY, veth.stackMac,
                STACK_IP, veth.kernelMac, KERNEL_IP);
            driver.transmit(reply);
            assertEquals(1, driver.flush());
            assertEquals(1, driver.txFrames());
            assertEquals(1, driver.txCalls());
            assertEquals(Arp.FRAME_LENGTH, driver.txBytes());

            // The datagram the kernel queued while resolving comes to our MAC, with its UDP checksum completed.
            final PacketBuffer datagram = veth.awaitFrame(0,
                f -> Arp.ethDst(f) == veth.stackMac && Arp.isIpv4To(f, UDP, STACK_IP), 5_000, seen);
            assertNotNull(datagram, "no UDP datagram to our MAC after the ARP reply; other frames: " + seen);
            assertEquals(veth.kernelMac, Arp.ethSrc(datagram));
            assertTrue(udpChecksumVerifies(datagram), "UDP checksum of a veth frame must verify after completion");
            assertTrue(driver.rxChecksumsCompleted() >= 1, "the veth peer sends partial checksums");
            assertTrue(driver.rxHashed() >= 1 && driver.lastRxHash() != 0, "the kernel's rxhash is reported");
            datagram.release();

            final ExecResult neigh = veth.veth.kernelNs().exec("ip", "neigh", "show", LiveTap.STACK_IP).checkOk();
            assertTrue(neigh.stdout().contains("lladdr " + MacAddresses.toString(veth.stackMac)),
                "kernel neighbour entry should carry our MAC: " + neigh.stdout());
            assertEquals(0, driver.errors());
            assertEquals(0, driver.txDrops());
            assertEquals(64, veth.pools[0].available(), "every buffer back in the pool");
            assertEquals(0, veth.device.kernelStatistics(0)[1], "no drops in the kernel");
        }
    }

    private static boolean udpChecksumVerifies(final PacketBuffer frame)
    {
        final int ip = frame.offset() + Arp.ETH_HLEN;
        final int ihl = (frame.buffer().getByte(ip) & 0x0F) * 4;
        final int total = frame.buffer().getShort(ip + 2, BE) & 0xFFFF;
        final int udpLength = total - ihl;
        final long pseudo = InternetChecksum.pseudoHeaderIpv4(frame.buffer().getInt(ip + 12, BE),
            frame.buffer().getInt(ip + 16, BE), UDP, udpLength);
        return InternetChecksum.fold(InternetChecksum.partial(frame.buffer(), ip + ihl, udpLength, pseudo)) == 0;
    }

    @Test
    void shouldKeepEveryFlowOnOneFanoutMember() throws Exception
    {
        // 256 small blocks: each retires after 1 ms however empty, so 16 would hold only 16 ms of a slow burst.
        try (LiveVeth veth = new LiveVeth(config(2).withRing(PacketDevice.Config.MIN_BLOCK_SIZE, 256), 1024))
        {
            assertEquals(2, veth.device.queues());
            assertEquals(Steering.HASHED, veth.device.steering());
            assertTrue(veth.device.fanoutGroup() >= 0);
            final NetNs kernel = veth.veth.kernelNs();
            kernel.exec("ip", "neigh", "replace", LiveTap.STACK_IP, "lladdr", MacAddresses.toString(veth.stackMac),
                "dev", veth.veth.ifName(), "nud", "permanent").checkOk();

            final int flows = 200;
            final int perFlow = 3;
            // Read while the kernel sends, as a stack would: a ring nobody reads fills with retired blocks.
            final CompletableFuture<Void> sent = CompletableFuture.runAsync(() ->
            {
                try
                {
                    sendUdpFlows(kernel, flows, perFlow);
                }
                catch (final IOException e)
                {
                    throw new UncheckedIOException(e);
                }
            });

            // Source port -> member, and source port -> kernel hash, from every datagram to us.
            final Map<Integer, Set<Integer>> membersOfPort = new HashMap<>();
            final Map<Integer, Set<Integer>> hashesOfPort = new HashMap<>();
            final int[] datagrams = new int[2];
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (datagrams[0] + datagrams[1] < flows * perFlow && System.nanoTime() < deadline)
            {
                int got = 0;
                for (int m = 0; m < 2; m++)
                {
                    final int member = m;
                    final RawSocketDriver driver = veth.drivers[m];
                    got += driver.receive(veth.pools[m], frame ->
                    {
                        if (Arp.isIpv4To(frame, UDP, STACK_IP))
                        {
                            final int port = frame.buffer().getShort(frame.offset() + Arp.ETH_HLEN + 20, BE) & 0xFFFF;
                            membersOfPort.computeIfAbsent(port, p -> new HashSet<>()).add(member);
                            hashesOfPort.computeIfAbsent(port, p -> new HashSet<>()).add(driver.lastRxHash());
                            datagrams[member]++;
                        }
                        frame.release();
                    }, 256);
                }
                if (got == 0)
                {
                    veth.waiters[0].await(2_000_000L);
                }
            }
            sent.get(5, TimeUnit.SECONDS);
            System.out.println("fanout hash: member 0 got " + datagrams[0] + " datagrams, member 1 got " + datagrams[1]);
            assertEquals(flows * perFlow, datagrams[0] + datagrams[1], "every datagram arrives exactly once");
            assertEquals(flows, membersOfPort.size());
            int onMember0 = 0;
            for (final Map.Entry<Integer, Set<Integer>> e : membersOfPort.entrySet())
            {
                assertEquals(1, e.getValue().size(), "flow from port " + e.getKey() + " split over " + e.getValue());
                assertEquals(1, hashesOfPort.get(e.getKey()).size(), "one kernel hash per flow");
                onMember0 += e.getValue().contains(0) ? 1 : 0;
            }
            assertTrue(onMember0 > 40 && onMember0 < 160, "both members get flows: " + onMember0 + " of " + flows);
            assertEquals(0, veth.device.discardedAtSetup());
        }
    }

    private static void sendUdpFlows(final NetNs ns, final int flows, final int perFlow) throws IOException
    {
        ns.callInside(() ->
        {
            final InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(LiveTap.STACK_IP), 7);
            final List<DatagramSocket> sockets = new ArrayList<>();
            try
            {
                for (int i = 0; i < flows; i++)
                {
                    sockets.add(new DatagramSocket(new InetSocketAddress(InetAddress.getByName(LiveTap.KERNEL_IP), 0)));
                }
                final byte[] data = new byte[64];
                for (int round = 0; round < perFlow; round++)
                {
                    for (final DatagramSocket s : sockets)
                    {
                        s.send(new DatagramPacket(data, data.length, target));
                    }
                }
            }
            finally
            {
                for (final DatagramSocket s : sockets)
                {
                    s.close();
                }
            }
            return null;
        });
    }

    @Test
    void shouldNotReadBackOurOwnTransmissions() throws Exception
    {
        try (LiveVeth veth = new LiveVeth(config(2), 256))
        {
            assertTrue(veth.drivers[0].ignoresOutgoingInKernel(), "kernel 4.20+ honours PACKET_IGNORE_OUTGOING");
            final int requests = 200;
            for (int i = 0; i < requests; i++)
            {
                // Alternate members: member 1's frames are outgoing for member 0 too.
                final int m = i & 1;
                veth.drivers[m].transmit(Arp.write(veth.pools[m].acquire(), MacAddresses.BROADCAST, Arp.OP_REQUEST,
                    veth.stackMac, STACK_IP, 0L, KERNEL_IP));
                if ((i & 15) == 15)
                {
                    veth.drivers[0].flush();
                    veth.drivers[1].flush();
                }
            }
            veth.drivers[0].flush();
            veth.drivers[1].flush();
            assertEquals(requests, veth.drivers[0].txFrames() + veth.drivers[1].txFrames());

            final int[] ours = new int[1];
            final int[] replies = new int[1];
            final long deadline = System.nanoTime() + 3_000_000_000L;
            while (replies[0] < requests && System.nanoTime() < deadline)
            {
                int got = 0;
                for (int m = 0; m < 2; m++)
                {
                    got += veth.drivers[m].receive(veth.pools[m], frame ->
                    {
                        if (Arp.ethSrc(frame) == veth.stackMac)
                        {
                            ours[0]++;
                        }
                        else if (Arp.etherType(frame) == Arp.ETHERTYPE_ARP)
                        {
                            replies[0]++;
                        }
                        frame.release();
                    }, 256);
                }
                if (got == 0)
                {
                    veth.waiters[0].await(2_000_000L);
                }
            }
            assertEquals(requests, replies[0], "the kernel answered every request");
            assertEquals(0, ours[0], "our own frames were read back");
            assertEquals(0, veth.drivers[0].rxOutgoingSkipped() + veth.drivers[1].rxOutgoingSkipped());
        }
    }

    @Test
    void shouldWaitForAnInterfaceThatGoesDownAndNoticeItsReturn() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        final PacketDevice.Config cfg = config(1).withLinkListener((ifName, up, detail) -> events.add(up ? "up" : "down"));
        try (LiveVeth veth = new LiveVeth(cfg, 64))
        {
            final RawSocketDriver driver = veth.drivers[0];
            final FrameHandler drop = PacketBuffer::release;
            veth.veth.setLink(true, false);

            // The core's loop: receive, and block on epoll when there is nothing. ENETDOWN is read off the socket,
            // after which epoll blocks again instead of reporting POLLERR forever.
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (!driver.isLinkDown() && System.nanoTime() < deadline)
            {
                if (driver.receive(veth.pools[0], drop, 64) == 0)
                {
                    veth.waiters[0].await(100_000_000L);
                }
            }
            assertTrue(driver.isLinkDown(), "the driver noticed the interface going down");
            // Announced at the first probe, 10 ms later, once it is clear the interface still exists.
            deadline = System.nanoTime() + 3_000_000_000L;
            while (events.isEmpty() && System.nanoTime() < deadline)
            {
                driver.receive(veth.pools[0], drop, 64);
                veth.waiters[0].await(Math.max(1, Math.min(100_000_000L, driver.nextDeadline() - System.nanoTime())));
            }
            assertEquals(List.of("down"), events);
            assertEquals(0, driver.failure(), "a down interface is transient");

            final PacketBuffer lost = Arp.write(veth.pools[0].acquire(), MacAddresses.BROADCAST, Arp.OP_REQUEST,
                veth.stackMac, STACK_IP, 0L, KERNEL_IP);
            driver.transmit(lost);
            assertEquals(0, driver.flush());
            assertEquals(1, driver.txLinkDown());

            int wakeUps = 0;
            final long idleStart = System.nanoTime();
            while (System.nanoTime() - idleStart < 1_000_000_000L)
            {
                driver.receive(veth.pools[0], drop, 64);
                veth.waiters[0].await(100_000_000L);
                wakeUps++;
            }
            assertTrue(wakeUps <= 15, "a down interface must not keep the core awake: " + wakeUps + " wake-ups in 1 s");

            veth.veth.setLink(true, true);
            deadline = System.nanoTime() + 3_000_000_000L;
            while (driver.isLinkDown() && System.nanoTime() < deadline)
            {
                driver.receive(veth.pools[0], drop, 64);
                veth.waiters[0].await(100_000_000L);
            }
            assertFalse(driver.isLinkDown(), "the driver noticed the interface coming back");
            assertEquals(List.of("down", "up"), events);
            assertEquals(1, driver.linkDownEvents());

            veth.triggerArpFromKernel();
            final PacketBuffer request = veth.awaitFrame(0, f -> Arp.isRequestFor(f, STACK_IP), 5_000, new ArrayList<>());
            assertNotNull(request, "frames flow again on the same socket after the interface came back");
            request.release();
            assertEquals(64, veth.pools[0].available());
        }
    }

    @Test
    void shouldNotAllocateWhileReceivingAndTransmitting() throws Exception
    {
        try (LiveVeth veth = new LiveVeth(config(1), 512))
        {
            final int[] received = new int[1];
            final FrameHandler handler = new CountingHandler(received);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

            runHotLoop(veth, handler, 10_000, received);
            final long overheadStart = threads.getCurrentThreadAllocatedBytes();
            final long overhead = threads.getCurrentThreadAllocatedBytes() - overheadStart;
            final int receivedBefore = received[0];
            final long before = threads.getCurrentThreadAllocatedBytes();
            final long sent = runHotLoop(veth, handler, 10_000, received);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before - overhead;

            System.out.println("raw socket hot loop: sent " + sent + ", received " + (received[0] - receivedBefore)
                + " in " + veth.drivers[0].rxBlocks() + " blocks in total, allocated " + allocated + " bytes");
            assertTrue(received[0] - receivedBefore >= 10_000, "the kernel answered, got " + (received[0] - receivedBefore));
            assertTrue(allocated < 1024, "hot paths allocated " + allocated + " bytes over 10,000 frames each way");
            assertEquals(0, veth.drivers[0].errors());
        }
    }

    /**
     * Sends ARP requests for the kernel's address in batches of 16 and reads the kernel's replies until
     * {@code frames} replies have come back.
     */
    private static long runHotLoop(final LiveVeth veth, final FrameHandler handler, final int frames,
        final int[] received)
    {
        final RawSocketDriver driver = veth.drivers[0];
        final BufferPool pool = veth.pools[0];
        final int target = received[0] + frames;
        long sent = 0;
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (received[0] < target && System.nanoTime() < deadline)
        {
            if (sent - (received[0] - (target - frames)) < 256)
            {
                for (int i = 0; i < 16; i++)
                {
                    final PacketBuffer request = pool.acquire();
                    if (request == null)
                    {
                        break;
                    }
                    Arp.write(request, veth.kernelMac, Arp.OP_REQUEST, veth.stackMac, STACK_IP, 0L, KERNEL_IP);
                    driver.transmit(request);
                }
                sent += driver.flush();
            }
            if (driver.receive(pool, handler, 256) == 0)
            {
                veth.waiters[0].await(1_000_000L);
            }
        }
        return sent;
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
    void shouldFailForGoodWhenTheVethIsDeletedWithoutCallingItDown() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        final PacketDevice.Config cfg = config(1).withLinkListener((ifName, up, detail) -> events.add(up ? "up" : "down"));
        try (LiveVeth veth = new LiveVeth(cfg, 64))
        {
            final RawSocketDriver driver = veth.drivers[0];
            final FrameHandler drop = PacketBuffer::release;
            // Deleting the kernel's end deletes the pair (measured: ENETDOWN once on the socket, then ENXIO on
            // sends, and SIOCGIFNAME by the old index: ENODEV).
            veth.veth.kernelNs().exec("ip", "link", "del", veth.device.name()).checkOk();
            final long t0 = System.nanoTime();
            final long deadline = t0 + 3_000_000_000L;
            int wakeUps = 0;
            while (driver.failure() == 0 && System.nanoTime() < deadline)
            {
                if (driver.receive(veth.pools[0], drop, 64) == 0)
                {
                    veth.waiters[0].await(Math.max(1, Math.min(100_000_000L, driver.nextDeadline() - System.nanoTime())));
                    wakeUps++;
                }
            }
            final long ms = (System.nanoTime() - t0) / 1_000_000L;
            assertEquals(ENODEV, driver.failure(), "a deleted interface fails the driver");
            assertTrue(ms < 1000, "noticed within the first probes: " + ms + " ms, " + wakeUps + " wake-ups");
            assertEquals(List.of(), events, "no 'went down' line for an interface that is gone");
            assertEquals(Long.MAX_VALUE, driver.nextDeadline(), "no more probes");

            driver.transmit(Arp.write(veth.pools[0].acquire(), MacAddresses.BROADCAST, Arp.OP_REQUEST, veth.stackMac,
                STACK_IP, 0L, KERNEL_IP));
            assertEquals(0, driver.flush());
            assertEquals(0, driver.receive(veth.pools[0], drop, 64));
            assertEquals(64, veth.pools[0].available(), "every buffer back in the pool");
        }
    }
}
