package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.ip.wire.Ipv4Flyweight;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over seeds, core counts and fault profiles (within bounds): with application retries, every request gets an echo
 * identical to what was sent; every datagram an application handles is handled on the core that owns its flow; and
 * once the network is quiet every buffer is back in its pool. A failure prints the simulation seed and the profile
 * (jqwik prints the sample too); rerun one with {@code SimulatedUdpTest}-style code and that seed.
 * <p>
 * The property is written against the scenario's shape (client, server, start, done, checks): a TCP scenario will
 * run through the same property.
 */
class SimulationProperties
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @Provide
    Arbitrary<FaultProfile> faults()
    {
        final Arbitrary<Double> percent10 = Arbitraries.integers().between(0, 100).map(p -> p / 1000.0);
        final Arbitrary<Double> percent5 = Arbitraries.integers().between(0, 50).map(p -> p / 1000.0);
        final Arbitrary<Long> delay = Arbitraries.longs().between(0, 5_000).map(us -> us * 1_000L);
        final Arbitrary<Long> jitter = Arbitraries.longs().between(0, 1_000).map(us -> us * 1_000L);
        final Arbitrary<Boolean> burst = Arbitraries.of(true, false);
        final Arbitrary<Integer> partitionMs = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(100, 2_000));
        return Combinators.combine(percent10, percent5, percent5, percent5, delay, jitter, burst, partitionMs)
            .as((loss, dup, reorder, corrupt, d, j, bursty, partition) ->
            {
                final FaultProfile.Builder b = FaultProfile.builder()
                    .loss(loss).duplicate(dup).reorder(reorder, 2 * MS).corrupt(corrupt).delay(d).jitter(j);
                if (bursty)
                {
                    b.burst(0.02, 0.3, 0.6);
                }
                if (partition > 0)
                {
                    b.partition(partition * MS, 50 * MS);
                }
                return b.build();
            });
    }

    @Property(tries = 25)
    void shouldEchoEveryRequestIntactOnItsOwnerCore(
        @ForAll final long seed,
        @ForAll("faults") final FaultProfile faults,
        @ForAll @IntRange(min = 1, max = 3) final int clientCores,
        @ForAll @IntRange(min = 1, max = 3) final int serverCores) throws Exception
    {
        SimulationSeed.of(seed).run(s ->
        {
            final UdpEchoScenario app = new UdpEchoScenario(s, 40, 3, 20 * MS);
            try (SimNetwork net = new SimNetwork(s))
            {
                final SimHost client = net.newHost("client").cores(clientCores).address(SimNetwork.CLIENT_ADDRESS)
                    .onEachCore(app.client(clientCores, Ipv4Flyweight.parseAddress("198.18.0.2"))).build();
                final SimHost server = net.newHost("server").cores(serverCores).address(SimNetwork.SERVER_ADDRESS)
                    .onEachCore(app.server()).build();
                net.connect(client, server, faults, faults);
                app.start(net.simulator(), client, server);

                assertTrue(net.runUntil(app::done, 120 * S), "[" + faults + "] " + app);
                assertEquals(0, app.badPayloads(), "[" + faults + "] corrupt payload delivered");
                assertNull(app.ownershipViolation(client.ownership(), server.ownership()), "[" + faults + "]");
                assertTrue(app.handledCount() >= 80);
                net.runFor(10 * S);
                assertEquals(0, net.buffersOutstanding(), "[" + faults + "] buffers not returned");
            }
        });
    }
}
