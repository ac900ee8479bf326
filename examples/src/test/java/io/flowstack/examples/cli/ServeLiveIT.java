package io.flowstack.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstack.core.counter.CountersFile;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flowstack serve} as a user runs it (the packaged jar, in its own process) against the Linux kernel
 * through a TAP whose kernel side sits in a namespace the server creates. Needs root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeLiveIT
{
    private static final String STACK_IP = "198.18.0.2";
    private static String ns;
    private static String tap;
    private static Path pcap;
    @TempDir
    static Path work;
    private static FlowstackProcess server;
    private static NetNs netns;

    @BeforeAll
    static void startServer() throws Exception
    {
        RootRequirement.assumeRoot();
        NetNs.cleanStale("fstest-serve-");
        ns = Names.namespace("serve");
        tap = Names.device();
        pcap = work.resolve("serve.pcap");
        server = FlowstackProcess.serve(
            "--tap", tap, "--netns", ns, "--host-ip", "198.18.0.1/24", "--ip", STACK_IP + "/24",
            "--app", "udp-echo:7", "--pcap", pcap.toString());
        netns = NetNs.createOrAdopt(ns);
    }

    @AfterAll
    static void stopServer() throws Exception
    {
        if (server != null)
        {
            server.close();
        }
        // Only if the server could not clean up (killed, or a failed test): the namespace holds the TAP.
        NetNs.deleteIfExists(ns);
    }

    private static ExecResult inside(final String... command) throws IOException
    {
        return netns.exec(Duration.ofSeconds(30), command);
    }

    @Test
    @Order(1)
    void shouldAnswerTwentyPingsOfTwenty() throws Exception
    {
        ToolRequirement.require("ping");
        final ExecResult r = inside("ping", "-c", "20", "-i", "0.01", "-W", "1", STACK_IP);
        assertTrue(r.stdout().contains("20 packets transmitted, 20 received"), r.stdout() + r.stderr());
    }

    @Test
    @Order(2)
    void shouldAnswerPingsFragmentedBothWays() throws Exception
    {
        ToolRequirement.require("ping");
        final ExecResult r = inside("ping", "-c", "3", "-i", "0.2", "-s", "4000", "-W", "2", STACK_IP);
        assertTrue(r.stdout().contains("3 packets transmitted, 3 received"), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("4008 bytes from " + STACK_IP), r.stdout());
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
        final ExecResult r = inside("bash", "-c", "socat -T 2 - UDP:" + STACK_IP + ":7 < " + in + " > " + out);
        assertEquals(0, r.exitCode(), r.stderr());
        assertArrayEquals(data, Files.readAllBytes(out));
    }

    @Test
    @Order(4)
    void shouldRefuseUdpToClosedPort() throws Exception
    {
        ToolRequirement.require("bash", "socat");
        final ExecResult r = inside("bash", "-c",
            "for i in 1 2 3; do echo probe; sleep 0.3; done | socat -T 3 - UDP:" + STACK_IP + ":9");
        assertTrue(r.stderr().contains("Connection refused"), "socat said: " + r.stderr());
    }

    @Test
    @Order(5)
    void shouldIdleBelowFivePercentOfOneCore() throws Exception
    {
        ToolRequirement.require("getconf");
        // Let the JIT finish with the start-up and the earlier steps: idle means nothing left to do.
        Thread.sleep(5000);
        final long hz = Long.parseLong(new String(
            new ProcessBuilder("getconf", "CLK_TCK").start().getInputStream().readAllBytes()).trim());
        final long t0 = System.nanoTime();
        final long c0 = cpuTicks(server.pid());
        Thread.sleep(5000);
        final long c1 = cpuTicks(server.pid());
        final double seconds = (System.nanoTime() - t0) / 1e9;
        final double percent = 100.0 * (c1 - c0) / hz / seconds;
        System.out.printf("flowstack serve idle CPU: %.2f%% of one core over %.1f s%n", percent, seconds);
        assertTrue(percent < 5.0, "idle CPU " + percent + "%");
    }

    /** utime + stime of all the process's threads, from /proc/PID/stat (fields 14 and 15). */
    private static long cpuTicks(final long pid) throws IOException
    {
        final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    @Test
    @Order(6)
    void shouldShowTheServersCountersToFlowstackStatInAnotherProcess() throws Exception
    {
        // Traffic of its own from kernel sockets, so this test needs no tool and no earlier test.
        assertEquals(10, UdpFlows.echo(netns, STACK_IP, 10));
        assertTrue(Files.exists(CountersFile.defaultFile(server.pid())), "counters file published");
        final Process stat = new ProcessBuilder(
            "java", "-jar", System.getProperty("flowstack.jar", "target/flowstack.jar"),
            "stat", "--pid", Long.toString(server.pid()), "--json")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        final String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(stat.waitFor(30, TimeUnit.SECONDS), "stat did not finish");
        assertEquals(0, stat.exitValue(), "stat exit code; output: " + out);

        final JsonNode json = StatJson.parse(out);
        assertEquals(server.pid(), json.get("pid").longValue());
        final String description = json.get("description").textValue();
        assertTrue(description.contains("--tap " + tap), "description: " + description);
        final JsonNode core0 = json.get("cores").get("0");
        final long framesIn = core0.get("engine.frames_in").longValue();
        assertTrue(framesIn >= 10, "engine.frames_in on core 0: " + framesIn);
        assertTrue(core0.get("udp.rx.datagrams").longValue() >= 10, "UDP datagrams: " + core0.get("udp.rx.datagrams"));
        assertEquals(framesIn, json.get("total").get("engine.frames_in").longValue());
    }

    @Test
    @Order(7)
    void shouldRemoveWhatItCreatedOnSigterm() throws Exception
    {
        assertNotEquals(-1, server.stop(), "server did not stop on SIGTERM");
        assertFalse(NetNs.exists(ns), "namespace " + ns + " left behind");
        assertFalse(Files.exists(Path.of("/sys/class/net", tap)), "TAP " + tap + " left behind");
        assertFalse(Files.exists(CountersFile.defaultFile(server.pid())), "counters file left behind");
        netns = null;
    }

    @Test
    @Order(8)
    void shouldLeaveAPcapThatTsharkFindsClean() throws Exception
    {
        ToolRequirement.require("tshark");
        final List<String> all = tshark(pcap, "-T", "fields", "-e", "frame.number");
        assertTrue(all.size() >= 20, "pcap holds " + all.size() + " frames");
        final List<String> bad = tshark(pcap, "-Y",
            "_ws.malformed || (_ws.expert.severity == error && !tcp.checksum.ffff) || ip.checksum.status == \"Bad\""
                + " || udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\"");
        assertEquals(List.of(), bad, "tshark reports malformed frames or bad checksums");
        final List<String> good = tshark(pcap, "-T", "fields", "-e", "ip.checksum.status",
            "-Y", "ip.checksum.status == \"Good\"");
        assertTrue(good.size() >= 20, "tshark verified " + good.size() + " IP checksums");
    }

    private static List<String> tshark(final Path file, final String... args) throws Exception
    {
        final List<String> cmd = new java.util.ArrayList<>(List.of("tshark", "-r", file.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tshark failed");
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
