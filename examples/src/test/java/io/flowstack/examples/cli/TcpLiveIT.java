package io.flowstack.examples.cli;

import com.sun.net.httpserver.HttpServer;
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
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP against the Linux kernel, live, with {@code --cores 2}: curl and socat as clients of flowstack's http and
 * echo, flowstack get as a client of a kernel HTTP server, many connections at once, and no connection left
 * stuck on the kernel's side. Needs root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TcpLiveIT
{
    private static final String STACK = "198.18.0.2";
    private static final int SIZE = 20_000_000;
    private static String ns;
    @TempDir
    static Path root;
    private static Path big;
    private static String bigSha;
    private static FlowstackProcess server;
    private static NetNs netns;

    @BeforeAll
    static void start() throws Exception
    {
        RootRequirement.assumeRoot();
        NetNs.cleanStale("fstest-tcp-");
        ns = Names.namespace("tcp");
        big = root.resolve("big.bin");
        final byte[] data = new byte[SIZE];
        new Random(4).nextBytes(data);
        Files.write(big, data);
        bigSha = sha256(big);
        server = FlowstackProcess.serve("--tap", Names.device(), "--netns", ns, "--host-ip", "198.18.0.1/24",
            "--ip", STACK + "/24", "--cores", "2", "--app", "http:80", "--app", "echo:7", "--root", root.toString());
        netns = NetNs.createOrAdopt(ns);
    }

    @AfterAll
    static void stop() throws Exception
    {
        if (server != null)
        {
            server.close();
        }
        NetNs.deleteIfExists(ns);
    }

    static String sha256(final Path file) throws Exception
    {
        final MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(Files.readAllBytes(file));
        return HexFormat.of().formatHex(md.digest());
    }

    private static ExecResult inside(final String... command) throws IOException
    {
        return netns.exec(Duration.ofSeconds(120), command);
    }

    @Test
    @Order(1)
    void shouldServeTwentyMegabytesToCurlWithTheSameSha256() throws Exception
    {
        ToolRequirement.require("curl");
        final Path out = root.resolve("curl.out");
        final ExecResult r = inside("curl", "-sS", "-o", out.toString(), "-w", "%{http_code} %{speed_download}",
            "http://" + STACK + "/big.bin");
        assertEquals(0, r.exitCode(), r.stderr());
        System.out.println("curl: " + r.stdout() + " bytes/s");
        assertTrue(r.stdout().startsWith("200"), r.stdout());
        assertEquals(bigSha, sha256(out));
    }

    @Test
    @Order(2)
    void shouldEchoTwentyMegabytesFromSocatByteForByte() throws Exception
    {
        ToolRequirement.require("bash", "socat");
        final Path out = root.resolve("echo.out");
        final ExecResult r = inside("bash", "-c", "socat -b 65536 -t 10 - TCP:" + STACK + ":7 < " + big + " > " + out);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(bigSha, sha256(out));
    }

    @Test
    @Order(3)
    void shouldFetchTwentyMegabytesFromAKernelHttpServerWithFlowstackGet() throws Exception
    {
        fetchWithGet(big, bigSha, root.resolve("get.out"));
    }

    /**
     * flowstack get fetches a file from a kernel HTTP server in a namespace of its own (its own TAP, from a second
     * flowstack process) and the copy has the original's SHA-256.
     *
     * @param big   the file the kernel serves.
     * @param sha   its SHA-256.
     * @param out   where get writes it.
     * @param extra more options for get.
     */
    static void fetchWithGet(final Path big, final String sha, final Path out, final String... extra) throws Exception
    {
        final long size = Files.size(big);
        // A kernel HTTP server in a namespace of its own with its own TAP from a second flowstack process.
        final String getNs = Names.namespace("tcp-get");
        final NetNs serverNs = NetNs.create(getNs);
        final HttpServer[] http = new HttpServer[1];
        try
        {
            serverNs.callInside(() ->
            {
                http[0] = HttpServer.create(new InetSocketAddress(8000), 16);
                http[0].createContext("/big.bin", exchange ->
                {
                    exchange.sendResponseHeaders(200, size);
                    try (OutputStream body = exchange.getResponseBody())
                    {
                        Files.copy(big, body);
                    }
                });
                http[0].start();
                return null;
            });
            final List<String> command = new ArrayList<>(List.of("java", "-jar", FlowstackProcess.jar(), "get",
                "--tap", Names.device(), "--netns", getNs, "--host-ip", "198.18.3.1/24", "--ip", "198.18.3.2/24",
                "--cores", "2", "http://198.18.3.1:8000/big.bin", "-o", out.toString()));
            command.addAll(List.of(extra));
            final Process get = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String said = new String(get.getInputStream().readAllBytes());
            assertTrue(get.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, get.exitValue(), said);
            System.out.println(said.lines().filter(l -> l.startsWith("flowstack")).findFirst().orElse(said));
            assertEquals(sha, sha256(out));
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

    @Test
    @Order(4)
    void shouldServeHundredConcurrentCurlConnectionsOnBothCores() throws Exception
    {
        ToolRequirement.require("bash", "curl");
        Files.writeString(root.resolve("small.txt"), "hello from flowstack\n");
        final ExecResult r = inside("bash", "-c",
            "for i in $(seq 1 100); do curl -s -o /dev/null -w '%{http_code}\\n' http://" + STACK + "/small.txt & done; wait");
        final List<String> codes = new ArrayList<>(r.stdout().lines().filter(l -> !l.isBlank()).toList());
        assertEquals(100, codes.size(), r.stdout() + r.stderr());
        assertTrue(codes.stream().allMatch("200"::equals), "all succeed: " + codes);
        final String json = server.statJson();
        final long core0 = StatJson.counter(json, 0, "tcp.established");
        final long core1 = StatJson.counter(json, 1, "tcp.established");
        System.out.println("connections established: core 0 " + core0 + ", core 1 " + core1);
        assertTrue(core0 > 10 && core1 > 10, "both cores own connections: " + core0 + " / " + core1);
    }

    @Test
    @Order(5)
    void shouldLeaveNoConnectionStuckOnTheKernelSide() throws Exception
    {
        ToolRequirement.require("ss");
        // Allow the last FINs a moment, then only TIME-WAIT (the kernel closed first) may remain.
        String states = "";
        for (int i = 0; i < 50; i++)
        {
            states = inside("ss", "-tan", "state", "all").stdout();
            if (states.lines().skip(1).allMatch(l -> l.isBlank() || l.startsWith("TIME-WAIT") || l.startsWith("LISTEN")))
            {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("connections stuck:\n" + states);
    }
}
