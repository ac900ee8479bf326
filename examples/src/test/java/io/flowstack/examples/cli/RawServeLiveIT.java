package io.flowstack.examples.cli;

import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.netns.VethPair;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flowstack serve --raw} live against the kernel, through the packaged jar: a veth pair whose kernel end is
 * 198.18.0.1/24 in one namespace and whose other end, with no address, is read by AF_PACKET sockets (one per core,
 * in a fanout group) in a second namespace. Needs root. Namespaces are "fstest-raw-*".
 */
class RawServeLiveIT
{
    private static final String STACK_IP = "198.18.0.2";

    private String ns;
    private String stackNs;

    @BeforeEach
    void setUp()
    {
        RootRequirement.assumeRoot();
        ns = Names.namespace("raw");
        stackNs = ns + Launcher.STACK_NS_SUFFIX;
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (final String name : new String[] {stackNs, ns})
        {
            NetNs.deleteIfExists(name);
        }
    }

    private FlowstackProcess serveOnNewVeth(final String ifName, final String... extra) throws IOException
    {
        final List<String> args = new ArrayList<>(List.of("--raw", ifName, "--netns", ns, "--host-ip",
            "198.18.0.1/24", "--ip", STACK_IP + "/24", "--app", "udp-echo:7", "--app", "echo:7"));
        args.addAll(List.of(extra));
        return FlowstackProcess.serve(args.toArray(new String[0]));
    }

    @Test
    void shouldServeCurlAndSocatTwentyMegabytesWithTheSameSha256OverRawSockets(@TempDir final Path root)
        throws Exception
    {
        ToolRequirement.require("curl", "bash", "socat");
        final Path big = root.resolve("big.bin");
        final byte[] data = new byte[20_000_000];
        new java.util.Random(5).nextBytes(data);
        Files.write(big, data);
        final String sha = TcpLiveIT.sha256(big);
        final String ifName = Names.device();
        try (FlowstackProcess server = serveOnNewVeth(ifName, "--cores", "2", "--app", "http:80", "--root", root.toString()))
        {
            final NetNs kernel = NetNs.createOrAdopt(ns);
            final Path down = root.resolve("curl.out");
            final ExecResult curl = kernel.exec(Duration.ofSeconds(120), "curl", "-sS", "-o", down.toString(),
                "-w", "%{speed_download}", "http://" + STACK_IP + "/big.bin");
            assertEquals(0, curl.exitCode(), curl.stderr());
            System.out.println("raw curl: " + curl.stdout() + " bytes/s");
            assertEquals(sha, TcpLiveIT.sha256(down));
            final Path echoed = root.resolve("echo.out");
            final ExecResult socat = kernel.exec(Duration.ofSeconds(120), "bash", "-c",
                "socat -b 65536 -t 10 - TCP:" + STACK_IP + ":7 < " + big + " > " + echoed);
            assertEquals(0, socat.exitCode(), socat.stderr());
            assertEquals(sha, TcpLiveIT.sha256(echoed));
        }
    }

    @Test
    void shouldAnswerPingAndEchoUdpFlowsOnBothFanoutCores() throws Exception
    {
        ToolRequirement.require("ping", "bash", "socat");
        final String ifName = Names.device();
        try (FlowstackProcess server = serveOnNewVeth(ifName, "--cores", "2"))
        {
            assertTrue(server.firstLine().contains("2 fanout members (steering: exact, eBPF PACKET_FANOUT_EBPF"),
                server.firstLine());
            final NetNs kernel = NetNs.createOrAdopt(ns);
            assertTrue(NetNs.exists(stackNs), "the stack's end lives in " + stackNs);
            assertFalse(Files.exists(Path.of("/sys/class/net", ifName)), "nothing in the host namespace");
            assertEquals("", kernel.exec("ip", "-n", stackNs, "-4", "addr", "show", "dev", ifName).checkOk().stdout()
                .strip(), "the stack's end has no address");

            final ExecResult ping = kernel.exec("ping", "-c", "20", "-i", "0.01", STACK_IP);
            System.out.println("raw ping: " + lastLine(ping.stdout()));
            assertTrue(ping.stdout().contains("20 packets transmitted, 20 received"), ping.stdout());

            final String text = "raw socket echo " + Long.toHexString(new Random().nextLong());
            final ExecResult socat = kernel.exec("bash", "-c", "printf '%s' '" + text + "' | socat -t 2 - UDP:" + STACK_IP
                + ":7");
            assertEquals(text, socat.stdout(), "socat echo byte-identical: " + socat);

            assertEquals(200, UdpFlows.echo(kernel, STACK_IP, 200));
            final String json = server.statJson();
            final long core0 = StatJson.counter(json, 0, "flows.owned");
            final long core1 = StatJson.counter(json, 1, "flows.owned");
            System.out.println("raw fanout: flows owned core 0 " + core0 + ", core 1 " + core1
                + "; frames in core 0 " + StatJson.counter(json, 0, "engine.frames_in") + ", core 1 "
                + StatJson.counter(json, 1, "engine.frames_in") + "; forwarded by core 0 "
                + StatJson.counter(json, 0, "engine.forwarded_out") + ", by core 1 "
                + StatJson.counter(json, 1, "engine.forwarded_out"));
            assertTrue(core0 > 20 && core1 > 20, "both cores own flows: " + core0 + " / " + core1);
            // 200 flows plus the socat flow.
            assertEquals(201, core0 + core1, "every flow owned by exactly one core");
            assertTrue(StatJson.counter(json, 0, "engine.frames_in") > 50
                && StatJson.counter(json, 1, "engine.frames_in") > 50, "both fanout members receive: " + json);

            assertEquals(143, server.stop(), "ends on SIGTERM (128 + 15) within the timeout");
            assertFalse(NetNs.exists(ns), "kernel namespace removed on SIGTERM");
            assertFalse(NetNs.exists(stackNs), "stack namespace removed on SIGTERM");
        }
    }

    @Test
    void shouldSeeNoTcpResetTheStackDidNotSend(@TempDir final Path work) throws Exception
    {
        ToolRequirement.require("ping", "tshark", "bash", "socat", "timeout");
        final String ifName = Names.device();
        try (FlowstackProcess server = serveOnNewVeth(ifName, "--cores", "2"))
        {
            final NetNs kernel = NetNs.createOrAdopt(ns);
            assertTrue(kernel.exec("ping", "-c", "3", "-i", "0.05", STACK_IP).stdout().contains("3 received"));
            final File capture = work.resolve("capture.txt").toFile();
            // Every TCP segment on the kernel's end: SYN flag, RST flag and source address, one line each.
            final Process tshark = kernel.startProcess(ProcessBuilder.Redirect.to(capture), "tshark", "-l", "-n",
                "-i", ifName, "-f", "tcp", "-a", "duration:6", "-T", "fields", "-e", "ip.src", "-e",
                "tcp.flags.syn", "-e", "tcp.flags.reset");
            Thread.sleep(2_000);
            // A real connection to the stack's echo service: the kernel of the stack's namespace must stay
            // quiet (the frames are for a MAC that is not its own), so no RST from anyone.
            final ExecResult echo = kernel.exec(Duration.ofSeconds(10), "bash", "-c",
                "echo raw-tcp-echo | socat -t 2 - TCP:" + STACK_IP + ":7");
            assertTrue(echo.stdout().contains("raw-tcp-echo"), "TCP echo over raw sockets: " + echo);
            // One attempt at a closed port: exactly one RST, and it is the stack's (RFC 9293 3.10.7.1).
            kernel.exec(Duration.ofSeconds(5), "timeout", "1", "bash", "-c", "exec 3<>/dev/tcp/" + STACK_IP + "/80");
            tshark.waitFor();
            final List<String> lines = Files.readAllLines(capture.toPath(), StandardCharsets.UTF_8);
            int syns = 0;
            int resets = 0;
            for (final String line : lines)
            {
                final String[] f = line.split("\t");
                if (f.length >= 3 && f[0].matches("[0-9.]+"))
                {
                    syns += isSet(f[1]) ? 1 : 0;
                    resets += isSet(f[2]) ? 1 : 0;
                }
            }
            System.out.println("raw TCP capture: " + syns + " SYNs, " + resets + " RSTs");
            assertTrue(syns >= 3, "the capture saw the SYNs and the SYN,ACK: " + lines);
            assertEquals(1, resets, "only the stack's RST for the closed port: " + lines);
            assertEquals(1, StatJson.counter(server.statJson(), 0, "tcp.tx.resets")
                + StatJson.counter(server.statJson(), 1, "tcp.tx.resets"), "and the stack counted it");
            assertTrue(server.isAlive());
        }
    }

    private static boolean isSet(final String flag)
    {
        return "1".equals(flag) || "True".equalsIgnoreCase(flag);
    }

    @Test
    void shouldWaitWhileTheInterfaceIsDownAndServeAgainWhenItComesBack() throws Exception
    {
        ToolRequirement.require("ping");
        final String ifName = Names.device();
        try (FlowstackProcess server = serveOnNewVeth(ifName, "--cores", "2"))
        {
            final NetNs kernel = NetNs.createOrAdopt(ns);
            assertTrue(kernel.exec("ping", "-c", "5", "-i", "0.05", STACK_IP).stdout().contains("5 received"));

            new ProcessBuilder("ip", "-n", stackNs, "link", "set", "dev", ifName, "down").inheritIO().start().waitFor();
            awaitOutput(server, "went down", 5_000);
            final double cpu = cpuShare(server.pid(), 2_000);
            System.out.println("raw interface down: server CPU " + String.format("%.1f%%", cpu * 100) + " of one core");
            assertTrue(cpu < 0.10, "a down interface must not make the cores spin: " + cpu);
            assertFalse(kernel.exec("ping", "-c", "2", "-i", "0.2", "-W", "1", STACK_IP).stdout().contains(" 2 received"));
            assertTrue(server.isAlive(), "the server waits for the interface");

            new ProcessBuilder("ip", "-n", stackNs, "link", "set", "dev", ifName, "up").inheritIO().start().waitFor();
            awaitOutput(server, "is up again", 5_000);
            final ExecResult ping = kernel.exec("ping", "-c", "10", "-i", "0.05", "-w", "5", STACK_IP);
            // At least ten echoes answered. With -w ping sends on while the first answers wait (CI runs saw the first
            // answer after 0.8 s, ARP's retry being 1 s) and stops at the tenth answer, so the requests still in
            // flight then count as lost ("12 packets transmitted, 10 received") unless their answers came in the same
            // burst ("12 received"): count the answers, not the loss.
            final Matcher received = Pattern.compile("(\\d+) received").matcher(ping.stdout());
            assertTrue(received.find() && Integer.parseInt(received.group(1)) >= 10,
                "ping after the interface came back: " + ping.stdout());
            final long down = server.output().stream().filter(l -> l.contains("went down")).count();
            final long up = server.output().stream().filter(l -> l.contains("is up again")).count();
            assertEquals(1, down, "one line when it went down: " + server.output());
            assertEquals(1, up, "one line when it came back: " + server.output());
        }
    }

    @Test
    void shouldServeAnExistingInterfaceOfTheCurrentNamespace() throws Exception
    {
        ToolRequirement.require("ping");
        final String ifName = Names.device();
        try (VethPair veth = VethPair.create(ns, stackNs, ifName, "198.18.0.1/24");
             FlowstackProcess server = FlowstackProcess.serveWith(List.of("ip", "netns", "exec", stackNs),
                 "--raw", ifName, "--ip", STACK_IP + "/24", "--app", "udp-echo:7", "--fanout", "lb", "--cores", "2"))
        {
            assertTrue(server.firstLine().contains("2 fanout members (steering: software)"), server.firstLine());
            final ExecResult ping = veth.kernelNs().exec("ping", "-c", "20", "-i", "0.01", STACK_IP);
            assertTrue(ping.stdout().contains("20 received"), ping.stdout());
            assertEquals(50, UdpFlows.echo(veth.kernelNs(), STACK_IP, 50));
            assertEquals(143, server.stop(), "ends on SIGTERM (128 + 15) within the timeout");
            assertTrue(NetNs.exists(stackNs), "an existing interface's namespace is left alone");
        }
        assertFalse(NetNs.exists(stackNs));
    }

    @Test
    void shouldRefuseAMissingInterfaceWithOneLine() throws Exception
    {
        final Process p = new ProcessBuilder("java", "-jar", FlowstackProcess.jar(), "serve", "--raw", "fstnosuch0",
            "--ip", STACK_IP + "/24").redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(1, p.waitFor());
        assertEquals("flowstack: no interface named fstnosuch0 in this network namespace", lastLine(out));
    }

    @Test
    void shouldRefuseWithoutPermissionWithOneLine() throws Exception
    {
        ToolRequirement.require("setpriv");
        // No perf data: nobody's JVM would leave /tmp/hsperfdata_nobody behind.
        final Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "java",
            "-XX:-UsePerfData", "-jar", new File(FlowstackProcess.jar()).getAbsolutePath(), "serve", "--raw", "lo",
            "--ip", STACK_IP + "/24").redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(1, p.waitFor());
        assertTrue(lastLine(out).startsWith("flowstack: socket(AF_PACKET, SOCK_RAW) needs CAP_NET_RAW (run as root)"),
            out);
    }

    private static String lastLine(final String text)
    {
        final String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static void awaitOutput(final FlowstackProcess server, final String text, final long timeoutMs)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (server.output().stream().noneMatch(l -> l.contains(text)))
        {
            assertTrue(System.currentTimeMillis() < deadline, "no '" + text + "' in " + server.output());
            Thread.sleep(50);
        }
    }

    /**
     * @return CPU time of the process over {@code ms} as a share of one core, from /proc/PID/stat.
     */
    private static double cpuShare(final long pid, final long ms) throws Exception
    {
        final long ticksBefore = cpuTicks(pid);
        final long start = System.nanoTime();
        Thread.sleep(ms);
        final long ticks = cpuTicks(pid) - ticksBefore;
        final double seconds = (System.nanoTime() - start) / 1e9;
        return ticks / 100.0 / seconds;
    }

    private static long cpuTicks(final long pid) throws IOException
    {
        final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14 and 15 (utime, stime) are 12 and 13 after the command name and state.
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
