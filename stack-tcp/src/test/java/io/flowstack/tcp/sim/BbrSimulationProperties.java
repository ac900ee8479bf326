package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.CongestionAlgorithm;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpHandler;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BBR over seeded lossy links, both directions at once: for any seed, loss up to 10% each way, some reordering and
 * delay, every byte arrives once, in order and unchanged, and both sides close cleanly.
 */
class BbrSimulationProperties
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final TcpConfig CONFIG = TcpConfig.DEFAULT.withMsl(S).withCongestionControl(CongestionAlgorithm.BBR);

    @Provide
    Arbitrary<FaultProfile> lossyPaths()
    {
        final Arbitrary<Double> loss = Arbitraries.integers().between(0, 100).map(p -> p / 1000.0);
        final Arbitrary<Double> reorder = Arbitraries.integers().between(0, 10).map(p -> p / 1000.0);
        final Arbitrary<Long> delay = Arbitraries.longs().between(0, 20_000).map(us -> us * 1_000L);
        final Arbitrary<Long> rate = Arbitraries.of(10_000_000L, 100_000_000L, 0L);
        return Combinators.combine(loss, reorder, delay, rate).as((l, r, d, bps) ->
        {
            final FaultProfile.Builder b = FaultProfile.builder().loss(l).reorder(r, 2 * MS).delay(d);
            if (bps > 0)
            {
                b.rate(bps).queueFrames(100);
            }
            return b.build();
        });
    }

    @Property(tries = 12)
    void shouldDeliverEveryByteOnceInOrderUnderLossUpToTenPercent(
        @ForAll final long seed,
        @ForAll("lossyPaths") final FaultProfile faults) throws Exception
    {
        SimulationSeed.of(seed).run(s ->
        {
            final List<TcpSimulationProperties.Side> servers = new ArrayList<>();
            try (SimNetwork net = new SimNetwork(s))
            {
                final SimHost server = net.newHost("server").cores(1).address(SimNetwork.SERVER_ADDRESS)
                    .configure(b -> b.tcp(CONFIG))
                    .onEachCore(core -> core.listen(5001, c ->
                    {
                        try
                        {
                            final TcpSimulationProperties.Side side = new TcpSimulationProperties.Side(seed + 1, 0);
                            servers.add(side);
                            return side;
                        }
                        catch (final Exception e)
                        {
                            throw new IllegalStateException(e);
                        }
                    })).build();
                final SimHost clientHost = net.newHost("client").cores(1).address(SimNetwork.CLIENT_ADDRESS)
                    .configure(b -> b.tcp(CONFIG)).build();
                net.connect(clientHost, server, faults, faults);
                final TcpSimulationProperties.Side client = new TcpSimulationProperties.Side(seed, 0);
                clientHost.stack().core(0).submit(c -> c.connect(Ipv4Flyweight.parseAddress("198.18.0.2"), 5001, client));
                final String what = "[" + faults + "]";
                assertTrue(net.runUntil(() -> client.closedReason >= 0 && servers.size() == 1
                    && servers.get(0).closedReason >= 0, 600 * S), what + " transfer did not finish: client read "
                    + client.read + (servers.isEmpty() ? ", never accepted" : ", server read " + servers.get(0).read));
                final TcpSimulationProperties.Side srv = servers.get(0);
                assertEquals(client.data.length, srv.read, what);
                assertEquals(srv.data.length, client.read, what);
                assertArrayEquals(client.sentDigest(), srv.received.digest(), what + " client to server");
                assertArrayEquals(srv.sentDigest(), client.received.digest(), what + " server to client");
                assertEquals(TcpHandler.CLOSED_NORMALLY, client.closedReason, what);
                assertEquals(TcpHandler.CLOSED_NORMALLY, srv.closedReason, what);
            }
        });
    }
}
