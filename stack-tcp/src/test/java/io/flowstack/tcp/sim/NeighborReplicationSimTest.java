package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.ip.udp.UdpEndpoint;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Neighbors stay resolved on every core for as long as traffic runs. ARP frames are all processed by one core
 * (the non-IP owner), which replicates what it learns; a core whose own entry expires asks again, and the answer
 * (arriving at the other core) must reach it even though the answering core's entry did not change. Before this
 * was so, a second core lost its neighbor a minute after start (the cache lifetime) and every connection it
 * owned stalled; the benchmarks found it.
 */
class NeighborReplicationSimTest
{
    private static final long S = 1_000_000_000L;

    @Test
    void shouldKeepSendingFromTheSecondCoreLongAfterItsNeighborEntryExpired()
    {
        final AtomicInteger echoed = new AtomicInteger();
        try (SimNetwork net = new SimNetwork(7))
        {
            final SimHost server = net.newHost("server").cores(2).address(SimNetwork.SERVER_ADDRESS).build();
            final SimHost client = net.newHost("client").cores(1).address(SimNetwork.CLIENT_ADDRESS)
                .onEachCore(core -> core.bindUdp(7, (ep, source, port, payload, offset, length) ->
                    ep.send(source, port, payload, offset, length))).build();
            net.connect(client, server, FaultProfile.parse("delay=1ms"), FaultProfile.parse("delay=1ms"));
            final UdpEndpoint[] endpoint = new UdpEndpoint[1];
            server.stack().core(1).submit(c -> endpoint[0] = c.openUdp(
                Ipv4Flyweight.parseAddress("198.18.0.1"), 7, (ep, source, port, payload, offset, length) ->
                    echoed.incrementAndGet()));
            net.runFor(S);
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
            // Five minutes, a datagram every 5 s from core 1: its neighbor entry expires every minute.
            for (int i = 1; i <= 60; i++)
            {
                server.stack().core(1).submit(c -> endpoint[0].send(Ipv4Flyweight.parseAddress("198.18.0.1"), 7,
                    payload, 0, payload.capacity()));
                net.runFor(5 * S);
                assertEquals(i, echoed.get(), "datagram " + i + " (" + i * 5 + " s) echoed; arp.failed "
                    + server.counter("arp.failed"));
            }
        }
    }
}
