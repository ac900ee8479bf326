package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpService;
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
 * TCP over seeded faulty links, whole stacks on virtual time: for any seed, core counts and fault profile within
 * bounds where TCP must still succeed, every byte sent arrives once, in order and unchanged, both sides close
 * cleanly, nothing is left after the time a correct stack needs (2 MSL), and every connection is processed by
 * the core that owns it.
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
        final Arbitrary<Double> loss = Arbitraries.integers().between(0, 50).map(p -> p / 1000.0);
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
        shouldDeliverEveryByteOnceInOrderAndCloseCleanly(0, FaultProfile.parse("loss=3.4%,dup=0.1%"), 1, 1);
    }

    @Property(tries = 40)
    void shouldDeliverEveryByteOnceInOrderAndCloseCleanly(
        @ForAll final long seed,
        @ForAll("faults") final FaultProfile faults,
        @ForAll @IntRange(min = 1, max = 2) final int clientCores,
        @ForAll @IntRange(min = 1, max = 2) final int serverCores) throws Exception
    {
        SimulationSeed.of(seed).run(s ->
        {
            final List<Side> servers = new ArrayList<>();
            final Side[] client = new Side[1];
            try (SimNetwork net = new SimNetwork(s))
            {
                final SimHost server = net.newHost("server").cores(serverCores).address(SimNetwork.SERVER_ADDRESS)
                    .configure(b -> b.tcp(CONFIG))
                    .onEachCore(core -> core.tcp().listen(0, PORT, c ->
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
                    .configure(b -> b.tcp(CONFIG)).build();
                net.connect(clientHost, server, faults, faults);
                final int connectingCore = clientCores - 1;
                client[0] = new Side(seed, connectingCore);
                final TcpService tcp = clientHost.stack().core(connectingCore).tcp();
                clientHost.stack().core(connectingCore).submit(() ->
                    tcp.connect(Ipv4Flyweight.parseAddress("198.18.0.2"), PORT, client[0]));

                final String what = "[" + faults + ", cores " + clientCores + "/" + serverCores + "]";
                assertTrue(net.runUntil(() -> client[0].closedReason >= 0 && servers.size() == 1
                    && servers.get(0).closedReason >= 0, 600 * S), what + " transfer did not finish: client read "
                    + client[0].read + ", server " + (servers.isEmpty() ? "never accepted" : "read " + servers.get(0).read));
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
                        assertEquals(0, h.stack().core(c).tcp().connectionCount(), what + " connection left on " + h);
                    }
                }
                assertEquals(0, net.buffersOutstanding(), what + " buffers not returned");
            }
        });
    }
}
