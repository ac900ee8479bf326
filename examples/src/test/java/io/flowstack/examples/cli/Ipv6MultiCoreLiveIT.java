package io.flowstack.examples.cli;

import com.sun.net.httpserver.HttpServer;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 over two cores, live against the kernel: {@code flowstack serve --cores 2} with both families on a TAP,
 * 200 IPv6 UDP flows from kernel sockets echoed byte-identical with both cores owning flows; the same flows all
 * taken by one core when a steering rule names its IPv6 address and port (on a two-queue TAP, so the kernel's
 * program applies the rule too); and {@code flowstack get --cores 2} over IPv6 from a kernel HTTP server, on a
 * single-queue and a multi-queue TAP. Needs root.
 */
class Ipv6MultiCoreLiveIT
{
    private static final String STACK_IP6 = "2001:2::2";

    @TempDir
    Path work;
    private String ns;

    @BeforeEach
    void setUp() throws Exception
    {
        RootRequirement.assumeRoot();
        NetNs.cleanStale("fstest-v6mc");
        ns = Names.namespace("v6mc");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        NetNs.deleteIfExists(ns);
    }

    @Test
    void shouldEchoTwoHundredIpv6UdpFlowsWithBothCoresOwningFlows() throws Exception
    {
        try (FlowstackProcess server = FlowstackProcess.serve("--tap", Names.device(), "--netns", ns,
            "--host-ip", "198.18.0.1/24", "--host-ip", "2001:2::1/64", "--ip", "198.18.0.2/24",
            "--ip", STACK_IP6 + "/64", "--app", "udp-echo:7", "--cores", "2"))
        {
            final NetNs netns = NetNs.createOrAdopt(ns);
            // Each flow's datagram is retried up to three times, which also covers the first neighbor resolution.
            assertEquals(200, UdpFlows.echo(netns, STACK_IP6, 200), "every IPv6 flow echoed byte-identical");
            final String json = server.statJson();
            final long core0 = StatJson.counter(json, 0, "udp.rx.datagrams");
            final long core1 = StatJson.counter(json, 1, "udp.rx.datagrams");
            final long owned0 = StatJson.counter(json, 0, "flows.owned");
            final long owned1 = StatJson.counter(json, 1, "flows.owned");
            System.out.println("IPv6 UDP datagrams: core 0 " + core0 + ", core 1 " + core1 + "; flows owned: "
                + owned0 + " / " + owned1 + "; forwarded by core 0: " + StatJson.counter(json, 0, "engine.forwarded_out")
                + ", by core 1: " + StatJson.counter(json, 1, "engine.forwarded_out"));
            assertTrue(core0 > 20 && core1 > 20, "both cores take IPv6 flows: " + core0 + " / " + core1);
            assertEquals(200, owned0 + owned1, "every flow owned by exactly one core");
            assertTrue(owned0 > 20 && owned1 > 20, "both cores own flows: " + owned0 + " / " + owned1);
            assertEquals(0, StatJson.counter(json, 0, "udp.rx.bad_checksum") + StatJson.counter(json, 1,
                "udp.rx.bad_checksum"));
            server.stop();
            assertFalse(NetNs.exists(ns), "namespace removed on SIGTERM");
        }
    }

    @Test
    void shouldSteerEveryIpv6UdpFlowToTheCoreARuleNames() throws Exception
    {
        try (FlowstackProcess server = FlowstackProcess.serve("--tap", Names.device(), "--netns", ns,
            "--host-ip", "198.18.0.1/24", "--host-ip", "2001:2::1/64", "--ip", "198.18.0.2/24",
            "--ip", STACK_IP6 + "/64", "--app", "udp-echo:7", "--cores", "2", "--queues", "2",
            "--steer", "udp:[" + STACK_IP6 + "]:7@1"))
        {
            assertTrue(server.firstLine().contains("steering: exact, eBPF"), server.firstLine());
            final NetNs netns = NetNs.createOrAdopt(ns);
            assertEquals(200, UdpFlows.echo(netns, STACK_IP6, 200), "every IPv6 flow echoed byte-identical");
            final String json = server.statJson();
            final long core0 = StatJson.counter(json, 0, "udp.rx.datagrams");
            final long core1 = StatJson.counter(json, 1, "udp.rx.datagrams");
            final long forwarded = StatJson.counter(json, 0, "engine.forwarded_out");
            System.out.println("IPv6 UDP datagrams with udp:[" + STACK_IP6 + "]:7@1: core 0 " + core0 + ", core 1 "
                + core1 + "; frames core 0 forwarded: " + forwarded);
            assertEquals(0, core0, "the rule leaves core 0 no IPv6 datagram to port 7");
            assertTrue(core1 >= 200, "core 1 takes every flow: " + core1);
            assertTrue(forwarded < 20, "the kernel applies the rule too (core 0 forwards only the odd "
                + "multicast listener report): " + forwarded);
            assertEquals(0, StatJson.counter(json, 0, "flows.owned"));
        }
    }

    /**
     * {@code flowstack get} opens its connection on core 0; with two cores the reply segments must reach that core
     * (the computed local port makes the IPv6 tuple hash to it). Three fetches, the last on a two-queue TAP.
     */
    @Test
    void shouldFetchOverIpv6WithTwoCores() throws Exception
    {
        final Path file = work.resolve("file.bin");
        final byte[] data = new byte[2_000_000];
        new Random(14).nextBytes(data);
        Files.write(file, data);
        final String sha = TcpLiveIT.sha256(file);
        final NetNs serverNs = NetNs.create(ns);
        final HttpServer[] http = new HttpServer[1];
        try
        {
            serverNs.callInside(() ->
            {
                // The wildcard address: the kernel listens on both families.
                http[0] = HttpServer.create(new InetSocketAddress(8000), 16);
                http[0].createContext("/file.bin", exchange ->
                {
                    exchange.sendResponseHeaders(200, data.length);
                    try (OutputStream body = exchange.getResponseBody())
                    {
                        body.write(data);
                    }
                });
                http[0].start();
                return null;
            });
            for (int i = 0; i < 3; i++)
            {
                final Path out = work.resolve("get" + i + ".out");
                final ProcessBuilder pb = new ProcessBuilder("java", "-jar", FlowstackProcess.jar(), "get",
                    "--tap", Names.device(), "--netns", ns, "--host-ip", "198.18.3.1/24", "--host-ip", "2001:2::1/64",
                    "--ip", "198.18.3.2/24", "--ip", STACK_IP6 + "/64", "--cores", "2", "--queues", i == 2 ? "2" : "1",
                    "--timeout", "60", "http://[2001:2::1]:8000/file.bin", "-o", out.toString());
                final Process get = pb.redirectErrorStream(true).start();
                final String said = new String(get.getInputStream().readAllBytes());
                assertTrue(get.waitFor(90, TimeUnit.SECONDS));
                assertEquals(0, get.exitValue(), said);
                System.out.println(said.lines().filter(l -> l.startsWith("flowstack: HTTP")).findFirst().orElse(said));
                assertEquals(sha, TcpLiveIT.sha256(out), "fetch " + i + " byte-identical");
                // The TAP goes with the process; wait for the kernel to drop it before the next one.
                final long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (serverNs.exec("ip", "-6", "addr", "show", "to", "2001:2::1").stdout().contains("2001:2::1")
                    && System.nanoTime() < deadline)
                {
                    Thread.sleep(50);
                }
            }
        }
        finally
        {
            if (http[0] != null)
            {
                http[0].stop(0);
            }
            serverNs.close();
        }
    }
}
