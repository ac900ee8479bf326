package io.flowstack.tcp.sim.fuzz;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.Simulator;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.sim.SimHost;
import io.flowstack.tcp.sim.SimNetwork;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One fuzzing run: two hosts of two cores each, back to back over mildly faulty links, with a transfer both ways
 * (client to server port 5001), short connections opening and closing beside it ({@link ChurnTraffic}), UDP echo
 * on port 7 of both, and a listener on the client (port 5003). Once the transfer runs, {@link FrameFuzzer} injects
 * cases into either host's port until {@code frames} frames are in; then the transfer is told to finish, and the
 * hosts are left alone until every connection has ended and every timer has run. The result holds what a test
 * asserts: the transfer intact, no connection left, every buffer home, the accounting of both hosts; and the
 * figures a report prints.
 */
final class FuzzRun
{
    static final FaultProfile LINKS = FaultProfile.parse(
        "loss=0.5%,dup=0.2%,reorder=0.5%:1ms,corrupt=0.1%,delay=1ms,jitter=100us,rate=100mbit");
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int TRANSFER_PORT = 5001;
    private static final int CLIENT_LISTENER = 5003;
    private static final int UDP_ECHO = 7;
    private static final TcpConfig CONFIG = TcpConfig.DEFAULT.withMsl(250 * MS);

    /** What a run left behind. */
    record Result(long seed, long frames, long cases, Map<FrameFuzzer.Kind, Long> byKind, long wireFrames,
        long virtualNs, long wallNs, PatternStream client, PatternStream server, boolean finished,
        List<String> accounting, List<String> violations, Map<String, Long> drops, String aimed,
        java.util.Set<io.flowstack.tcp.api.TcpState> aimedStates, int connectionsLeft,
        int buffersOutstanding, String counters)
    {
        /**
         * @param everyState also require that TCP cases were aimed at connections in every state (a long run).
         */
        void assertSound(final boolean everyState)
        {
            final String why = report();
            assertEquals(List.of(), violations, "accounting\n" + why);
            assertTrue(transferIntact(), "the transfer\n" + why);
            assertEquals(0, connectionsLeft, "connections left\n" + why);
            assertEquals(0, buffersOutstanding, "buffers out of their pools\n" + why);
            if (everyState)
            {
                assertEquals(java.util.EnumSet.allOf(io.flowstack.tcp.api.TcpState.class), aimedStates,
                    "states aimed at\n" + why);
            }
        }

        boolean transferIntact()
        {
            return finished && client.intact(server) && server.intact(client);
        }

        String report()
        {
            final StringBuilder sb = new StringBuilder();
            sb.append(String.format("fuzz seed %d: %,d frames injected in %,d cases (%s) beside %,d frames on the links;"
                + " %.1f s virtual, %.1f s wall%n", seed, frames, cases, FrameFuzzer.describe(byKind), wireFrames,
                virtualNs / 1e9, wallNs / 1e9));
            sb.append("  transfer: client ").append(client).append("; server ").append(server).append('\n');
            sb.append("  TCP cases aimed at: ").append(aimed).append('\n');
            sb.append("  drops by reason (both hosts):");
            drops.forEach((k, v) ->
            {
                if (v > 0)
                {
                    sb.append(' ').append(k).append('=').append(v);
                }
            });
            sb.append("\n  other counters: ").append(counters).append('\n');
            sb.append("  left: ").append(connectionsLeft).append(" connections, ").append(buffersOutstanding)
                .append(" buffers out of their pools\n");
            accounting.forEach(l -> sb.append("  ").append(l).append('\n'));
            return sb.toString();
        }
    }

    private FuzzRun()
    {
    }

    /**
     * @param seed           the simulation's seed (the fuzzer's too).
     * @param frames         frames to inject.
     * @param caseIntervalNs virtual time between two cases, on average.
     * @return what happened.
     */
    static Result run(final long seed, final long frames, final long caseIntervalNs)
    {
        final long wallStart = System.nanoTime();
        final Random random = new Random(seed);
        final long clientSeed = random.nextLong();
        final long serverSeed = random.nextLong();
        final int serverIp = Ipv4Flyweight.parseAddress("198.18.0.2");
        final int clientIp = Ipv4Flyweight.parseAddress("198.18.0.1");
        final List<PatternStream> accepted = new ArrayList<>();
        try (SimNetwork net = new SimNetwork(seed))
        {
            final Simulator sim = net.simulator();
            final ChurnTraffic churn = new ChurnTraffic(sim, serverIp, seed + 1);
            final SimHost server = net.newHost("server").cores(2).address(SimNetwork.SERVER_ADDRESS)
                .configure(b -> b.tcp(CONFIG))
                .onEachCore(core ->
                {
                    core.listen(TRANSFER_PORT, c ->
                    {
                        final PatternStream s = new PatternStream(serverSeed, clientSeed, core.coreId());
                        accepted.add(s);
                        return s;
                    });
                    churn.listen(core);
                    udpEcho(core);
                }).build();
            final SimHost client = net.newHost("client").cores(2).address(SimNetwork.CLIENT_ADDRESS)
                .configure(b -> b.tcp(CONFIG))
                .onEachCore(core ->
                {
                    core.listen(CLIENT_LISTENER, c -> new Drain());
                    udpEcho(core);
                }).build();
            final WireTap toServer = new WireTap(server.port(0));
            final WireTap toClient = new WireTap(client.port(0));
            client.port(0).attach(sim.link("client>server", LINKS, toServer));
            server.port(0).attach(sim.link("server>client", LINKS, toClient));
            final TcpAim.Host serverHost = new TcpAim.Host(server, serverIp, server.port(0).mac(), toServer,
                new int[] {TRANSFER_PORT, ChurnTraffic.PORT});
            final TcpAim.Host clientHost = new TcpAim.Host(client, clientIp, client.port(0).mac(), toClient,
                new int[] {CLIENT_LISTENER});

            // The transfer, running before the first frame is injected.
            final int core = random.nextInt(client.cores());
            final PatternStream clientStream = new PatternStream(clientSeed, serverSeed, core);
            final CoreContext ctx = client.stack().core(core);
            ctx.submit(c -> c.connect(serverIp, TRANSFER_PORT, clientStream));
            if (!net.runUntil(() -> clientStream.connection != null && accepted.size() == 1
                && clientStream.read > 0 && accepted.get(0).read > 0, 30 * S))
            {
                throw new IllegalStateException("the transfer did not start: " + clientStream);
            }
            final PatternStream serverStream = accepted.get(0);
            final TcpAim aim = new TcpAim(random);
            aim.transfer(new TcpAim.Transfer(clientIp, clientStream.connection.localPort(), serverIp, TRANSFER_PORT,
                clientSeed, serverSeed));
            churn.start(client, 3 * MS);

            final long[] injected = new long[2];
            final FrameFuzzer fuzzer = new FrameFuzzer(random, aim, (target, frame, length) ->
            {
                injected[target == serverHost ? 0 : 1]++;
                target.sim().port(0).onFrame(sim.now(), frame, 0, length);
            }, UDP_ECHO);
            final long[] cases = {0};
            sim.scheduleAfter(caseIntervalNs, new Runnable()
            {
                @Override
                public void run()
                {
                    if (fuzzer.frames() >= frames)
                    {
                        return;
                    }
                    cases[0]++;
                    final boolean toServerHost = random.nextBoolean();
                    fuzzer.fuzz(toServerHost ? serverHost : clientHost, toServerHost ? clientHost : serverHost);
                    sim.scheduleAfter(1 + random.nextLong(2 * caseIntervalNs), this);
                }
            });
            final long start = sim.now();
            if (!net.runUntil(() -> fuzzer.frames() >= frames, Math.max(600 * S, frames * caseIntervalNs * 4)))
            {
                throw new IllegalStateException("the fuzzer did not finish: " + fuzzer.frames() + " frames");
            }
            final long fuzzedNs = sim.now() - start;

            churn.stop();
            submitFinish(client, clientStream);
            submitFinish(server, serverStream);
            final boolean finished = net.runUntil(() -> clientStream.done() && serverStream.done(), 600 * S);
            // Every connection ends, every timer runs out (retransmissions give up after 15, SYN-RECEIVED after 30 s).
            net.runFor(1200 * S);

            int connections = 0;
            for (final SimHost h : List.of(server, client))
            {
                for (int c = 0; c < h.cores(); c++)
                {
                    connections += h.stack().core(c).connectionCount();
                }
            }
            final List<String> lines = new ArrayList<>();
            final List<String> violations = new ArrayList<>();
            for (final SimHost h : List.of(server, client))
            {
                final WireTap tap = h == server ? toServer : toClient;
                final FrameAccounting a = FrameAccounting.check(h, tap.frames() + injected[h == server ? 0 : 1],
                    h.port(0).driver().rxFrames(), h.port(0).driver().rxDrops());
                lines.addAll(a.lines());
                violations.addAll(a.violations());
            }
            final String counters = counters(net, "tcp.rx.segments", "tcp.tx.challenge_acks",
                "tcp.tx.challenge_acks_limited", "tcp.tx.resets", "tcp.tx.resets_limited", "tcp.syncookies.sent",
                "tcp.syncookies.valid", "tcp.syncookies.invalid", "tcp.established", "ipv4.reasm.fragments",
                "ipv4.reasm.reassembled", "ipv4.reasm.timeouts", "icmp.tx.echo_replies", "icmp.tx.errors",
                "icmp.tx.rate_limited", "udp.rx.datagrams", "arp.rx.frames", "arp.table_full",
                "arp.rx.address_conflicts") + "; churn connections opened " + churn.opened + ", accepted "
                + churn.accepted + "; aimed at the transfer " + aim.aimedAtTransfer + ", single flips on it "
                + fuzzer.singleFlipsOnTransfer() + ", mutated with checksums made right "
                + fuzzer.mutatedWithChecksums() + "; fuzzing took " + fuzzedNs / MS + " ms virtual";
            return new Result(seed, fuzzer.frames(), cases[0], fuzzer.cases(), toServer.frames() + toClient.frames(),
                sim.now(), System.nanoTime() - wallStart, clientStream, serverStream, finished, lines, violations,
                FrameAccounting.dropsByReason(List.of(server, client)),
                aim.aimedByState + ", closed ports " + aim.aimedAtClosedPorts, aim.aimedByState.keySet(), connections,
                net.buffersOutstanding(), counters);
        }
    }

    private static void submitFinish(final SimHost host, final PatternStream stream)
    {
        host.stack().core(stream.core).submit(c -> stream.finish());
    }

    private static String counters(final SimNetwork net, final String... names)
    {
        final StringBuilder sb = new StringBuilder();
        for (final String n : names)
        {
            sb.append(sb.length() == 0 ? "" : " ").append(n).append('=').append(net.counter(n));
        }
        return sb.toString();
    }

    private static void udpEcho(final CoreContext core) throws java.io.IOException
    {
        core.bindUdp(UDP_ECHO, (ep, src, port, buf, off, len) -> ep.send(src, port, buf, off, len));
    }

    /** Reads and forgets (the client's listener only ever gets the fuzzer's connections). */
    private static final class Drain implements TcpHandler
    {
        private final UnsafeBuffer in = new UnsafeBuffer(new byte[4096]);

        @Override
        public void onConnected(final TcpConnection c)
        {
        }

        @Override
        public void onData(final TcpConnection c)
        {
            while (c.read(in, 0, in.capacity()) > 0)
            {
                // nothing to check
            }
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            c.close();
        }
    }
}
