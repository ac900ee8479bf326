package io.flowstack.tcp;

import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.time.VirtualClock;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.IsnGenerator;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 with two cores on one in-memory queue: 200 UDP flows echoed, each by the core the hash over its IPv6 tuple
 * names, both cores owning flows; connections opened over IPv6 from each core get their replies on that core
 * (local ports computed for IPv6 tuples: nothing forwarded for them).
 */
class Ipv6MultiCoreTest
{
    private static final long STACK_MAC = 0x02_00_00_00_00_02L;
    private static final long PEER_MAC = 0x02_00_00_00_00_01L;
    private static final IpAddress STACK_IP6 = IpAddress.parse("2001:2::2");
    private static final IpAddress PEER_IP6 = IpAddress.parse("2001:2::1");

    private final ConcurrentLinkedQueue<long[]> seen = new ConcurrentLinkedQueue<>();

    private static void runAll(final FlowStack... stacks)
    {
        int idle = 0;
        while (idle < 3)
        {
            int work = 0;
            for (final FlowStack s : stacks)
            {
                for (int c = 0; c < s.cores(); c++)
                {
                    work += s.engine(c).doWork();
                }
            }
            idle = work == 0 ? idle + 1 : 0;
        }
    }

    private static byte[] udp6(final int sourcePort)
    {
        // A kernel peer's datagram, written out: Ethernet, IPv6, UDP with its checksum over the pseudo-header.
        final byte[] payload = ("flow " + sourcePort).getBytes();
        final byte[] f = new byte[14 + 40 + 8 + payload.length];
        final UnsafeBuffer b = new UnsafeBuffer(f);
        b.putShort(0, (short)(STACK_MAC >>> 32), ByteOrder.BIG_ENDIAN);
        b.putInt(2, (int)STACK_MAC, ByteOrder.BIG_ENDIAN);
        b.putShort(6, (short)(PEER_MAC >>> 32), ByteOrder.BIG_ENDIAN);
        b.putInt(8, (int)PEER_MAC, ByteOrder.BIG_ENDIAN);
        b.putShort(12, (short)0x86DD, ByteOrder.BIG_ENDIAN);
        b.putInt(14, 0x6000_0000, ByteOrder.BIG_ENDIAN);
        b.putShort(18, (short)(8 + payload.length), ByteOrder.BIG_ENDIAN);
        b.putByte(20, (byte)17);
        b.putByte(21, (byte)64);
        b.putBytes(22, PEER_IP6.toBytes());
        b.putBytes(38, STACK_IP6.toBytes());
        b.putShort(54, (short)sourcePort, ByteOrder.BIG_ENDIAN);
        b.putShort(56, (short)7, ByteOrder.BIG_ENDIAN);
        b.putShort(58, (short)(8 + payload.length), ByteOrder.BIG_ENDIAN);
        b.putBytes(62, payload);
        long sum = io.flowstack.core.wire.InternetChecksum.partial(b, 22, 32, 0) + 17 + 8 + payload.length;
        sum = io.flowstack.core.wire.InternetChecksum.partial(b, 54, 8 + payload.length, sum);
        b.putShort(60, (short)io.flowstack.core.wire.InternetChecksum.fold(sum), ByteOrder.BIG_ENDIAN);
        return f;
    }

    @Test
    void shouldEchoTwoHundredUdpFlowsEachOnItsOwner() throws Exception
    {
        final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 20);
        final FlowStack stack = FlowStack.builder().cores(2).rssKey(ToeplitzHash.microsoftKey()).poolSlots(512)
            .addInterface(new IpInterface(0, STACK_MAC, 0, 32, 1500, 0).withIpv6(STACK_IP6, 64),
                NetworkDevice.shared(driver))
            .onEachCore(core -> core.bindUdp(7, (ep, src, srcPort, buf, off, len) ->
            {
                seen.add(new long[]{core.coreId(), srcPort});
                ep.reply(buf, off, len);
            }))
            .build();
        // The peer solicits us first (Neighbor Discovery goes to core 0, which replicates what it learns).
        stack.ip(0).ndp(0).cache().update(PEER_IP6.high(), PEER_IP6.low(), PEER_MAC, true, 0);
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[2048]);
        for (int i = 0; i < 200; i++)
        {
            final byte[] f = udp6(20_000 + i);
            scratch.putBytes(0, f);
            assertTrue(driver.inject(scratch, 0, f.length));
            if (i % 50 == 49)
            {
                runAll(stack);
            }
        }
        runAll(stack);
        final AtomicLong echoes = new AtomicLong();
        driver.drainTransmitted((type, buf, index, length) ->
        {
            if (buf.getShort(index + 12, ByteOrder.BIG_ENDIAN) == (short)0x86DD && buf.getByte(index + 20) == 17)
            {
                echoes.incrementAndGet();
            }
        }, Integer.MAX_VALUE);
        assertEquals(200, echoes.get(), "every datagram echoed");
        final FlowOwnership ownership = stack.ownership();
        final Set<Long> ports = new HashSet<>();
        final int[] perCore = new int[2];
        for (final long[] s : seen)
        {
            assertTrue(ports.add(s[1]), "processed twice: " + s[1]);
            assertEquals(ownership.ownerOfFlow6(0, 17, PEER_IP6.high(), PEER_IP6.low(), STACK_IP6.high(),
                STACK_IP6.low(), (int)s[1], 7), (int)s[0], "flow " + s[1] + " not on its owner");
            perCore[(int)s[0]]++;
        }
        assertEquals(200, ports.size());
        assertTrue(perCore[0] > 50 && perCore[1] > 50, "both cores own flows: " + perCore[0] + "/" + perCore[1]);
        stack.close();
    }

    @Test
    void shouldGetRepliesToOutgoingConnectionsOnTheCoreThatOpenedThem() throws Exception
    {
        final VirtualClock clock = new VirtualClock(1_000_000_000L);
        final MemoryDriver da = new MemoryDriver(0, 0x02_00_00_00_00_0AL, 1500, 1 << 22);
        final MemoryDriver db = new MemoryDriver(0, 0x02_00_00_00_00_0BL, 1500, 1 << 22);
        MemoryDriver.link(da, db);
        final IpAddress a6 = IpAddress.parse("2001:2::a");
        final IpAddress b6 = IpAddress.parse("2001:2::b");
        final FlowStack a = FlowStack.builder().clock(clock).cores(2).rssKey(ToeplitzHash.microsoftKey())
            .isn(c -> IsnGenerator.fixed(1000)).poolSlots(512)
            .addInterface(new IpInterface(0, 0x02_00_00_00_00_0AL, 0, 32, 1500, 0).withIpv6(a6, 64),
                NetworkDevice.shared(da)).build();
        final FlowStack b = FlowStack.builder().clock(clock).isn(c -> IsnGenerator.fixed(5000)).poolSlots(512)
            .addInterface(new IpInterface(0, 0x02_00_00_00_00_0BL, 0, 32, 1500, 0).withIpv6(b6, 64),
                NetworkDevice.shared(db))
            .onEachCore(core -> core.listen(80, c -> new TcpHandler()
            {
                @Override
                public void onConnected(final TcpConnection connection)
                {
                }

                @Override
                public void onData(final TcpConnection connection)
                {
                }
            }))
            .build();
        final int[] connected = new int[2];
        for (int core = 0; core < 2; core++)
        {
            final int c = core;
            for (int i = 0; i < 10; i++)
            {
                a.core(c).connect(b6, 80, new TcpHandler()
                {
                    @Override
                    public void onConnected(final TcpConnection connection)
                    {
                        connected[c]++;
                    }

                    @Override
                    public void onData(final TcpConnection connection)
                    {
                    }
                }, ConnectionOptions.DEFAULT);
            }
        }
        for (int i = 0; i < 200; i++)
        {
            runAll(a, b);
            clock.advance(1_000_000);
        }
        assertEquals(10, connected[0], "core 0's connections established");
        assertEquals(10, connected[1], "core 1's connections established");
        // Core 0 reads the one queue: it forwarded exactly the SYN,ACKs of core 1's connections, to core 1, which
        // established all ten; a reply hashed anywhere else would have found no connection there and drawn a RST.
        assertEquals(10, a.ip(0).counters().get("engine.forwarded_out"));
        assertEquals(10, a.ip(1).counters().get("engine.forwarded_in"));
        assertEquals(0, a.ip(0).counters().get("tcp.tx.resets") + a.ip(1).counters().get("tcp.tx.resets"));
        a.close();
        b.close();
    }

    @Test
    void shouldGetUdpRepliesOnTheCoreThatOpenedTheFlow() throws Exception
    {
        final VirtualClock clock = new VirtualClock(1_000_000_000L);
        final MemoryDriver da = new MemoryDriver(0, 0x02_00_00_00_00_0AL, 1500, 1 << 22);
        final MemoryDriver db = new MemoryDriver(0, 0x02_00_00_00_00_0BL, 1500, 1 << 22);
        MemoryDriver.link(da, db);
        final IpAddress a6 = IpAddress.parse("2001:2::a");
        final IpAddress b6 = IpAddress.parse("2001:2::b");
        final FlowStack a = FlowStack.builder().clock(clock).cores(2).rssKey(ToeplitzHash.microsoftKey())
            .poolSlots(512).addInterface(new IpInterface(0, 0x02_00_00_00_00_0AL, 0, 32, 1500, 0).withIpv6(a6, 64),
                NetworkDevice.shared(da)).build();
        final FlowStack b = FlowStack.builder().clock(clock).poolSlots(512)
            .addInterface(new IpInterface(0, 0x02_00_00_00_00_0BL, 0, 32, 1500, 0).withIpv6(b6, 64),
                NetworkDevice.shared(db))
            .onEachCore(core -> core.bindUdp(7, (ep, src, port, buf, off, len) -> ep.reply(buf, off, len)))
            .build();
        final int[] replies = new int[2];
        final UnsafeBuffer hello = new UnsafeBuffer("hello".getBytes());
        for (int core = 0; core < 2; core++)
        {
            final int c = core;
            for (int i = 0; i < 20; i++)
            {
                a.core(c).openUdp(b6, 7, (ep, src, port, buf, off, len) -> replies[c]++)
                    .send(b6, 7, hello, 0, hello.capacity());
            }
        }
        for (int i = 0; i < 100; i++)
        {
            runAll(a, b);
            clock.advance(1_000_000);
        }
        assertEquals(20, replies[0], "every reply to core 0's flows on core 0");
        assertEquals(20, replies[1], "every reply to core 1's flows on core 1");
        a.close();
        b.close();
    }
}
