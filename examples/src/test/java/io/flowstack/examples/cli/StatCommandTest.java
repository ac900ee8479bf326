package io.flowstack.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.counter.CountersFile;
import io.flowstack.core.counter.StackCounter;
import io.flowstack.ip.udp.UdpCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flowstack stat} against a counters file written in the test, as a running server's would be: two cores'
 * counters in the table and in JSON read back, repeated reports, and one clear line for every failure.
 */
class StatCommandTest
{
    /**
     * Declarations of layers whose enums are internal to their modules (the engine's, ARP's, IPv4's), as a serving
     * stack publishes them.
     */
    private enum Internal implements CounterDescriptor
    {
        FRAMES_IN("engine.frames_in", "frames"),
        FRAMES_OUT("engine.frames_out", "frames"),
        ARP_TX_DROPS("arp.tx.drops", "frames"),
        IPV4_RX_BAD_CHECKSUM("ipv4.rx.bad_checksum", "datagrams");

        private final String label;
        private final String unit;

        Internal(final String label, final String unit)
        {
            this.label = label;
            this.unit = unit;
        }

        @Override
        public String label()
        {
            return label;
        }

        @Override
        public CounterKind kind()
        {
            return CounterKind.TOTAL;
        }

        @Override
        public String unit()
        {
            return unit;
        }
    }

    private static final String DESCRIPTION = "serve --tap fst0 --ip 198.18.0.2/24";

    @TempDir
    Path dir;

    private CountersFile file;
    private CounterSet core0;
    private CounterSet core1;

    private record Outcome(int exit, String out, String err)
    {
        List<String> lines()
        {
            return out.lines().toList();
        }
    }

    @BeforeEach
    void publishTwoCores() throws IOException
    {
        file = CountersFile.create(dir.resolve("serve.counters"), 64, DESCRIPTION);
        core0 = new CounterSet(0, file.manager());
        core1 = new CounterSet(1, file.manager());
        for (final CounterSet c : new CounterSet[]{core0, core1})
        {
            c.counter(Internal.FRAMES_IN);
            c.counter(Internal.FRAMES_OUT);
            c.counter(StackCounter.RX_DROPS);
            c.counter(StackCounter.FLOWS_OWNED);
            c.counter(UdpCounter.RX_DATAGRAMS);
            c.counter(Internal.ARP_TX_DROPS);
        }
        core0.counter("engine.frames_in").set(7);
        core1.counter("engine.frames_in").set(11);
        core0.counter("engine.frames_out").set(6);
        core1.counter("udp.rx.datagrams").set(5);
        core0.counter(StackCounter.FLOWS_OWNED).set(3);
        core0.counter(Internal.IPV4_RX_BAD_CHECKSUM).set(2); // on core 0 only
        core0.counter("app.requests").set(4); // an application's own counter: an undeclared total
    }

    @AfterEach
    void close()
    {
        file.close();
        System.clearProperty(CountersFile.DIRECTORY_PROP_NAME);
    }

    private static Outcome run(final String... args)
    {
        final PrintStream savedOut = System.out;
        final PrintStream savedErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try
        {
            final int exit = Main.run(args);
            return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    private static void assertOneLine(final Outcome o, final int exit, final String expected)
    {
        assertEquals(exit, o.exit(), "exit code; stderr: " + o.err());
        final String text = o.err().strip();
        assertFalse(text.contains("\n"), "one line, got: " + text);
        assertFalse(text.contains("at io.") || text.contains("Exception"), "no stack trace: " + text);
        assertTrue(text.contains(expected), "expected '" + expected + "' in: " + text);
        assertEquals("", o.out(), "nothing on stdout");
    }

    /** The table's rows, each split into its cells, keyed by the counter label. */
    private static List<String> names(final JsonNode object)
    {
        final List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Map<String, List<String>> rows(final List<String> lines)
    {
        final Map<String, List<String>> rows = new LinkedHashMap<>();
        for (final String line : lines.subList(2, lines.size()))
        {
            final List<String> cells = Arrays.asList(line.trim().split(" +"));
            rows.put(cells.get(0), cells.subList(1, cells.size()));
        }
        return rows;
    }

    @Test
    void shouldPrintATableWithAColumnPerCoreAndTheTotal()
    {
        final Outcome o = run("stat", "--file", file.path().toString());
        assertEquals(0, o.exit(), o.err());
        final List<String> lines = o.lines();
        assertTrue(lines.get(0).startsWith("flowstack pid " + ProcessHandle.current().pid() + ", up "), lines.get(0));
        assertTrue(lines.get(0).endsWith(": " + DESCRIPTION), lines.get(0));
        assertEquals(List.of("counter", "kind", "unit", "core", "0", "core", "1", "total"),
            Arrays.asList(lines.get(1).split(" +")));

        final Map<String, List<String>> rows = rows(lines);
        assertEquals(List.of("total", "frames", "7", "11", "18"), rows.get("engine.frames_in"));
        assertEquals(List.of("total", "frames", "6", "0", "6"), rows.get("engine.frames_out"));
        assertEquals(List.of("total", "frames", "0", "0", "0"), rows.get(CounterSet.RX_DROPS),
            "a key row shows even when zero");
        assertEquals(List.of("gauge", "flows", "3", "0", "3"), rows.get("flows.owned"), "a gauge says so");
        assertEquals(List.of("total", "-", "-", "-", "-"), rows.get("engine.ring_drops"),
            "a key row no core has shows dashes");
        assertEquals(List.of("total", "datagrams", "2", "-", "2"), rows.get("ipv4.rx.bad_checksum"),
            "a counter core 1 does not have");
        assertEquals(List.of("total", "datagrams", "0", "5", "5"), rows.get("udp.rx.datagrams"));
        assertEquals(List.of("total", "-", "4", "-", "4"), rows.get("app.requests"), "undeclared: a total, no unit");
        assertFalse(rows.containsKey("arp.tx.drops"), "zero on every core: hidden without --all");

        final List<String> order = new ArrayList<>(CounterReport.KEY_ROWS);
        order.addAll(List.of("app.requests", "ipv4.rx.bad_checksum", "udp.rx.datagrams"));
        assertEquals(order, List.copyOf(rows.keySet()), "key rows first, then by layer and name");

        final Outcome everything = run("stat", "--file", file.path().toString(), "--all");
        assertEquals(List.of("total", "frames", "0", "0", "0"), rows(everything.lines()).get("arp.tx.drops"));
        assertEquals(0, everything.lines().get(3 + CounterReport.KEY_ROWS.size()).indexOf("arp.tx.drops"),
            "sorted: app, then arp before ipv4 and udp");
    }

    @Test
    void shouldPrintJsonThatParsesBackToThePerCoreValues()
    {
        final Outcome o = run("stat", "--file", file.path().toString(), "--json");
        assertEquals(0, o.exit(), o.err());
        assertEquals(1, o.lines().size(), "one line per report");
        final JsonNode json = StatJson.parse(o.out());
        assertEquals(List.of("pid", "description", "startTimeMs", "timeMs", "uptimeMs", "cores", "total", "counters"),
            names(json), "the documented fields, in order");
        assertEquals(ProcessHandle.current().pid(), json.get("pid").longValue());
        assertEquals(DESCRIPTION, json.get("description").textValue());
        assertEquals(file.startTimeMs(), json.get("startTimeMs").longValue());
        assertTrue(json.get("uptimeMs").longValue() >= 0);

        final JsonNode cores = json.get("cores");
        assertEquals(List.of("0", "1"), names(cores));
        final JsonNode c0 = cores.get("0");
        final JsonNode c1 = cores.get("1");
        assertEquals(7L, c0.get("engine.frames_in").longValue());
        assertEquals(11L, c1.get("engine.frames_in").longValue());
        assertEquals(2L, c0.get("ipv4.rx.bad_checksum").longValue());
        assertFalse(c1.has("ipv4.rx.bad_checksum"), "core 1 has no such counter");
        assertEquals(0L, c1.get("arp.tx.drops").longValue(), "JSON has every counter, zeros too");
        assertEquals(8, c0.size());
        assertEquals(6, c1.size());

        final JsonNode total = json.get("total");
        assertEquals(18L, total.get("engine.frames_in").longValue());
        assertEquals(5L, total.get("udp.rx.datagrams").longValue());
        assertEquals(2L, total.get("ipv4.rx.bad_checksum").longValue());
        assertEquals(8, total.size());

        final JsonNode declared = json.get("counters");
        assertEquals(names(total), names(declared), "every counter declared once");
        assertEquals("gauge", declared.get("flows.owned").get("kind").textValue());
        assertEquals("flows", declared.get("flows.owned").get("unit").textValue());
        assertEquals("total", declared.get("engine.frames_in").get("kind").textValue());
        assertEquals("frames", declared.get("engine.frames_in").get("unit").textValue());
        assertEquals("", declared.get("app.requests").get("unit").textValue());
    }

    @Test
    void shouldEscapeTheDescriptionInJson() throws IOException
    {
        final String odd = "serve \"quoted\" back\\slash\ttab\nnewline \u0001 caf\u00e9";
        try (CountersFile f = CountersFile.create(dir.resolve("odd.counters"), 4, odd))
        {
            new CounterSet(0, f.manager()).counter("engine.frames_in").set(1);
            final Outcome o = run("stat", "--file", f.path().toString(), "--json");
            assertEquals(0, o.exit(), o.err());
            assertEquals(1, o.lines().size(), "still one line");
            assertEquals(odd, StatJson.parse(o.out()).get("description").textValue());
        }
    }

    @Test
    void shouldRepeatReportsWhileTheCountersMove() throws Exception
    {
        final Thread core = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                core0.counter("engine.frames_in").increment();
                Thread.onSpinWait();
            }
        });
        core.start();
        try
        {
            // 200 ms apart: on a loaded 2-core machine the spinning writer may not run for 50 ms.
            final Outcome o = run("stat", "--file", file.path().toString(), "--json", "--interval", "0.2",
                "--count", "3");
            assertEquals(0, o.exit(), o.err());
            assertEquals(3, o.lines().size(), o.out());
            long lastValue = -1;
            long lastTime = -1;
            for (final String line : o.lines())
            {
                final JsonNode json = StatJson.parse(line);
                final long value = json.get("cores").get("0").get("engine.frames_in").longValue();
                final long time = json.get("timeMs").longValue();
                assertTrue(value > lastValue, "counter moves between reports: " + o.out());
                assertTrue(time > lastTime);
                lastValue = value;
                lastTime = time;
            }

            final Outcome table = run("stat", "--file", file.path().toString(), "-w", "--interval", "0.2",
                "-n", "2");
            assertEquals(0, table.exit(), table.err());
            final String[] reports = table.out().split("\n\n");
            assertEquals(2, reports.length, table.out());
            assertFalse(reports[0].contains("total/s"), "no rate in the first report");
            final List<String> second = reports[1].lines().toList();
            assertTrue(second.get(1).matches(".*total +total/s"), second.get(1));
            final double rate = Double.parseDouble(rows(second).get("engine.frames_in").get(5));
            assertTrue(rate > 0, "frames_in rises: " + reports[1]);
            assertEquals("-", rows(second).get("flows.owned").get(5), "no rate for a gauge");
        }
        finally
        {
            core.interrupt();
            core.join();
        }
    }

    @Test
    void shouldUseTheOnlyRunningServerWithoutPidOrFile() throws IOException
    {
        final Path shared = Files.createDirectories(dir.resolve("shm"));
        System.setProperty(CountersFile.DIRECTORY_PROP_NAME, shared.toString());
        try (CountersFile live = CountersFile.create(CountersFile.defaultFile(ProcessHandle.current().pid()), 8,
            "serve --tap a"))
        {
            new CounterSet(3, live.manager()).counter("engine.frames_in").set(99);
            final Outcome o = run("stat", "--json");
            assertEquals(0, o.exit(), o.err());
            assertEquals(99L, StatJson.counter(o.out(), 3, "engine.frames_in"));

            final Outcome byPid = run("stat", "--pid", Long.toString(ProcessHandle.current().pid()));
            assertEquals(0, byPid.exit(), byPid.err());
            assertEquals(List.of("total", "-", "99", "99"), rows(byPid.lines()).get("engine.frames_in"));

            try (CountersFile get = CountersFile.create(shared.resolve("get" + CountersFile.SUFFIX), 8, "get --tap b"))
            {
                new CounterSet(0, get.manager()).counter("engine.frames_in").set(1);
                final Outcome beside = run("stat", "--json");
                assertEquals(0, beside.exit(), "a get beside the serve does not make it ambiguous: " + beside.err());
                assertEquals(99L, StatJson.counter(beside.out(), 3, "engine.frames_in"), "the serve is chosen");
            }
            try (CountersFile second = CountersFile.create(shared.resolve("other" + CountersFile.SUFFIX), 8,
                "serve --tap c"))
            {
                assertOneLine(run("stat"), 2, "several flowstack serve processes are running (pids ");
                assertTrue(run("stat").err().contains("--pid"));
            }
        }
    }

    @Test
    void shouldAskWhenOnlyOtherProcessesRun() throws IOException
    {
        final Path shared = Files.createDirectories(dir.resolve("gets"));
        System.setProperty(CountersFile.DIRECTORY_PROP_NAME, shared.toString());
        try (CountersFile one = CountersFile.create(shared.resolve("1" + CountersFile.SUFFIX), 8, "get --tap a"))
        {
            assertEquals(0, run("stat").exit(), "a lone get is read");
            try (CountersFile two = CountersFile.create(shared.resolve("2" + CountersFile.SUFFIX), 8, "get --tap b"))
            {
                assertOneLine(run("stat"), 2, "no flowstack serve is running but several other flowstack processes"
                    + " are (pids " + ProcessHandle.current().pid() + " (get), ");
            }
        }
    }

    @Test
    void shouldSayWhenNoServerRuns() throws IOException
    {
        final Path empty = Files.createDirectories(dir.resolve("empty"));
        System.setProperty(CountersFile.DIRECTORY_PROP_NAME, empty.toString());
        // A control socket whose counters file is gone belongs to a process that died: removed on the way.
        final Path orphan = Files.createFile(empty.resolve("999999999.control"));
        assertOneLine(run("stat"), 1, "flowstack stat: no running flowstack serve found (looked in " + empty + ")");
        assertFalse(Files.exists(orphan), "orphan control socket removed");
    }

    @Test
    void shouldRefuseAMissingOrBadFile() throws IOException
    {
        assertOneLine(run("stat", "--file", dir.resolve("none").toString()), 1,
            "flowstack stat: no counters file " + dir.resolve("none"));
        final Path bad = Files.write(dir.resolve("bad.counters"), "garbage ".repeat(100).getBytes());
        assertOneLine(run("stat", "--file", bad.toString()), 1, "not a flowstack counters file");
        final Path shortFile = Files.write(dir.resolve("short.counters"), new byte[5]);
        assertOneLine(run("stat", "--file", shortFile.toString()), 1, "too short");
        assertOneLine(run("stat", "--pid", Integer.toString(Integer.MAX_VALUE)), 1,
            "no flowstack serve with pid " + Integer.MAX_VALUE);
    }

    @Test
    void shouldRejectBadOptions()
    {
        assertOneLine(run("stat", "--pid", "1", "--file", "x"), 2, "mutually exclusive");
        assertOneLine(run("stat", "--file", file.path().toString(), "--interval", "0"), 2, "--interval");
        assertOneLine(run("stat", "--pid", "abc"), 2, "--pid");
    }

    @Test
    void shouldFormatUptime()
    {
        assertEquals("0s", CounterReport.uptime(999));
        assertEquals("59s", CounterReport.uptime(59_000));
        assertEquals("1m00s", CounterReport.uptime(60_000));
        assertEquals("2h03m04s", CounterReport.uptime((2 * 3600 + 3 * 60 + 4) * 1000L));
        assertEquals("4d05h06m", CounterReport.uptime(((4 * 24 + 5) * 3600 + 6 * 60 + 7) * 1000L));
    }
}
