package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.test.SimulationSeedExtension;
import io.flowstack.core.sim.Simulator;
import io.flowstack.ip.udp.UdpEndpoint;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example of the README's "Simulation" section, as written there, so that it keeps compiling and passing.
 */
@ExtendWith(SimulationSeedExtension.class)
class ReadmeExampleTest
{
    @Test
    void shouldRunTheReadmeExample(final SimulationSeed simulationSeed)
    {
        final long seed = simulationSeed.value();
        final FaultProfile lossy = FaultProfile.parse("loss=2%,dup=1%,reorder=1%,corrupt=1%,delay=1ms,jitter=200us");
        final int server = Ipv4Flyweight.parseAddress("198.18.0.2");
        final Set<Integer> answered = new HashSet<>();
        final UdpEndpoint[] client = new UdpEndpoint[2];

        try (SimNetwork net = SimNetwork.pair(seed, 2, lossy,
            core -> client[core.coreId()] = core.openUdp(server, 7,
                (ep, src, port, buf, off, len) -> answered.add(buf.getInt(off))),
            core -> core.bindUdp(7,
                (ep, src, port, buf, off, len) -> ep.send(src, port, buf, off, len))))
        {
            final Simulator sim = net.simulator();
            final UnsafeBuffer request = new UnsafeBuffer(new byte[64]);
            for (int i = 0; i < 100; i++)
            {
                final int id = i;
                final Runnable[] attempt = new Runnable[1];
                attempt[0] = () ->
                {
                    if (!answered.contains(id))
                    {
                        request.putInt(0, id);
                        client[id % 2].send(server, 7, request, 0, 64);
                        sim.scheduleAfter(20_000_000L, attempt[0]);
                    }
                };
                sim.schedule(0, attempt[0]);
            }
            assertTrue(net.runUntil(() -> answered.size() == 100, 60_000_000_000L));
            assertEquals(0, net.host("client").counter("udp.rx.no_port"));
        }
    }
}
