package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.test.SimulationSeedExtension;
import io.flowstack.ip.udp.UdpEndpoint;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole two-core stack whose devices go away under it, without root: a simulated card fails on demand
 * ({@code MemoryDriver.fail}) as a TAP whose namespace was deleted does. The stack reports the interface once, with
 * the device and the errno, and how many are left; each core takes the queue out of service; frames for that
 * interface are dropped and counted; the other interface keeps serving; the last one gone leaves none.
 */
@ExtendWith(SimulationSeedExtension.class)
class DeviceFailureSimTest
{
    private static final long MS = 1_000_000L;
    private static final int EBADFD = 77;
    private static final int ENODEV = 19;
    private static final int PORT = 7;

    @Test
    void shouldReportEachGoneInterfaceOnceAndKeepServingTheOthers(final SimulationSeed seed)
    {
        final List<String> reports = new CopyOnWriteArrayList<>();
        final int[] answers = new int[2];
        final UdpEndpoint[][] clients = new UdpEndpoint[2][];
        try (SimNetwork net = new SimNetwork(seed.value()))
        {
            final SimHost server = net.newHost("server").cores(2).address("198.18.0.2/24").address("198.18.1.2/24")
                .onEachCore(core -> core.bindUdp(PORT,
                    (ep, src, port, buf, off, len) -> ep.send(src, port, buf, off, len)))
                .configure(b -> b.onInterfaceGone((ifIndex, device, errno, left) ->
                    reports.add(ifIndex + " " + errno + " " + left)))
                .build();
            final SimHost client = net.newHost("client").cores(1).address("198.18.0.1/24").address("198.18.1.1/24")
                .onEachCore(core ->
                {
                    clients[0] = new UdpEndpoint[] {
                        core.openUdp(Ipv4Flyweight.parseAddress("198.18.0.2"), PORT,
                            (ep, src, port, buf, off, len) -> answers[0]++),
                        core.openUdp(Ipv4Flyweight.parseAddress("198.18.1.2"), PORT,
                            (ep, src, port, buf, off, len) -> answers[1]++)};
                })
                .build();
            net.connect(client, server, FaultProfile.NONE, FaultProfile.NONE);
            net.simulator().connect(client.port(1), server.port(1), FaultProfile.NONE, FaultProfile.NONE);

            assertEquals(List.of(10, 10), exchange(net, clients[0], answers, 10), "both interfaces serve");

            server.port(0).driver().fail(EBADFD);
            net.runFor(10 * MS);
            assertEquals(List.of("0 77 1"), reports, "one report for interface 0, one interface left");
            assertEquals(1, server.stack().interfacesLeft());
            assertEquals(2, server.counter("engine.queues_failed"), "both cores took their handle out of service");
            assertEquals(List.of(0, 10), exchange(net, clients[0], answers, 10), "interface 1 still serves");

            // The server still routes to 198.18.0.0/24 through the gone interface: dropped and counted, not sent.
            final long before = server.port(0).driver().txFrames();
            final long noDevice = server.counter("engine.tx_no_device");
            server.engine(0).submit(() -> server.ip(0).udp().open(Ipv4Flyweight.parseAddress("198.18.0.1"), 9,
                (ep, src, port, buf, off, len) -> { }).send(Ipv4Flyweight.parseAddress("198.18.0.1"), 9,
                new UnsafeBuffer(new byte[8]), 0, 8));
            net.runFor(10 * MS);
            assertEquals(before, server.port(0).driver().txFrames(), "nothing written to a gone device");
            assertTrue(server.counter("engine.tx_no_device") > noDevice, "frames for the gone interface counted");

            server.port(1).driver().fail(ENODEV);
            net.runFor(10 * MS);
            assertEquals(List.of("0 77 1", "1 19 0"), reports, "the last one: none left");
            assertEquals(0, server.stack().interfacesLeft());
            assertEquals(0, server.engine(0).receiveQueueCount());
            assertEquals(0, net.buffersOutstanding(), "every buffer back in its pool");
        }
    }

    /** Sends {@code n} requests on each interface, returns the answers each got. */
    private static List<Integer> exchange(final SimNetwork net, final UdpEndpoint[] clients, final int[] answers,
        final int n)
    {
        answers[0] = 0;
        answers[1] = 0;
        final UnsafeBuffer request = new UnsafeBuffer(new byte[32]);
        for (int i = 0; i < n; i++)
        {
            final int id = i;
            net.simulator().scheduleAfter(i * MS, () ->
            {
                request.putInt(0, id);
                clients[0].send(Ipv4Flyweight.parseAddress("198.18.0.2"), PORT, request, 0, 32);
                clients[1].send(Ipv4Flyweight.parseAddress("198.18.1.2"), PORT, request, 0, 32);
            });
        }
        net.runFor((n + 100) * MS);
        final List<Integer> got = new ArrayList<>();
        got.add(answers[0]);
        got.add(answers[1]);
        return got;
    }
}
