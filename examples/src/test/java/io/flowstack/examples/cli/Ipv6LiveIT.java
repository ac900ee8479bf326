package io.flowstack.examples.cli;

import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 against the Linux kernel, live: {@code flowstack serve --ip 198.18.0.2/24 --ip 2001:2::2/64} on a TAP whose
 * kernel side (198.18.0.1, 2001:2::1) sits in a namespace the server creates. Ping (also fragmented both ways), UDP
 * echo and its closed port,
 * a 20 MB download with curl and a TCP echo with socat over IPv6, the kernel's neighbor entry for the stack, and a
 * clean capture. Needs root; each step names the tool it needs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ipv6LiveIT
{
    private static final String STACK_IP6 = "2001:2::2";
    private static String ns;
    private static String tap;
    private static Path pcap;
    private static Path big;
    private static String bigSha;
    @TempDir
    static Path work;
    private static FlowstackProcess server;
    private static NetNs netns;

    @BeforeAll
    static void startServer() throws Exception
    {
        RootRequirement.assumeRoot();
        NetNs.cleanStale("fstest-ipv6-");
        ns = Names.namespace("ipv6");
        tap = Names.device();
        pcap = work.resolve("ipv6.pcap");
        big = work.resolve("big.bin");
        final byte[] data = new byte[20_000_000];
        new Random(6).nextBytes(data);
        Files.write(big, data);
        bigSha = TcpLiveIT.sha256(big);
        server = FlowstackProcess.serve(
            "--tap", tap, "--netns", ns, "--host-ip", "198.18.0.1/24", "--host-ip", "2001:2::1/64",
            "--ip", "198.18.0.2/24", "--ip", STACK_IP6 + "/64", "--app", "udp-echo:7", "--app", "echo:7",
            "--app", "http:8080", "--root", work.toString(), "--pcap", pcap.toString());
        netns = NetNs.createOrAdopt(ns);
        // The kernel's side may take a moment before its IPv6 address is usable (link up, addrconf): wait for it.
        final long deadline = System.nanoTime() + 10_000_000_000L;
        String state = "";
        while (System.nanoTime() < deadline)
        {
            state = netns.exec(Duration.ofSeconds(5), "ip", "-6", "addr", "show", "dev", tap).stdout();
            if (state.contains("2001:2::1/64") && !state.contains("tentative"))
            {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(state.contains("2001:2::1/64") && !state.contains("tentative"), "kernel side: " + state);
    }

    @AfterAll
    static void stopServer() throws Exception
    {
        if (server != null)
        {
            server.close();
        }
        NetNs.deleteIfExists(ns);
    }

    private static ExecResult inside(final String... command) throws IOException
    {
        return netns.exec(Duration.ofSeconds(60), command);
    }

    @Test
    @Order(1)
    void shouldAnswerTwentyPingsOfTwenty() throws Exception
    {
        ToolRequirement.require("ping");
        final ExecResult r = inside("ping", "-6", "-c", "20", "-i", "0.01", "-W", "1", STACK_IP6);
        assertTrue(r.stdout().contains("20 packets transmitted, 20 received"), r.stdout() + r.stderr());
    }

    @Test
    @Order(2)
    void shouldAnswerPingsFragmentedBothWays() throws Exception
    {
        ToolRequirement.require("ping");
        final ExecResult r = inside("ping", "-6", "-c", "3", "-i", "0.2", "-s", "4000", "-W", "2", STACK_IP6);
        assertTrue(r.stdout().contains("3 packets transmitted, 3 received"), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("4008 bytes from " + STACK_IP6), r.stdout());
    }

    @Test
    @Order(3)
    void shouldEchoUdpByteIdentical() throws Exception
    {
        ToolRequirement.require("bash", "socat");
        final byte[] data = new byte[1200];
        new Random(42).nextBytes(data);
        final Path in = work.resolve("udp.in");
        final Path out = work.resolve("udp.out");
        Files.write(in, data);
        final ExecResult r = inside("bash", "-c",
            "socat -T 2 - UDP6:[" + STACK_IP6 + "]:7 < " + in + " > " + out);
        assertEquals(0, r.exitCode(), r.stderr());
        assertArrayEquals(data, Files.readAllBytes(out));
    }

    @Test
    @Order(4)
    void shouldRefuseUdpToClosedPort() throws Exception
    {
        ToolRequirement.require("bash", "socat");
        final ExecResult r = inside("bash", "-c",
            "for i in 1 2 3; do echo probe; sleep 0.3; done | socat -T 3 - UDP6:[" + STACK_IP6 + "]:9");
        assertTrue(r.stderr().contains("Connection refused"), "socat said: " + r.stderr());
    }

    @Test
    @Order(5)
    void shouldServeTwentyMegabytesToCurl() throws Exception
    {
        ToolRequirement.require("curl");
        final Path out = work.resolve("curl.out");
        final ExecResult r = inside("curl", "-g", "-sS", "-o", out.toString(), "-w", "%{http_code}",
            "http://[" + STACK_IP6 + "]:8080/big.bin");
        assertEquals("200", r.stdout(), r.stderr());
        assertEquals(bigSha, TcpLiveIT.sha256(out));
    }

    @Test
    @Order(6)
    void shouldEchoTwentyMegabytesOverTcp() throws Exception
    {
        ToolRequirement.require("bash", "socat");
        final Path out = work.resolve("tcp.out");
        final ExecResult r = inside("bash", "-c",
            "socat -t 10 -T 30 - TCP6:[" + STACK_IP6 + "]:7 < " + big + " > " + out);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(bigSha, TcpLiveIT.sha256(out));
    }

    @Test
    @Order(7)
    void shouldBeReachableInTheKernelsNeighborTable() throws Exception
    {
        final ExecResult r = inside("ip", "-6", "neigh", "show", STACK_IP6);
        assertTrue(r.stdout().contains("lladdr") && (r.stdout().contains("REACHABLE")
            || r.stdout().contains("STALE") || r.stdout().contains("DELAY")), "ip -6 neigh: " + r.stdout());
        // Confirm it now: a ping makes the kernel probe and the stack's advertisement makes it REACHABLE.
        inside("ping", "-6", "-c", "1", "-W", "1", STACK_IP6);
        final ExecResult again = inside("ip", "-6", "neigh", "show", STACK_IP6);
        assertTrue(again.stdout().contains("REACHABLE"), "ip -6 neigh: " + again.stdout());
    }

    @Test
    @Order(8)
    void shouldLeaveAPcapThatTsharkFindsClean() throws Exception
    {
        ToolRequirement.require("tshark");
        assertNotEquals(-1, server.stop(), "server did not stop on SIGTERM");
        final List<String> v6 = tshark("-Y", "ipv6", "-T", "fields", "-e", "frame.number");
        assertTrue(v6.size() >= 100, "pcap holds " + v6.size() + " IPv6 frames");
        final List<String> bad = tshark("-Y",
            "_ws.malformed || (_ws.expert.severity == error && !tcp.checksum.ffff) || udp.checksum.status == \"Bad\""
                + " || tcp.checksum.status == \"Bad\" || icmpv6.checksum.status == \"Bad\"");
        assertEquals(List.of(), bad, "tshark reports malformed frames or bad checksums");
    }

    private static List<String> tshark(final String... args) throws Exception
    {
        final List<String> cmd = new java.util.ArrayList<>(List.of("tshark", "-r", pcap.toString(),
            "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tshark failed");
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
