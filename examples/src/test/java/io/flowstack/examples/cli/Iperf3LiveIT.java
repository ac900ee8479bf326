package io.flowstack.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stock iperf3 client in the kernel's namespace measures {@code serve --cores 2 --app iperf3}: a plain
 * {@code -t 5} run, {@code -R}, {@code -P 4}, {@code --bidir} (these three with {@code -J}, read back with Jackson),
 * a second client refused while a test runs, UDP refused. Needs root and iperf3.
 */
class Iperf3LiveIT
{
    private static final String STACK = "198.18.0.2";
    private static String ns;
    private static FlowstackProcess server;
    private static NetNs netns;

    @BeforeAll
    static void start() throws Exception
    {
        RootRequirement.assumeRoot();
        ToolRequirement.require("iperf3");
        NetNs.cleanStale("fstest-iperf3-");
        ns = Names.namespace("iperf3");
        // Two cores: the control connection and the streams land on either, so a test spans both.
        server = FlowstackProcess.serve("--tap", Names.device(), "--netns", ns, "--host-ip", "198.18.0.1/24",
            "--ip", STACK + "/24", "--cores", "2", "--app", "iperf3");
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

    private static ExecResult iperf3(final String... args) throws Exception
    {
        final String[] command = new String[args.length + 3];
        command[0] = "iperf3";
        command[1] = "-c";
        command[2] = STACK;
        System.arraycopy(args, 0, command, 3, args.length);
        return netns.exec(Duration.ofSeconds(60), command);
    }

    private static JsonNode json(final String... args) throws Exception
    {
        final String[] withJ = new String[args.length + 1];
        System.arraycopy(args, 0, withJ, 0, args.length);
        withJ[args.length] = "-J";
        final ExecResult r = iperf3(withJ);
        // Not StatJson's strict reader: iperf3 3.12 writes "sock_bufsize" twice in its own start object.
        final JsonNode root = new ObjectMapper().readTree(r.stdout());
        assertFalse(root.has("error"), "iperf3 error: " + root.path("error").asText());
        assertEquals(0, r.exitCode(), r.stderr());
        return root;
    }

    @Test
    void shouldReportATimedTestToAStockClient() throws Exception
    {
        final ExecResult r = iperf3("-t", "5");
        System.out.println(r.stdout());
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("sender") && r.stdout().contains("receiver"), r.stdout());
        assertTrue(r.stdout().contains("iperf Done."), r.stdout());
        assertTrue(server.output().stream().anyMatch(l -> l.startsWith("flowstack: iperf3: test from 198.18.0.1")
            && l.contains("1 stream,") && l.contains("received")), "the server's line: " + server.output());
    }

    @Test
    void shouldSendInReverseMode() throws Exception
    {
        final JsonNode root = json("-t", "2", "-R");
        assertEquals(1, root.path("start").path("test_start").path("reverse").asInt());
        final long received = root.path("end").path("sum_received").path("bytes").asLong();
        final long sent = root.path("end").path("sum_sent").path("bytes").asLong();
        System.out.printf("iperf3 -R: sent %d, received %d, %.2f Gbit/s%n", sent, received,
            root.path("end").path("sum_received").path("bits_per_second").asDouble() / 1e9);
        assertTrue(received > 1_000_000, "received " + received);
        assertTrue(sent >= received, "the server sent at least what the client received: " + sent + " " + received);
        assertTrue(root.path("end").path("sum_sent").has("retransmits"), "the sending server reports retransmits");
    }

    @Test
    void shouldServeFourParallelStreams() throws Exception
    {
        final JsonNode root = json("-t", "2", "-P", "4");
        assertEquals(4, root.path("start").path("test_start").path("num_streams").asInt());
        final JsonNode streams = root.path("end").path("streams");
        assertEquals(4, streams.size(), streams.toString());
        for (final JsonNode s : streams)
        {
            assertTrue(s.path("receiver").path("bytes").asLong() > 0, "every stream received: " + s);
        }
        assertEquals("cubic", root.path("end").path("receiver_tcp_congestion").asText());
    }

    @Test
    void shouldServeBothDirectionsAtOnce() throws Exception
    {
        final JsonNode root = json("-t", "2", "--bidir");
        assertTrue(root.path("end").path("sum_received").path("bytes").asLong() > 0, "client to server");
        assertTrue(root.path("end").path("sum_received_bidir_reverse").path("bytes").asLong() > 0, "server to client");
    }

    @Test
    void shouldRefuseASecondClientWhileATestRuns() throws Exception
    {
        final Process first = netns.startProcess(ProcessBuilder.Redirect.DISCARD, "iperf3", "-c", STACK, "-t", "3");
        try
        {
            Thread.sleep(1_000);
            final ExecResult second = iperf3("-t", "1");
            assertEquals(1, second.exitCode());
            assertTrue((second.stdout() + second.stderr()).contains("busy"), second.stdout() + second.stderr());
        }
        finally
        {
            assertEquals(0, first.waitFor(), "the first test completes");
        }
    }

    @Test
    void shouldListTheConnectionsOfATransferWithStat() throws Exception
    {
        // The server sends (-R), so its cwnd grows and its SRTT comes from the kernel's ACKs.
        final Process transfer = netns.startProcess(ProcessBuilder.Redirect.DISCARD, "iperf3", "-c", STACK, "-t", "8",
            "-R");
        try
        {
            // Asked until the stream shows (a JVM starting stat on a loaded machine takes a while).
            JsonNode json = null;
            JsonNode stream = null;
            int established = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (stream == null && System.nanoTime() < deadline)
            {
                Thread.sleep(500);
                json = new ObjectMapper().readTree(stat("--connections", "--json"));
                established = 0;
                for (final JsonNode c : json.path("connections"))
                {
                    // Earlier tests' connections may still be in TIME-WAIT; this test's are established.
                    if ("ESTABLISHED".equals(c.path("state").asText()))
                    {
                        established++;
                        if (c.path("bytesAcked").asLong() > 1_000_000)
                        {
                            stream = c;
                        }
                    }
                }
            }
            final String table = stat("--connections");
            System.out.println(table);
            assertEquals(2, established, "the control connection and the stream: " + json);
            assertTrue(stream != null, "a stream that sent over 1 MB: " + json);
            assertTrue(stream.path("local").asText().equals(STACK + ":5201"), stream.toString());
            final long srttUs = stream.path("srttUs").asLong();
            assertTrue(srttUs > 0 && srttUs < 200_000, "SRTT of a local TAP, under 200 ms: " + srttUs + " us");
            assertTrue(stream.path("cwnd").asLong() >= 10L * stream.path("mss").asLong(),
                "cwnd at least the initial window: " + stream);
            assertTrue(stream.path("rtoMs").asLong() >= 200, "RTO at least the 200 ms floor: " + stream);
            assertTrue(table.contains("ESTABLISHED") && table.contains("cwnd:") && table.contains("rtt:")
                && table.contains("bytes_acked:"), table);
        }
        finally
        {
            assertEquals(0, transfer.waitFor(), "the measured test completes");
        }
    }

    private static String stat(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("java", "-jar", FlowstackProcess.jar(), "stat", "--pid",
            Long.toString(server.pid())));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "flowstack stat " + String.join(" ", args) + ": " + out);
        return out;
    }

    @Test
    void shouldRefuseUdpAsNotImplemented() throws Exception
    {
        final ExecResult r = iperf3("-u", "-t", "1");
        assertEquals(1, r.exitCode());
        assertTrue((r.stdout() + r.stderr()).contains("not implemented"), r.stdout() + r.stderr());
        // The refused test is over: the next one runs.
        assertEquals(0, iperf3("-t", "1").exitCode());
    }
}
