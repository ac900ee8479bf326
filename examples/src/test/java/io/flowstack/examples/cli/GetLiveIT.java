package io.flowstack.examples.cli;

import com.sun.net.httpserver.HttpServer;
import io.flowstack.core.counter.CountersFile;
import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code flowstack get} as curl is used: the body on standard output with {@code -o -}, a progress meter on stderr
 * only when it is a terminal, and Ctrl-C or SIGTERM in the middle of a transfer ending it in one line with its TAP
 * and counters file removed. The server is the JDK's HTTP server on the kernel's sockets, in a namespace of its
 * own. Needs root.
 */
class GetLiveIT
{
    private static final int SIZE = 4 << 20;
    private static final byte[] DATA = new byte[SIZE];
    private static String ns;
    private static NetNs netns;
    private static HttpServer http;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception
    {
        RootRequirement.assumeRoot();
        NetNs.cleanStale("fstest-get-");
        ns = Names.namespace("get");
        netns = NetNs.create(ns);
        new Random(15).nextBytes(DATA);
        netns.callInside(() ->
        {
            http = HttpServer.create(new InetSocketAddress(8000), 16);
            http.createContext("/data", exchange ->
            {
                exchange.sendResponseHeaders(200, SIZE);
                try (OutputStream body = exchange.getResponseBody())
                {
                    body.write(DATA);
                }
            });
            // 100 MB announced, 64 KiB every 50 ms: a transfer that is still running when the test interrupts it.
            http.createContext("/slow", exchange ->
            {
                exchange.sendResponseHeaders(200, 100L << 20);
                try (OutputStream body = exchange.getResponseBody())
                {
                    for (int i = 0; i < 1600; i++)
                    {
                        body.write(DATA, 0, 1 << 16);
                        body.flush();
                        Thread.sleep(50);
                    }
                }
                catch (final IOException | InterruptedException e)
                {
                    // the client went away
                }
            });
            http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            http.start();
            return null;
        });
    }

    @AfterAll
    static void stop()
    {
        if (http != null)
        {
            http.stop(0);
        }
        if (netns != null)
        {
            netns.close();
        }
    }

    /** {@code flowstack get} with its own TAP into the server's namespace. */
    private static List<String> get(final String tap, final String path, final String output, final String... extra)
    {
        final List<String> command = new ArrayList<>(List.of("java", "-jar", FlowstackProcess.jar(), "get",
            "--tap", tap, "--netns", ns, "--host-ip", "198.18.3.1/24", "--ip", "198.18.3.2/24",
            "http://198.18.3.1:8000" + path, "-o", output));
        command.addAll(List.of(extra));
        return command;
    }

    private static byte[] drain(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @Test
    void shouldWriteTheBodyToStandardOutputAndEverythingElseToStderr() throws Exception
    {
        final Process get = new ProcessBuilder(get(Names.device(), "/data", "-")).start();
        final byte[][] err = new byte[1][];
        final Thread drainErr = new Thread(() ->
        {
            try
            {
                err[0] = drain(get.getErrorStream());
            }
            catch (final IOException e)
            {
                err[0] = new byte[0];
            }
        });
        drainErr.start();
        final byte[] out = drain(get.getInputStream());
        assertTrue(get.waitFor(60, TimeUnit.SECONDS));
        drainErr.join();
        final String said = new String(err[0], StandardCharsets.UTF_8);
        assertEquals(0, get.exitValue(), said);
        assertEquals(SIZE, out.length, "exactly the body on stdout");
        assertArrayEquals(DATA, out);
        assertTrue(said.contains("flowstack: HTTP/1.1 200 OK, " + SIZE + " bytes") && said.contains("-> stdout"), said);
        assertFalse(said.contains("\r"), "no progress meter: stderr is not a terminal here: " + said);
    }

    @Test
    void shouldDrawProgressOnATerminal() throws Exception
    {
        ToolRequirement.require("script");
        final Path file = dir.resolve("tty.bin");
        // script(1) runs the command on a pseudo-terminal and copies what it printed.
        final String command = String.join(" ", get(Names.device(), "/data", file.toString()));
        final Process p = new ProcessBuilder("script", "-qfec", command, "/dev/null").redirectErrorStream(true).start();
        final String said = new String(drain(p.getInputStream()), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), said);
        assertArrayEquals(DATA, Files.readAllBytes(file));
        assertTrue(said.contains("\r") && said.contains("4.0 MiB / 4.0 MiB  100%"), "a meter ending at 100%: " + said);
    }

    @Test
    void shouldSayInOneLineWhenTheServerIsUnreachable() throws Exception
    {
        // 198.18.3.9 is on the link but nobody answers ARP for it: no connection, whatever the stack reports first
        // (the neighbor giving up, or --timeout), in one line and well within --timeout.
        final List<String> command = get(Names.device(), "/data", dir.resolve("never.bin").toString(), "--timeout",
            "8");
        command.set(command.indexOf("http://198.18.3.1:8000/data"), "http://198.18.3.9:8000/data");
        final long start = System.nanoTime();
        final Process get = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String said = new String(drain(get.getInputStream()), StandardCharsets.UTF_8);
        assertTrue(get.waitFor(30, TimeUnit.SECONDS));
        final double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(1, get.exitValue(), said);
        final List<String> lines = said.lines().filter(l -> l.startsWith("flowstack")).toList();
        assertEquals(1, lines.size(), said);
        assertTrue(lines.get(0).startsWith("flowstack: cannot connect to 198.18.3.9:8000: "), lines.get(0));
        assertTrue(seconds < 15, "gave up after " + seconds + " s");
        assertFalse(Files.exists(dir.resolve("never.bin")), "no file for a connection that never opened");
    }

    @Test
    void shouldEndCleanlyOnSigint() throws Exception
    {
        interrupt("INT", 130);
    }

    @Test
    void shouldEndCleanlyOnSigterm() throws Exception
    {
        interrupt("TERM", 143);
    }

    private static void interrupt(final String signal, final int expectedExit) throws Exception
    {
        final String tap = Names.device();
        final Path file = dir.resolve("slow-" + signal + ".bin");
        // The signals at their default disposition: a shell that started this build in the background made it (and
        // so every child) ignore SIGINT, and a JVM keeps an ignored SIGINT ignored (seen in a nohup'd full verify).
        final List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM"));
        command.addAll(get(tap, "/slow", file.toString()));
        final Process get = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Read what it says while it runs: a process whose output nobody reads blocks once the pipe is full.
        final CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return drain(get.getInputStream());
            }
            catch (final IOException e)
            {
                return new byte[0];
            }
        });
        final Path counters = CountersFile.defaultFile(get.pid());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(Files.exists(file) && Files.size(file) > (1 << 17)) && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(counters), "get publishes counters while it runs: " + counters);
        assertTrue(Files.size(file) > 0, "the transfer is under way");
        new ProcessBuilder("kill", "-" + signal, Long.toString(get.pid())).start().waitFor();
        if (!get.waitFor(20, TimeUnit.SECONDS))
        {
            // Say where it hangs, then end it: its TAP (and the second 198.18.3.1 in the namespace) must not outlive
            // this test.
            final Process dump = new ProcessBuilder("jcmd", Long.toString(get.pid()), "Thread.print")
                .redirectErrorStream(true).start();
            final String threads = new String(drain(dump.getInputStream()), StandardCharsets.UTF_8);
            get.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("get did not end within 20 s of SIG" + signal + "; it said: "
                + new String(output.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8) + "\nthreads:\n" + threads);
        }
        final String said = new String(output.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        assertEquals(expectedExit, get.exitValue(), said);
        final List<String> lines = said.lines().filter(l -> l.startsWith("flowstack")).toList();
        assertEquals(1, lines.size(), "one line: " + said);
        assertTrue(lines.get(0).startsWith("flowstack: interrupted after ") && lines.get(0).contains("partial"),
            lines.get(0));
        assertFalse(Files.exists(counters), "counters file removed");
        assertFalse(Files.exists(Path.of("/sys/class/net", tap)), "TAP removed");
        assertFalse(Arrays.asList(netns.exec("ip", "-o", "link").stdout().split("\n")).stream()
            .anyMatch(l -> l.contains(tap)), "the TAP's kernel side is gone from the namespace");
        assertTrue(NetNs.exists(ns), "the namespace get found is kept");
    }
}
