package io.flowstack.examples.cli;

import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.ip.udp.UdpEndpoint;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outgoing flows on two cores over one single-queue TAP: each core picks local ports whose replies hash back
 * to it, so the kernel's replies reach the core that sent (the endpoint exists only there). Needs root.
 */
class OutgoingUdpLiveIT
{
    private static final int FLOWS_PER_CORE = 25;

    @Test
    void shouldDeliverRepliesToTheCoreThatSent() throws Exception
    {
        RootRequirement.assumeRoot();
        final String ns = Names.namespace("out");
        final Launcher.Options options = new Launcher.Options(List.of(Names.device()), ns,
            List.of(Cidr.parse("198.18.0.1/24")), List.of(Cidr.parse("198.18.0.2/24")), List.of(), null, false,
            2, 1, null, List.of(), null, Map.of(), null, null, "outgoing UDP test", null, null, 0, Launcher.DriverKind.TAP, io.flowstack.tap.packet.FanoutMode.HASH, io.flowstack.tcp.api.TcpConfig.DEFAULT,
            io.flowstack.tap.steer.KernelSteering.AUTO, true);
        final ConcurrentLinkedQueue<String> replies = new ConcurrentLinkedQueue<>();
        final CountDownLatch all = new CountDownLatch(2 * FLOWS_PER_CORE);
        try (Launcher launcher = Launcher.start(options))
        {
            final NetNs netns = launcher.netns();
            final DatagramSocket[] server = new DatagramSocket[1];
            final CountDownLatch bound = new CountDownLatch(1);
            final Thread echo = new Thread(() ->
            {
                try
                {
                    netns.callInside(() ->
                    {
                        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("198.18.0.1"), 9000)))
                        {
                            server[0] = s;
                            bound.countDown();
                            final byte[] buf = new byte[2048];
                            while (true)
                            {
                                final DatagramPacket p = new DatagramPacket(buf, buf.length);
                                s.receive(p);
                                s.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
                            }
                        }
                        catch (final SocketException closed)
                        {
                            return null;
                        }
                    });
                }
                catch (final Exception e)
                {
                    bound.countDown();
                }
            }, "kernel-udp-echo");
            echo.start();
            assertTrue(bound.await(10, TimeUnit.SECONDS));

            final int host = Ipv4Flyweight.parseAddress("198.18.0.1");
            final int stackIp = Ipv4Flyweight.parseAddress("198.18.0.2");
            final FlowOwnership ownership = launcher.stack().ownership();
            for (int core = 0; core < 2; core++)
            {
                final int c = core;
                assertTrue(launcher.stack().core(core).submit(context ->
                {
                    final UnsafeBuffer hello = new UnsafeBuffer(("hello from core " + c).getBytes());
                    for (int i = 0; i < FLOWS_PER_CORE; i++)
                    {
                        final UdpEndpoint ep = context.openUdp(host, 9000,
                            (e, src, srcPort, buf, off, len) ->
                            {
                                replies.add(c + " " + Thread.currentThread().getName() + " " + e.localPort());
                                all.countDown();
                            });
                        // The port was computed: the reply's tuple hashes to this core.
                        if (ownership.ownerOfFlow(0, Ipv4Flyweight.PROTO_UDP, host, stackIp, 9000, ep.localPort()) != c)
                        {
                            replies.add("MISOWNED " + ep.localPort());
                        }
                        ep.send(host, 9000, hello, 0, hello.capacity());
                    }
                }));
            }
            assertTrue(all.await(10, TimeUnit.SECONDS), "replies: " + replies);
            server[0].close();
            echo.join(5000);
            int onCore0 = 0;
            int onCore1 = 0;
            for (final String r : replies)
            {
                final String[] f = r.split(" ");
                assertTrue(!f[0].equals("MISOWNED"), r);
                assertEquals("flowstack-core-" + f[0], f[1], "reply for core " + f[0] + " ran on " + f[1]);
                if (f[0].equals("0"))
                {
                    onCore0++;
                }
                else
                {
                    onCore1++;
                }
            }
            assertEquals(FLOWS_PER_CORE, onCore0);
            assertEquals(FLOWS_PER_CORE, onCore1);
            assertTrue(launcher.stack().core(1).counter("engine.forwarded_in") >= FLOWS_PER_CORE,
                "core 1's replies came through core 0, which reads the single queue");
        }
    }
}
