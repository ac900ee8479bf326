package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.CongestionAlgorithm;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP over seeded faulty links, whole stacks on virtual time: for any seed, core counts, congestion control, SACK
 * on or off and fault profile within bounds where TCP must still succeed (loss up to 10% each way), every byte
 * sent arrives once, in order and unchanged, both sides close cleanly, nothing is left after the time a correct
 * stack needs (2 MSL), and every connection is processed by the core that owns it. And with reordering but no
 * loss, RACK's reordering window keeps spurious retransmissions to a handful.
 */
class TcpSimulationProperties
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int BYTES = 256 * 1024;
    private static final int PORT = 5001;
    private static final TcpConfig CONFIG = TcpConfig.DEFAULT.withMsl(5 * S);

    @Provide
    Arbitrary<FaultProfile> faults()
    {
        final Arbitrary<Double> loss = Arbitraries.integers().between(0, 100).map(p -> p / 1000.0);
        final Arbitrary<Double> small = Arbitraries.integers().between(0, 20).map(p -> p / 1000.0);
        final Arbitrary<Long> delay = Arbitraries.longs().between(0, 5_000).map(us -> us * 1_000L);
        final Arbitrary<Long> jitter = Arbitraries.longs().between(0, 1_000).map(us -> us * 1_000L);
        final Arbitrary<Integer> partitionMs = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(100, 2_000));
        return Combinators.combine(loss, small, small, small, delay, jitter, partitionMs)
            .as((l, dup, reorder, corrupt, d, j, partition) ->
            {
                final FaultProfile.Builder b = FaultProfile.builder()
                    .loss(l).duplicate(dup).reorder(reorder, 2 * MS).corrupt(corrupt).delay(d).jitter(j);
                if (partition > 0)
                {
                    b.partition(partition * MS, 200 * MS);
                }
                return b.build();
            });
    }

    /** One side of a transfer: sends its bytes, digests what arrives, remembers how it ended and where it ran. */
    static final class Side implements TcpHandler
    {
        final byte[] data;
        final MessageDigest received;
        final UnsafeBuffer in = new UnsafeBuffer(new byte[1 << 16]);
        final int core;
        int written;
        long read;
        int closedReason = -1;
        int localPort;
        int remotePort;

        Side(final long seed, final int core) throws Exception
        {
            this.data = new byte[BYTES];
            new Random(seed).nextBytes(data);
            this.received = MessageDigest.getInstance("SHA-256");
            this.core = core;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            localPort = c.localPort();
            remotePort = c.remotePort();
            onWritable(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            while (written < data.length)
            {
                final int n = c.write(new UnsafeBuffer(data), written, data.length - written);
                if (n <= 0)
                {
                    return;
                }
                written += n;
            }
            c.shutdownOutput();
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = c.read(in, 0, in.capacity())) > 0)
            {
                received.update(in.byteArray(), 0, n);
                read += n;
            }
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            onData(c);
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason)
        {
            closedReason = reason;
        }

        byte[] sentDigest() throws Exception
        {
            return MessageDigest.getInstance("SHA-256").digest(data);
        }
    }

    /**
     * The first counterexample the property found: after timeouts on both sides, each side's pure ACKs carried a
     * rolled-back SND.NXT, each judged the other's ACKs out of window, and they ping-ponged ACKs until both timed out.
     */
    @org.junit.jupiter.api.Test
    void shouldNotPingPongAcksAfterBothSidesTimedOut() throws Exception
    {
        shouldDeliverEveryByteOnceInOrderAndCloseCleanly(0, FaultProfile.parse("loss=3.4%,dup=0.1%"), 1, 1,
            CongestionAlgorithm.RENO, false);
    }

    /**
     * A counterexample of a CI run: every ARP request of the client's second core (or its answer) was lost, its SYN
     * failed with no route to host as Linux's does, and the transfer only happens when the application tries again.
     */
    @org.junit.jupiter.api.Test
    void shouldTransferAfterTheFirstConnectFoundNoRouteToHost() throws Exception
    {
        shouldDeliverEveryByteOnceInOrderAndCloseCleanly(14461684522691L,
            FaultProfile.parse("loss=9.9%,dup=1.6%,reorder=1.8%:2ms,corrupt=0.8%,delay=316us,jitter=29us"), 2, 1,
            CongestionAlgorithm.RENO, true);
    }

    @Property(tries = 40)
    void shouldDeliverEveryByteOnceInOrderAndCloseCleanly(
        @ForAll final long seed,
        @ForAll("faults") final FaultProfile faults,
        @ForAll @IntRange(min = 1, max = 2) final int clientCores,
        @ForAll @IntRange(min = 1, max = 2) final int serverCores,
        @ForAll final CongestionAlgorithm algorithm,
        @ForAll final boolean sack) throws Exception
    {
        final TcpConfig config = CONFIG.withCongestionControl(algorithm).withSack(sack);
        SimulationSeed.of(seed).run(s ->
        {
            final List<Side> servers = new ArrayList<>();
            final Side[] client = new Side[1];
            try (SimNetwork net = new SimNetwork(s))
            {
                final SimHost server = net.newHost("server").cores(serverCores).address(SimNetwork.SERVER_ADDRESS)
                    .configure(b -> b.tcp(config))
                    .onEachCore(core -> core.listen(PORT, c ->
                    {
                        try
                        {
                            final Side side = new Side(seed + 1, core.coreId());
                            servers.add(side);
                            return side;
                        }
                        catch (final Exception e)
                        {
                            throw new IllegalStateException(e);
                        }
                    })).build();
                final SimHost clientHost = net.newHost("client").cores(clientCores).address(SimNetwork.CLIENT_ADDRESS)
                    .configure(b -> b.tcp(config)).build();
                net.connect(clientHost, server, faults, faults);
                final int connectingCore = clientCores - 1;
                final String what = "[" + faults + ", cores " + clientCores + "/" + serverCores + ", " + algorithm
                    + (sack ? " with SACK" : " without SACK") + "]";
                boolean finished = false;
                for (int attempt = 0; attempt < 3 && !finished; attempt++)
                {
                    final Side side = new Side(seed, connectingCore);
                    client[0] = side;
                    clientHost.stack().core(connectingCore).submit(c ->
                        c.connect(Ipv4Flyweight.parseAddress("198.18.0.2"), PORT, side));
                    finished = net.runUntil(() -> side.closedReason >= 0 && (servers.size() == 1
                        && servers.get(0).closedReason >= 0 || side.closedReason == TcpHandler.UNREACHABLE), 600 * S)
                        && side.closedReason != TcpHandler.UNREACHABLE;
                    // ARP's three requests (or their answers) all lost: the SYN fails as on Linux (no route to
                    // host), and the application tries again.
                }
                assertTrue(finished, what + " transfer did not finish: client "
                    + (client[0].closedReason < 0 ? "open" : TcpHandler.reasonName(client[0].closedReason))
                    + " after reading " + client[0].read + ", server "
                    + (servers.isEmpty() ? "never accepted" : "read " + servers.get(0).read));
                final Side srv = servers.get(0);
                final String ends = what + " client " + TcpHandler.reasonName(client[0].closedReason) + " after reading "
                    + client[0].read + ", server " + TcpHandler.reasonName(srv.closedReason) + " after reading " + srv.read
                    + "; counters " + net.counter("tcp.retransmits") + " retransmits, " + net.counter("tcp.timeouts")
                    + " timeouts, " + net.counter("tcp.rx.out_of_window") + " out of window";
                assertEquals(BYTES, client[0].read, ends);
                assertEquals(BYTES, srv.read, ends);
                assertArrayEquals(client[0].sentDigest(), srv.received.digest(), what + " client to server");
                assertArrayEquals(srv.sentDigest(), client[0].received.digest(), what + " server to client");
                assertEquals(TcpHandler.CLOSED_NORMALLY, client[0].closedReason, what);
                assertEquals(TcpHandler.CLOSED_NORMALLY, srv.closedReason, what);
                // Ownership: each end ran on the core its flow hashes to.
                final int clientIp = Ipv4Flyweight.parseAddress("198.18.0.1");
                final int serverIp = Ipv4Flyweight.parseAddress("198.18.0.2");
                assertEquals(server.ownership().ownerOfFlow(0, Ipv4Flyweight.PROTO_TCP, clientIp, serverIp,
                    srv.remotePort, PORT), srv.core, what + " server core");
                assertEquals(clientHost.ownership().ownerOfFlow(0, Ipv4Flyweight.PROTO_TCP, serverIp, clientIp,
                    PORT, client[0].localPort), connectingCore, what + " client core");
                // After 2 MSL nothing is left, and every buffer is home.
                net.runFor(2 * CONFIG.mslNs() + 5 * S);
                for (final SimHost h : Arrays.asList(server, clientHost))
                {
                    for (int c = 0; c < h.cores(); c++)
                    {
                        assertEquals(0, h.stack().core(c).connectionCount(), what + " connection left on " + h);
                    }
                }
                assertEquals(0, net.buffersOutstanding(), what + " buffers not returned");
            }
        });
    }

    /**
     * Segments overtaken by up to half a round trip, nothing lost (the queue holds more than the largest window):
     * every retransmission is spurious. RACK's window starts at a quarter of the minimum RTT (RFC 8985 6.2), so a
     * segment held back longer may be sent twice until the first D-SACK, a round trip later, widens the window:
     * the reorderings of that first round trip cost a few (Reno's unchecked slow start puts hundreds of segments in
     * it: 60 tries measured at most 7, one run 11 of 10,000). Without a reordering window every overtaken segment
     * would be sent twice (hundreds).
     */
    @Property(tries = 8)
    void shouldRetransmitAlmostNothingWhenSegmentsAreOnlyReordered(
        @ForAll final long seed,
        @ForAll @IntRange(min = 1, max = 20) final int oneWayMs,
        @ForAll @IntRange(min = 1, max = 30) final int reorderPerMille,
        @ForAll @IntRange(min = 10, max = 50) final int extraPercentOfRtt,
        @ForAll final CongestionAlgorithm algorithm) throws Exception
    {
        final int bytes = 10_000 * 1448;
        final long extra = 2L * oneWayMs * MS * extraPercentOfRtt / 100;
        final FaultProfile reordering = FaultProfile.builder().delay(oneWayMs * MS).reorder(reorderPerMille / 1000.0, extra)
            .rate(100_000_000L).queueFrames(10_000).build();
        final FaultProfile acks = FaultProfile.builder().delay(oneWayMs * MS).build();
        final TcpConfig config = CONFIG.withCongestionControl(algorithm);
        SimulationSeed.of(seed).run(s ->
        {
            try (SimNetwork net = new SimNetwork(s))
            {
                final BulkSink sink = new BulkSink(net, bytes);
                final SimHost server = net.newHost("server").cores(1).address(SimNetwork.SERVER_ADDRESS)
                    .configure(b -> b.tcp(config))
                    .onEachCore(core -> core.listen(PORT, c -> sink)).build();
                final SimHost client = net.newHost("client").cores(1).address(SimNetwork.CLIENT_ADDRESS)
                    .configure(b -> b.tcp(config)).build();
                net.connect(client, server, reordering, acks);
                client.stack().core(0).submit(c -> c.connect(Ipv4Flyweight.parseAddress("198.18.0.2"), PORT,
                    new BulkSource(bytes, true)));
                final String what = "[" + reordering + ", " + algorithm + "]";
                assertTrue(net.runUntil(() -> sink.read == bytes, 600 * S), what + " transfer did not finish: " + sink.read);
                final long retransmits = net.counter("tcp.retransmits");
                assertTrue(retransmits <= 20, what + ": " + retransmits + " spurious retransmissions in 10,000 segments ("
                    + net.counter("tcp.undos") + " undone)");
            }
        });
    }
}
