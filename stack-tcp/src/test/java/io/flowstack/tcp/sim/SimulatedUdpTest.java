package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.FrameLog;
import io.flowstack.core.sim.SimLink;
import io.flowstack.core.sim.SimSwitch;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.core.sim.Simulator;
import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.ArpRepr;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.EthernetRepr;
import io.flowstack.ip.wire.IcmpFlyweight;
import io.flowstack.ip.wire.IcmpRepr;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.Ipv4Repr;
import io.flowstack.test.SimulationSeedExtension;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole hosts (two cores each) in the simulator, over links that lose, duplicate, reorder, corrupt and delay:
 * the application's request/response exchange completes, every corruption is caught by a checksum and counted,
 * nothing corrupt reaches an application, ARP works across a switch, and a seed replays exactly.
 */
@ExtendWith(SimulationSeedExtension.class)
class SimulatedUdpTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final String HOSTILE = "loss=5%,dup=3%,reorder=5%:2ms,corrupt=5%,delay=1ms,jitter=200us,rate=100mbit";

    /** Counters of the checks a corrupted IP frame can fail; each frame fails exactly one of them. */
    private static final String[] CHECKS = {
        "ipv4.rx.bad_checksum", "ipv4.rx.bad_version", "ipv4.rx.bad_header_length", "ipv4.rx.bad_total_length",
        "ipv4.rx.truncated", "udp.rx.bad_checksum", "udp.rx.bad_length", "icmp.rx.bad"};

    private static long badCounters(final SimNetwork net)
    {
        long n = 0;
        for (final SimHost h : net.hosts())
        {
            n += badCounters(h);
        }
        return n;
    }

    private static long badCounters(final SimHost host)
    {
        long n = 0;
        for (final String c : CHECKS)
        {
            n += host.counter(c);
        }
        return n;
    }

    private static long corruptedOnLinks(final Simulator sim)
    {
        long n = 0;
        for (final SimLink l : sim.links())
        {
            n += l.injector().corrupted();
        }
        return n;
    }

    private static SimNetwork echoPair(final long seed, final FaultProfile faults, final UdpEchoScenario app)
    {
        final SimNetwork net = SimNetwork.pair(seed, 2, faults,
            app.client(2, Ipv4Flyweight.parseAddress("198.18.0.2")), app.server());
        app.start(net.simulator(), net.host("client"), net.host("server"));
        return net;
    }

    @Test
    void shouldCompleteRequestResponseOverAHostileLinkAndCatchEveryCorruption(final SimulationSeed seed)
    {
        final UdpEchoScenario app = new UdpEchoScenario(seed.value(), 300, 4, 20 * MS);
        try (SimNetwork net = echoPair(seed.value(), FaultProfile.parse(HOSTILE), app))
        {
            assertTrue(net.runUntil(app::done, 60 * S), app + "\n" + net.simulator().describe());
            net.runFor(10 * S);
            assertEquals(0, app.badPayloads(), "corrupt payloads reached an application");
            assertNull(app.ownershipViolation(net.host("client").ownership(), net.host("server").ownership()));
            final long corrupted = corruptedOnLinks(net.simulator());
            assertTrue(corrupted > 0, "the links corrupted frames");
            // Every bit flip after the Ethernet header of an IP frame is caught by a checksum or a header check.
            assertEquals(corrupted, badCounters(net), net.simulator().describe());
            // Most flips land in UDP payloads; the few in IP headers are in the sum above.
            assertTrue(net.counter("udp.rx.bad_checksum") > 0);
            assertTrue(net.counter("rx.drops") >= corrupted);
            assertTrue(app.echoes() > 300, "duplicates and retries echo more than once: " + app);
            assertEquals(0, net.buffersOutstanding(), "every buffer back in its pool");
        }
    }

    @Test
    void shouldResolveArpAcrossASwitchAndServeEveryClient(final SimulationSeed seed)
    {
        try (SimNetwork net = new SimNetwork(seed.value()))
        {
            final UdpEchoScenario first = new UdpEchoScenario(seed.value(), 50, 2, 20 * MS);
            final UdpEchoScenario second = new UdpEchoScenario(seed.value() + 1, 50, 2, 20 * MS);
            final int serverIp = Ipv4Flyweight.parseAddress("198.18.0.10");
            final SimHost server = net.newHost("server").cores(2).address("198.18.0.10/24")
                .onEachCore(core ->
                {
                    // One echo serves both scenarios: they check their own payloads on the client side.
                    core.bindUdp(UdpEchoScenario.PORT, (ep, src, srcPort, buf, off, len) ->
                        ep.send(src, srcPort, buf, off, len));
                })
                .build();
            final SimHost a = net.newHost("a").cores(2).address("198.18.0.1/24").onEachCore(first.client(2, serverIp)).build();
            final SimHost b = net.newHost("b").cores(2).address("198.18.0.2/24").onEachCore(second.client(2, serverIp)).build();
            final SimSwitch sw = net.connectSwitch("sw", FaultProfile.parse("loss=1%,delay=200us,jitter=50us"), server, a, b);
            first.start(net.simulator(), a, server);
            second.start(net.simulator(), b, server);

            assertTrue(net.runUntil(() -> first.done() && second.done(), 30 * S), first + " / " + second);
            assertEquals(0, first.badPayloads() + second.badPayloads());
            assertTrue(a.counter("arp.resolved") > 0 && b.counter("arp.resolved") > 0, "clients resolved the server");
            for (final SimHost h : net.hosts())
            {
                assertTrue(sw.portOf(h.port(0).mac()) >= 0, h + " learned by the switch");
            }
            assertTrue(sw.flooded() > 0, "ARP requests are flooded");
            assertTrue(sw.forwarded() > 0, "unicast to learned addresses is forwarded");
            assertNull(first.ownershipViolation(a.ownership(), server.ownership()));
            assertNull(second.ownershipViolation(b.ownership(), server.ownership()));
        }
    }

    private FrameLog run(final long seed)
    {
        final UdpEchoScenario app = new UdpEchoScenario(seed, 100, 4, 20 * MS);
        try (SimNetwork net = echoPair(seed, FaultProfile.parse(HOSTILE), app))
        {
            net.simulator().frameLog().keepEntries(true);
            assertTrue(net.runUntil(app::done, 60 * S), app.toString());
            net.runFor(S);
            return net.simulator().frameLog();
        }
    }

    @Test
    void shouldReplayExactlyForTheSameSeedAndDifferForAnother(final SimulationSeed seed)
    {
        final FrameLog first = run(seed.value());
        final FrameLog again = run(seed.value());
        final int diff = first.firstDifference(again);
        assertEquals(-1, diff, "runs differ at frame " + diff + ": " + first.entry(diff) + " vs " + again.entry(diff));
        assertTrue(first.count() > 200);
        assertNotEquals(first.digest(), run(seed.value() ^ 0x5DEECE66DL).digest());
    }

    @Test
    void shouldCatchCorruptedEchoRequests(final SimulationSeed seed)
    {
        final Simulator sim = new Simulator(seed.value());
        final SimHost host = SimHost.builder(sim, "host").cores(2).address("198.18.0.2/24").build();
        final long pingerMac = sim.newMac();
        final int pingerIp = Ipv4Flyweight.parseAddress("198.18.0.1");
        final Set<Integer> answered = new HashSet<>();
        final long[] badReplies = {0};
        final boolean[] resolved = {false};
        final UnsafeBuffer[] sent = new UnsafeBuffer[400];
        // Host to pinger is clean; pinger to host corrupts one frame in five.
        host.port(0).attach(sim.link("host>pinger", FaultProfile.NONE, (now, buf, off, len) ->
        {
            final int type = buf.getShort(off + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            if (type == EthernetFlyweight.TYPE_ARP)
            {
                // The host's reply to our request (not its gratuitous announcement): it has learned us too.
                resolved[0] |= buf.getShort(off + 14 + 6, ByteOrder.BIG_ENDIAN) == ArpFlyweight.OP_REPLY;
                return;
            }
            final int seq = buf.getShort(off + 34 + IcmpFlyweight.SEQUENCE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            final int dataLength = len - 42;
            if (buf.getByte(off + 34) != IcmpFlyweight.TYPE_ECHO_REPLY || seq >= sent.length
                || FrameLog.hash(buf, off + 42, dataLength) != FrameLog.hash(sent[seq], 42, sent[seq].capacity() - 42))
            {
                badReplies[0]++;
                return;
            }
            answered.add(seq);
        }));
        final SimLink toHost = sim.link("pinger>host", FaultProfile.parse("corrupt=20%,delay=1ms"), host.port(0));
        final int hostIp = host.address();
        final long hostMac = host.port(0).mac();

        final UnsafeBuffer arp = new UnsafeBuffer(new byte[42]);
        new EthernetRepr(EthernetFlyweight.BROADCAST, pingerMac, EthernetFlyweight.TYPE_ARP)
            .emit(new EthernetFlyweight().wrap(arp, 0, 42));
        new ArpRepr(ArpFlyweight.OP_REQUEST, pingerMac, pingerIp, 0, hostIp)
            .emit(new ArpFlyweight().wrap(arp, EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH));
        // ARP has no checksum, so the link loses corrupted ARP frames: ask until the host answers.
        for (int i = 0; i < 20; i++)
        {
            sim.schedule(i * 10 * MS, () ->
            {
                if (!resolved[0])
                {
                    toHost.offer(sim.now(), arp, 0, 42);
                }
            });
        }
        for (int seq = 0; seq < sent.length; seq++)
        {
            final int dataLength = 32 + seq % 200;
            final int total = Ipv4Flyweight.MIN_HEADER_LENGTH + IcmpFlyweight.HEADER_LENGTH + dataLength;
            final UnsafeBuffer f = new UnsafeBuffer(new byte[14 + total]);
            new EthernetRepr(hostMac, pingerMac, EthernetFlyweight.TYPE_IPV4).emit(new EthernetFlyweight().wrap(f, 0, f.capacity()));
            for (int k = 0; k < dataLength; k++)
            {
                f.putByte(42 + k, (byte)(seq * 31 + k * 7));
            }
            IcmpRepr.echoRequest(0x4242, seq).emit(new IcmpFlyweight().wrap(f, 34, total - 20), total - 20);
            new Ipv4Repr(0, total, seq, 0, 64, Ipv4Flyweight.PROTO_ICMP, pingerIp, hostIp)
                .emit(new Ipv4Flyweight().wrap(f, 14, total));
            sent[seq] = f;
            sim.schedule(300 * MS + seq * MS, () -> toHost.offer(sim.now(), f, 0, f.capacity()));
        }
        sim.runFor(2 * S);
        assertTrue(resolved[0], "the host answered ARP");
        assertEquals(0, badReplies[0], "no reply carried corrupt data");
        final long corrupted = toHost.injector().corrupted();
        assertTrue(corrupted > 20, "corrupted " + corrupted);
        final long caught = badCounters(host);
        assertEquals(corrupted, caught, "every corrupted echo request was caught");
        assertTrue(host.counter("icmp.rx.bad") > 0);
        assertEquals(sent.length - corrupted, answered.size(), "every intact request answered");
        assertEquals(0, host.buffersOutstanding());
        host.close();
    }
}
