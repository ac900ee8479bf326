package io.flowstack.examples.cli;

import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Devices that go away under {@code flowstack serve} (the packaged jar, live, needs root): the TAP's namespace
 * deleted, a veth under {@code --raw} deleted. The server prints one line on stderr naming the device and the
 * errno, closes that interface, and exits with status 3 within 2 s when none is left; its CPU, read from
 * /proc/PID/task/TID/stat, stays low meanwhile (before the fix the reading core spun at about 75% forever).
 */
class DeviceGoneLiveIT
{
    private static final long TICKS_PER_SECOND = 100;
    private static final long SAMPLE_MS = 10;

    private String ns;
    private String stackNs;

    @BeforeEach
    void setUp()
    {
        RootRequirement.assumeRoot();
        ns = Names.namespace("gone");
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

    @Test
    void shouldSayOnceAndExitWhenTheTapsNamespaceIsDeleted() throws Exception
    {
        final String tap = Names.device();
        try (FlowstackProcess server = FlowstackProcess.serveKeepingErrorsApart("--tap", tap, "--netns", ns,
            "--host-ip", "198.18.0.1/24", "--ip", "198.18.0.2/24", "--app", "udp-echo:7", "--cores", "2"))
        {
            assertEquals(5, UdpFlows.echo(NetNs.createOrAdopt(ns), "198.18.0.2", 5), "serving before");
            final Ended ended = deleteAndWatch(server, "ip", "netns", "del", ns);
            assertEnded(server, ended, "TAP " + tap, "errno 77");
        }
    }

    @Test
    void shouldSayOnceAndExitWhenTheVethUnderRawIsDeleted() throws Exception
    {
        final String ifName = Names.device();
        try (FlowstackProcess server = FlowstackProcess.serveKeepingErrorsApart("--raw", ifName, "--netns", ns,
            "--host-ip", "198.18.0.1/24", "--ip", "198.18.0.2/24", "--app", "udp-echo:7", "--cores", "2"))
        {
            assertEquals(5, UdpFlows.echo(NetNs.createOrAdopt(ns), "198.18.0.2", 5), "serving before");
            final Ended ended = deleteAndWatch(server, "ip", "-n", ns, "link", "del", ifName);
            assertEnded(server, ended, "AF_PACKET " + ifName, "errno 19");
            assertFalse(server.output().stream().anyMatch(l -> l.contains("went down")),
                "a deleted interface is not reported as down: " + server.output());
        }
    }

    @Test
    void shouldCloseOnlyTheInterfaceThatIsGoneAndKeepServingTheOther() throws Exception
    {
        final String tap0 = Names.device();
        final String tap1 = Names.device();
        try (FlowstackProcess server = FlowstackProcess.serveKeepingErrorsApart("--tap", tap0, "--tap", tap1,
            "--netns", ns, "--host-ip", "198.18.0.1/24", "--host-ip", "198.18.1.1/24", "--ip", "198.18.0.2/24",
            "--ip", "198.18.1.2/24", "--app", "udp-echo:7", "--cores", "2"))
        {
            final NetNs netns = NetNs.createOrAdopt(ns);
            assertEquals(5, UdpFlows.echo(netns, "198.18.0.2", 5));
            quiesce(server.pid());
            netns.exec("ip", "link", "del", tap0).checkOk();
            final long deadline = System.nanoTime() + 2_000_000_000L;
            while (server.errors().isEmpty() && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            // Measured once the line is out: the server must be idle, not spinning on the gone descriptor.
            final long t0 = System.nanoTime();
            final long c0 = processTicks(server.pid());
            Thread.sleep(2000);
            final double cpu = (processTicks(server.pid()) - c0) / (double)TICKS_PER_SECOND / ((System.nanoTime() - t0) / 1e9);
            System.out.printf("one of two TAPs deleted: %s; server CPU afterwards %.1f%% of a core%n",
                server.errors(), cpu * 100);
            assertEquals(1, server.errors().size(), "one line: " + server.errors());
            assertTrue(server.errors().get(0).contains("TAP " + tap0) && server.errors().get(0).contains("errno 77")
                && server.errors().get(0).contains("1 left"), server.errors().get(0));
            assertTrue(server.isAlive(), "one interface is left: still serving");
            // A core spinning on the gone descriptor takes most of a CPU (75% before the fix); an idle server's JVM
            // threads (the JIT, GC) took up to 7% of these 2 s on a loaded machine.
            assertTrue(cpu < 0.2, "no busy loop on the gone interface: " + cpu);
            assertEquals(5, UdpFlows.echo(netns, "198.18.1.2", 5), "the other interface still answers");
            final String json = server.statJson();
            assertEquals(1, StatJson.counter(json, 0, "engine.queues_failed"), "core 0 read the gone TAP");
            assertEquals(143, server.stop(), "SIGTERM ends it as usual (128 + 15)");
        }
    }

    /**
     * What happened after the deletion: when the server said so and when it ended, and the CPU it used, in clock
     * ticks (10 ms): the whole process until its line, the whole process until it ended, the core threads alone.
     */
    private record Ended(boolean exited, long ms, long lineMs, long ticksToLine, long processTicks, long coreTicks)
    {
    }

    private static Ended deleteAndWatch(final FlowstackProcess server, final String... delete) throws Exception
    {
        final long pid = server.pid();
        quiesce(pid);
        final long first = processTicks(pid);
        long last = first;
        // Per core thread: its ticks when first and last seen (a thread that ended is gone from /proc).
        final Map<String, long[]> cores = new HashMap<>();
        coreTicks(pid, cores);
        final Process p = new ProcessBuilder(delete).inheritIO().start();
        final long t0 = System.nanoTime();
        assertEquals(0, p.waitFor(), "deleting with " + String.join(" ", delete));
        boolean exited = false;
        long lineMs = -1;
        long ticksToLine = -1;
        while (System.nanoTime() - t0 < 5_000_000_000L)
        {
            if (server.waitFor(SAMPLE_MS))
            {
                exited = true;
                break;
            }
            final long now = processTicks(pid);
            if (now >= 0)
            {
                last = now;
                coreTicks(pid, cores);
                if (lineMs < 0 && !server.errors().isEmpty())
                {
                    lineMs = (System.nanoTime() - t0) / 1_000_000L;
                    ticksToLine = now - first;
                }
            }
        }
        final long ms = (System.nanoTime() - t0) / 1_000_000L;
        long core = 0;
        for (final long[] t : cores.values())
        {
            core += t[1] - t[0];
        }
        return new Ended(exited, ms, lineMs, ticksToLine, last - first, core);
    }

    /**
     * Waits until the server is idle (the JIT done with what start-up and the first exchanges ran: at most one
     * tick in 300 ms, for up to 10 s), so that what is measured afterwards is the deletion's cost.
     */
    private static void quiesce(final long pid) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        long before = processTicks(pid);
        while (System.nanoTime() < deadline)
        {
            Thread.sleep(300);
            final long now = processTicks(pid);
            if (now - before <= 1)
            {
                return;
            }
            before = now;
        }
    }

    /**
     * The server must end within 2 s with one line, and its core threads use at most 10 clock ticks from the
     * deletion to the end: a busy loop shows there (before the fix the reading core took 75% of a CPU and the
     * process never ended; measured again with that driver: 3.5 s of core CPU in 5 s), while the cold failure path
     * took up to 3 ticks on a loaded machine. The process as a whole
     * spends CPU once on what the JVM runs for the first time, the failure path (measured 30 ms before the line)
     * and the exit (class loading, the JIT, the rings unmapped: 60 to 270 ms in all); that is printed, and bounded
     * only loosely (400 ms).
     */
    private static void assertEnded(final FlowstackProcess server, final Ended ended, final String device,
        final String errno)
    {
        System.out.printf("%s gone: line after %d ms (CPU %d ms), exited %s after %d ms with %s; stderr %s; CPU until"
            + " the end %d ms, core threads %d ms%n", device, ended.lineMs(), ended.ticksToLine() * 1000 / TICKS_PER_SECOND,
            ended.exited(), ended.ms(), ended.exited() ? server.exitValue() : "-", server.errors(),
            ended.processTicks() * 1000 / TICKS_PER_SECOND, ended.coreTicks() * 1000 / TICKS_PER_SECOND);
        assertTrue(ended.exited(), "the server must end when no interface is left");
        assertTrue(ended.ms() <= 2000, "ended within 2 s: " + ended.ms() + " ms");
        assertEquals(ServeCommand.EXIT_NO_INTERFACE, server.exitValue());
        assertEquals(1, server.errors().size(), "one line on stderr: " + server.errors());
        final String line = server.errors().get(0);
        assertTrue(line.contains(device) && line.contains(errno) && line.contains("no interface left"), line);
        assertTrue(ended.coreTicks() <= 10, "the core threads spun: " + ended.coreTicks() + " ticks");
        assertTrue(ended.processTicks() <= 40, "CPU from the deletion to the end: " + ended.processTicks() + " ticks");
    }

    /** utime + stime of the whole process, threads that ended included; -1 once it is gone. */
    private static long processTicks(final long pid)
    {
        try
        {
            return ticksOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        }
        catch (final IOException | RuntimeException gone)
        {
            return -1;
        }
    }

    /** Updates, per core thread alive now, its ticks when first seen and now. */
    private static void coreTicks(final long pid, final Map<String, long[]> cores)
    {
        final File[] tasks = new File("/proc/" + pid + "/task").listFiles();
        for (final File task : tasks == null ? new File[0] : tasks)
        {
            try
            {
                final String line = Files.readString(task.toPath().resolve("stat"));
                if (line.substring(line.indexOf('(') + 1, line.lastIndexOf(')')).startsWith("flowstack-core"))
                {
                    final long t = ticksOf(line);
                    cores.computeIfAbsent(task.getName(), k -> new long[] {t, t})[1] = t;
                }
            }
            catch (final IOException | RuntimeException gone)
            {
                // the thread ended meanwhile
            }
        }
    }

    /** utime + stime: fields 14 and 15 of a stat line, counted after the command name in parentheses. */
    private static long ticksOf(final String statLine)
    {
        final String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
