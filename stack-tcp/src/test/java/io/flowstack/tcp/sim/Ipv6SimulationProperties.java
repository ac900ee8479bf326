package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpHandler;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP over IPv6 over seeded faulty links, whole stacks on virtual time (Neighbor Discovery included): for any
 * seed, core counts and fault profile with loss up to 10% each way, every byte arrives once, in order and
 * unchanged, both sides close cleanly, nothing is left after 2 MSL, and each end ran on the core its IPv6 tuple
 * hashes to.
 */
class Ipv6SimulationProperties
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int PORT = 5001;
    private static final TcpConfig CONFIG = TcpConfig.DEFAULT.withMsl(5 * S);
    private static final IpAddress CLIENT = IpAddress.parse("2001:2::1");
    private static final IpAddress SERVER = IpAddress.parse("2001:2::2");

    @Provide
    Arbitrary<FaultProfile> faults()
    {
        final Arbitrary<Double> loss = Arbitraries.integers().between(0, 100).map(p -> p / 1000.0);
        final Arbitrary<Double> small = Arbitraries.integers().between(0, 20).map(p -> p / 1000.0);
        final Arbitrary<Long> delay = Arbitraries.longs().between(0, 5_000).map(us -> us * 1_000L);
        return Combinators.combine(loss, small, small, small, delay)
            .as((l, dup, reorder, corrupt, d) -> FaultProfile.builder()
                .loss(l).duplicate(dup).reorder(reorder, 2 * MS).corrupt(corrupt).delay(d).build());
    }

    @Property(tries = 15)
    void shouldDeliverEveryByteOnceInOrderOverIpv6(
        @ForAll final long seed,
        @ForAll("faults") final FaultProfile faults,
        @ForAll @IntRange(min = 1, max = 2) final int clientCores,
        @ForAll @IntRange(min = 1, max = 2) final int serverCores) throws Exception
    {
        SimulationSeed.of(seed).run(s ->
        {
            final List<TcpSimulationProperties.Side> servers = new ArrayList<>();
            final TcpSimulationProperties.Side[] client = new TcpSimulationProperties.Side[1];
            try (SimNetwork net = new SimNetwork(s))
            {
                final SimHost server = net.newHost("server").cores(serverCores).address(SimNetwork.SERVER_ADDRESS)
                    .ipv6(SERVER + "/64").configure(b -> b.tcp(CONFIG))
                    .onEachCore(core -> core.listen(PORT, c ->
                    {
                        try
                        {
                            final TcpSimulationProperties.Side side = new TcpSimulationProperties.Side(seed + 1,
                                core.coreId());
                            servers.add(side);
                            return side;
                        }
                        catch (final Exception e)
                        {
                            throw new IllegalStateException(e);
                        }
                    })).build();
                final SimHost clientHost = net.newHost("client").cores(clientCores).address(SimNetwork.CLIENT_ADDRESS)
                    .ipv6(CLIENT + "/64").configure(b -> b.tcp(CONFIG)).build();
                net.connect(clientHost, server, faults, faults);
                final int connectingCore = clientCores - 1;
                client[0] = new TcpSimulationProperties.Side(seed, connectingCore);
                clientHost.stack().core(connectingCore).submit(c -> c.connect(SERVER, PORT, client[0]));
                final String what = "[" + faults + ", cores " + clientCores + "/" + serverCores + "]";
                assertTrue(net.runUntil(() -> client[0].closedReason >= 0 && servers.size() == 1
                    && servers.get(0).closedReason >= 0, 600 * S), what + " transfer did not finish: client read "
                    + client[0].read + ", server " + (servers.isEmpty() ? "never accepted" : "read " + servers.get(0).read));
                final TcpSimulationProperties.Side srv = servers.get(0);
                assertArrayEquals(client[0].sentDigest(), srv.received.digest(), what + " client to server");
                assertArrayEquals(srv.sentDigest(), client[0].received.digest(), what + " server to client");
                assertEquals(TcpHandler.CLOSED_NORMALLY, client[0].closedReason, what);
                assertEquals(TcpHandler.CLOSED_NORMALLY, srv.closedReason, what);
                assertEquals(server.ownership().ownerOfFlow6(0, 6, CLIENT.high(), CLIENT.low(), SERVER.high(),
                    SERVER.low(), srv.remotePort, PORT), srv.core, what + " server core");
                assertEquals(clientHost.ownership().ownerOfFlow6(0, 6, SERVER.high(), SERVER.low(), CLIENT.high(),
                    CLIENT.low(), PORT, client[0].localPort), connectingCore, what + " client core");
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
}
