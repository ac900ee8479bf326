package io.flowstack.examples.cli;

import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TAP's virtio-net offloads, live: with them (the default) the kernel and the stack exchange TCP segments of
 * up to 64 KB both ways, and a {@code --pcap} capture of a transfer is clean for tshark (checksums verified, large
 * segments shown as single frames above the MTU); with {@code --no-offloads} the 20 MB curl, socat and
 * flowstack get transfers pass as before and no frame exceeds the MTU. Needs root.
 */
class OffloadLiveIT
{
    private static final String STACK = "198.18.0.2";

    @Test
    void shouldCaptureLargeSegmentsBothWaysThatTsharkFindsClean(@TempDir final Path root) throws Exception
    {
        RootRequirement.assumeRoot();
        ToolRequirement.require("curl", "bash", "socat", "tshark");
        final Path file = write(root.resolve("four.bin"), 4_000_000);
        final Path pcap = root.resolve("capture.pcap");
        transfers(root, file, List.of("--pcap", pcap.toString()));
        // 0xFFFF for a checksum that sums to zero is what Linux's skb_checksum_help writes too (RFC 1624 prefers 0).
        final List<String> bad = tshark(pcap, "-Y",
            "_ws.malformed || (_ws.expert.severity == error && !tcp.checksum.ffff)"
            + " || ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\"");
        assertEquals(List.of(), bad, "tshark reports malformed frames or bad checksums");
        final List<String> good = tshark(pcap, "-Y", "tcp.checksum.status == \"Good\"", "-T", "fields",
            "-e", "frame.number");
        final List<String> large = tshark(pcap, "-Y", "frame.len > 1514", "-T", "fields", "-e", "ip.src",
            "-e", "frame.len");
        final long fromStack = large.stream().filter(l -> l.startsWith(STACK + "\t")).count();
        final int largest = large.stream().mapToInt(l -> Integer.parseInt(l.split("\t")[1])).max().orElse(0);
        System.out.println("offloads: " + good.size() + " TCP checksums verified by tshark; " + large.size()
            + " frames above the MTU (" + fromStack + " from the stack), the largest " + largest + " bytes");
        assertTrue(good.size() > 100, "tshark verified " + good.size() + " TCP checksums");
        assertTrue(fromStack > 0, "the stack sent large segments");
        assertTrue(large.size() > fromStack, "the kernel sent large segments");
        assertTrue(largest <= 14 + 65_535, "within one IP datagram: " + largest);
    }

    @Test
    void shouldMoveTwentyMegabytesAsBeforeWithoutOffloads(@TempDir final Path root) throws Exception
    {
        RootRequirement.assumeRoot();
        ToolRequirement.require("curl", "bash", "socat", "tshark");
        final Path file = write(root.resolve("big.bin"), 20_000_000);
        final Path pcap = root.resolve("plain.pcap");
        transfers(root, file, List.of("--no-offloads", "--pcap", pcap.toString()));
        assertEquals(List.of(), tshark(pcap, "-Y", "frame.len > 1514"), "no frame above the MTU without offloads");
        TcpLiveIT.fetchWithGet(file, TcpLiveIT.sha256(file), root.resolve("get.out"), "--no-offloads");
    }

    private static Path write(final Path file, final int size) throws Exception
    {
        final byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Files.write(file, data);
        return file;
    }

    /** curl downloads the file from the stack's http, socat sends it through the stack's echo: same SHA-256. */
    private static void transfers(final Path root, final Path file, final List<String> options) throws Exception
    {
        NetNs.cleanStale("fstest-offl-");
        final String ns = Names.namespace("offl");
        final String sha = TcpLiveIT.sha256(file);
        final List<String> args = new ArrayList<>(List.of("--tap", Names.device(), "--netns", ns, "--host-ip",
            "198.18.0.1/24", "--ip", STACK + "/24", "--app", "http:80", "--app", "echo:7", "--root", root.toString()));
        args.addAll(options);
        try (FlowstackProcess server = FlowstackProcess.serve(args.toArray(new String[0])))
        {
            final NetNs netns = NetNs.createOrAdopt(ns);
            final Path down = root.resolve("down.bin");
            final ExecResult curl = netns.exec(Duration.ofSeconds(120), "curl", "-sS", "-o", down.toString(),
                "http://" + STACK + "/" + file.getFileName());
            assertEquals(0, curl.exitCode(), curl.stderr());
            assertEquals(sha, TcpLiveIT.sha256(down), "stack to kernel " + options);
            final Path echoed = root.resolve("echo.bin");
            final ExecResult socat = netns.exec(Duration.ofSeconds(120), "bash", "-c",
                "socat -b 65536 -t 10 - TCP:" + STACK + ":7 < " + file + " > " + echoed);
            assertEquals(0, socat.exitCode(), socat.stderr());
            assertEquals(sha, TcpLiveIT.sha256(echoed), "kernel to stack and back " + options);
            server.stop();
        }
        finally
        {
            NetNs.deleteIfExists(ns);
        }
    }

    private static List<String> tshark(final Path file, final String... args) throws Exception
    {
        final List<String> cmd = new ArrayList<>(List.of("tshark", "-r", file.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tshark failed");
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
