package io.flowstack.tcp;

import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.ArpRepr;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.EthernetRepr;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.Ipv4Repr;
import io.flowstack.ip.wire.UdpFlyweight;
import io.flowstack.ip.wire.UdpRepr;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four cores on one in-memory queue: core 0 reads every frame and forwards what it does not own. Every flow must
 * be processed by its owner and only once, nothing lost while the rings have room, and ring overflow counted.
 */
class MultiCoreDispatchTest
{
    private static final long STACK_MAC = 0x02_00_00_00_00_02L;
    private static final long PEER_MAC = 0x02_00_00_00_00_01L;
    private static final int STACK_IP = Ipv4Flyweight.parseAddress("198.18.0.2");
    private static final int PEER_IP = Ipv4Flyweight.parseAddress("198.18.0.1");
    private static final int CORES = 4;

    /** What each core's echo application saw: (core, source port) per datagram. */
    private final ConcurrentLinkedQueue<long[]> seen = new ConcurrentLinkedQueue<>();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[2048]);

    private FlowStack build(final MemoryDriver driver, final int ringCapacity) throws IOException
    {
        return FlowStack.builder()
            .cores(CORES)
            .rssKey(ToeplitzHash.microsoftKey())
            .ringCapacity(ringCapacity)
            .poolSlots(256)
            .addInterface(new IpInterface(0, STACK_MAC, STACK_IP, 24, 1500, 0), NetworkDevice.shared(driver))
            .onEachCore(core -> core.bindUdp(7, (ep, src, srcPort, buf, off, len) ->
            {
                seen.add(new long[]{core.coreId(), srcPort});
                ep.send(src, srcPort, buf, off, len);
            }))
            .build();
    }

    private void injectArp(final MemoryDriver driver)
    {
        injectArpFrom(driver, PEER_IP);
    }

    private void injectArpFrom(final MemoryDriver driver, final int senderIp)
    {
        final int n = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;
        new EthernetRepr(EthernetFlyweight.BROADCAST, PEER_MAC, EthernetFlyweight.TYPE_ARP)
            .emit(new EthernetFlyweight().wrap(scratch, 0, n));
        new ArpRepr(ArpFlyweight.OP_REQUEST, PEER_MAC, senderIp, 0, STACK_IP)
            .emit(new ArpFlyweight().wrap(scratch, EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH));
        assertTrue(driver.inject(scratch, 0, n));
    }

    private void injectUdp(final MemoryDriver driver, final int sourcePort)
    {
        injectUdpTo(driver, sourcePort, 7);
    }

    private static void runAll(final FlowStack stack)
    {
        int idle = 0;
        while (idle < 3)
        {
            int work = 0;
            for (int c = 0; c < stack.cores(); c++)
            {
                work += stack.engine(c).doWork();
            }
            idle = work == 0 ? idle + 1 : 0;
        }
    }

    private static long echoes(final MemoryDriver driver)
    {
        final AtomicLong udp = new AtomicLong();
        driver.drainTransmitted((type, buf, index, length) ->
        {
            if (length > 14 && buf.getShort(index + 12, java.nio.ByteOrder.BIG_ENDIAN) == EthernetFlyweight.TYPE_IPV4)
            {
                udp.incrementAndGet();
            }
        }, Integer.MAX_VALUE);
        return udp.get();
    }

    private static long sum(final FlowStack stack, final String counter)
    {
        long total = 0;
        for (int c = 0; c < stack.cores(); c++)
        {
            total += stack.ip(c).counters().get(counter);
        }
        return total;
    }

    private void assertOwnedOnce(final FlowStack stack, final int flows)
    {
        final FlowOwnership ownership = stack.ownership();
        final Set<Long> ports = new HashSet<>();
        final int[] perCore = new int[CORES];
        for (final long[] s : seen)
        {
            final int core = (int)s[0];
            final int port = (int)s[1];
            assertTrue(ports.add((long)port), "flow from port " + port + " processed twice");
            assertEquals(ownership.ownerOfFlow(0, Ipv4Flyweight.PROTO_UDP, PEER_IP, STACK_IP, port, 7), core,
                "flow from port " + port + " processed by core " + core + ", not its owner");
            perCore[core]++;
        }
        assertEquals(flows, ports.size());
        for (int c = 0; c < CORES; c++)
        {
            assertTrue(perCore[c] > flows / CORES / 2, "core " + c + " owns only " + perCore[c] + " of " + flows);
        }
    }

    private static void assertNoBufferLost(final FlowStack stack)
    {
        for (int c = 0; c < stack.cores(); c++)
        {
            final var pool = stack.engine(c).pool();
            pool.drainReturns();
            assertEquals(pool.capacity(), pool.available(), "core " + c + " lost buffers");
        }
    }

    @Test
    void shouldProcessEveryFlowOnItsOwnerExactlyOnce() throws Exception
    {
        final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 23);
        try (FlowStack stack = build(driver, 1024))
        {
            for (int c = 0; c < CORES; c++)
            {
                stack.engine(c).start();
            }
            injectArp(driver);
            runAll(stack);
            echoes(driver);
            final int flows = 5000;
            for (int i = 0; i < flows; i++)
            {
                injectUdp(driver, 1024 + i);
            }
            runAll(stack);
            assertEquals(flows, echoes(driver), "every datagram echoed");
            assertOwnedOnce(stack, flows);
            assertEquals(0, sum(stack, "engine.ring_drops"));
            final long notOwnedByReader = seen.stream().filter(s -> s[0] != 0).count();
            assertEquals(notOwnedByReader, stack.ip(0).counters().get("engine.forwarded_out"));
            assertEquals(notOwnedByReader, sum(stack, "engine.forwarded_in"));
            assertNoBufferLost(stack);
        }
    }

    @Test
    void shouldCountRingOverflowAndLoseOnlyWhatOverflowed() throws Exception
    {
        final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 23);
        try (FlowStack stack = build(driver, 8))
        {
            for (int c = 0; c < CORES; c++)
            {
                stack.engine(c).start();
            }
            injectArp(driver);
            runAll(stack);
            echoes(driver);
            final int flows = 2000;
            for (int i = 0; i < flows; i++)
            {
                injectUdp(driver, 1024 + i);
            }
            // Only the reading core runs: each ring to the three others fills at 8 frames, the rest overflow.
            for (int i = 0; i < 100; i++)
            {
                stack.engine(0).doWork();
            }
            final CounterSet reader = stack.ip(0).counters();
            final long drops = reader.get("engine.ring_drops");
            assertEquals(3 * 8, reader.get("engine.forwarded_out"));
            runAll(stack);
            final long echoed = echoes(driver);
            assertEquals(flows - drops, echoed, "exactly the overflowed frames are lost");
            assertEquals(seen.size(), echoed);
            assertNoBufferLost(stack);
        }
    }

    @Test
    void shouldDispatchOnRealThreads() throws Exception
    {
        final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 23);
        try (FlowStack stack = build(driver, 1024).start())
        {
            injectArp(driver);
            Thread.sleep(100);
            echoes(driver);
            final int flows = 4000;
            long echoed = 0;
            final List<Integer> burst = new ArrayList<>();
            for (int i = 0; i < flows; i++)
            {
                injectUdp(driver, 1024 + i);
                burst.add(i);
                if (burst.size() == 200)
                {
                    final long target = echoed + burst.size();
                    final long deadline = System.nanoTime() + 10_000_000_000L;
                    while (echoed < target && System.nanoTime() < deadline)
                    {
                        echoed += echoes(driver);
                        Thread.onSpinWait();
                    }
                    burst.clear();
                }
            }
            assertEquals(flows, echoed);
            assertEquals(0, sum(stack, "engine.ring_drops"));
            assertOwnedOnce(stack, flows);
        }
    }

    @Test
    void shouldRunDifferentProtocolSetsPerCore() throws Exception
    {
        // Core 1 takes hashed ICMP only, plus UDP port 53 by rule; everything else UDP stays on core 0.
        final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 23);
        try (FlowStack stack = FlowStack.builder()
            .cores(2)
            .rssKey(ToeplitzHash.microsoftKey())
            .protocols(1, 1 << FlowOwnership.CLASS_ICMP)
            .steer(io.flowstack.core.flow.SteeringRule.parse("udp:53@1"))
            .addInterface(new IpInterface(0, STACK_MAC, STACK_IP, 24, 1500, 0), NetworkDevice.shared(driver))
            .onEachCore(core ->
            {
                core.bindUdp(7, (ep, src, srcPort, buf, off, len) ->
                {
                    seen.add(new long[]{core.coreId(), 7});
                    ep.send(src, srcPort, buf, off, len);
                });
                core.bindUdp(53, (ep, src, srcPort, buf, off, len) ->
                {
                    seen.add(new long[]{core.coreId(), 53});
                    ep.send(src, srcPort, buf, off, len);
                });
            })
            .build())
        {
            stack.engine(0).start();
            stack.engine(1).start();
            injectArp(driver);
            for (int k = 0; k < 200; k++)
            {
                injectArpFrom(driver, PEER_IP + 10 + k);
            }
            runAll(stack);
            echoes(driver);
            for (int i = 0; i < 300; i++)
            {
                injectUdpTo(driver, 2000 + i, 7);
                injectUdpTo(driver, 2000 + i, 53);
                injectPing(driver, i);
            }
            runAll(stack);
            assertEquals(900, echoes(driver));
            final long port7OnCore1 = seen.stream().filter(s -> s[1] == 7 && s[0] == 1).count();
            final long port53OnCore1 = seen.stream().filter(s -> s[1] == 53 && s[0] == 1).count();
            assertEquals(0, port7OnCore1, "core 1 takes no hashed UDP");
            assertEquals(300, port53OnCore1, "UDP 53 is steered to core 1");
            final long pings0 = stack.ip(0).counters().get("icmp.tx.echo_replies");
            final long pings1 = stack.ip(1).counters().get("icmp.tx.echo_replies");
            assertEquals(300, pings0 + pings1);
            assertTrue(pings1 > 0, "core 1 takes hashed ICMP");
        }
    }

    private void injectUdpTo(final MemoryDriver driver, final int sourcePort, final int destinationPort)
    {
        final int udpLength = UdpFlyweight.HEADER_LENGTH + 16;
        final int total = Ipv4Flyweight.MIN_HEADER_LENGTH + udpLength;
        final int n = EthernetFlyweight.HEADER_LENGTH + total;
        new EthernetRepr(STACK_MAC, PEER_MAC, EthernetFlyweight.TYPE_IPV4).emit(new EthernetFlyweight().wrap(scratch, 0, n));
        scratch.putInt(42, sourcePort);
        new UdpRepr(sourcePort, destinationPort, udpLength).emit(new UdpFlyweight().wrap(scratch, 34, udpLength), PEER_IP, STACK_IP);
        new Ipv4Repr(0, total, sourcePort, 0, 64, Ipv4Flyweight.PROTO_UDP, PEER_IP, STACK_IP)
            .emit(new Ipv4Flyweight().wrap(scratch, 14, total));
        assertTrue(driver.inject(scratch, 0, n), "memory driver ring full");
    }

    private void injectPing(final MemoryDriver driver, final int i)
    {
        // Different sources so that ICMP (hashed on addresses) spreads over the cores; all on-link.
        final int source = PEER_IP + 10 + (i % 200);
        final int icmpLength = 8 + 8;
        final int total = Ipv4Flyweight.MIN_HEADER_LENGTH + icmpLength;
        final int n = EthernetFlyweight.HEADER_LENGTH + total;
        new EthernetRepr(STACK_MAC, PEER_MAC, EthernetFlyweight.TYPE_IPV4).emit(new EthernetFlyweight().wrap(scratch, 0, n));
        scratch.putLong(42, i);
        new io.flowstack.ip.wire.IcmpRepr(8, 0, i).emit(new io.flowstack.ip.wire.IcmpFlyweight().wrap(scratch, 34, icmpLength), icmpLength);
        new Ipv4Repr(0, total, i, 0, 64, Ipv4Flyweight.PROTO_ICMP, source, STACK_IP)
            .emit(new Ipv4Flyweight().wrap(scratch, 14, total));
        assertTrue(driver.inject(scratch, 0, n));
    }

    @Test
    void shouldMoveFlowsWhenTheTableIsReprogrammedWhileRunning() throws Exception
    {
        final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 23);
        try (FlowStack stack = build(driver, 1024))
        {
            for (int c = 0; c < CORES; c++)
            {
                stack.engine(c).start();
            }
            injectArp(driver);
            runAll(stack);
            echoes(driver);
            // Everything to core 3.
            final io.flowstack.core.flow.IndirectionTable all3 = new io.flowstack.core.flow.IndirectionTable(
                io.flowstack.core.flow.IndirectionTable.DEFAULT_SIZE);
            for (int b = 0; b < all3.size(); b++)
            {
                all3.set(b, 3);
            }
            assertTrue(stack.reprogram(all3));
            runAll(stack);
            for (int i = 0; i < 500; i++)
            {
                injectUdp(driver, 1024 + i);
            }
            runAll(stack);
            assertEquals(500, echoes(driver));
            assertTrue(seen.stream().allMatch(s -> s[0] == 3), "every flow moved to core 3");
        }
    }
}
