package io.flowstack.examples.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.counter.CounterSnapshot;
import io.flowstack.core.counter.CountersFile;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code flowstack stat}: prints the live per-core counters of a running {@code flowstack serve}, read from the
 * counters file it publishes, once or every interval, as a table or as JSON.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = {
        "Prints the live per-core counters of a running 'flowstack serve' (from its counters file in "
            + "/dev/shm/flowstack), once or every interval.",
        "Without --pid or --file, reads the only running server's counters."})
final class StatCommand implements Callable<Integer>
{
    /** Rows the table always shows, first and in this order, even when zero. */
    static final List<String> KEY_ROWS = List.of(
        "engine.frames_in", "engine.frames_out", "engine.forwarded_in", "engine.forwarded_out",
        "engine.ring_drops", "flows.owned", CounterSet.RX_DROPS);

    private static final String PREFIX = "flowstack stat: ";
    private static final JsonFactory JSON = new JsonFactory();

    /** Which counters file to read; at most one of the two. */
    static final class Source
    {
        @Option(names = "--pid", paramLabel = "PID", description = "Read the server with this process id.")
        Long pid;

        @Option(names = "--file", paramLabel = "FILE",
            description = "Read this counters file (see serve --counters-file).")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(names = "--json", description = "One JSON object per report (all counters, zeros too) instead of a table.")
    boolean json;

    @Option(names = {"-w", "--watch"}, description = "Repeat every interval (1 s unless --interval) until Ctrl-C.")
    boolean watch;

    @Option(names = "--interval", paramLabel = "SECONDS",
        description = "Seconds between reports (may be fractional); implies --watch.")
    Double interval;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "With --watch, stop after N reports.")
    int count;

    @Option(names = "--all", description = "Show counters that are zero on every core too (the key rows always show).")
    boolean all;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        if (interval != null && !(interval > 0 && interval <= 86_400))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--interval must be more than 0 and at most 86400 seconds, got " + interval);
        }
        if (count < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must not be negative, got " + count);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Path file;
        if (source != null && source.file != null)
        {
            file = source.file;
        }
        else if (source != null && source.pid != null)
        {
            file = CountersFile.defaultFile(source.pid);
        }
        else
        {
            final List<Path> live = CountersFile.live();
            if (live.isEmpty())
            {
                return fail(err, 1,
                    "no running flowstack serve found (looked in " + CountersFile.defaultDirectory() + ")");
            }
            if (live.size() > 1)
            {
                final List<String> pids = new ArrayList<>();
                for (final Path p : live)
                {
                    pids.add(pidOf(p));
                }
                return fail(err, 2, "several flowstack serve processes are running (pids " + String.join(", ", pids)
                    + "); choose one with --pid");
            }
            file = live.get(0);
        }

        final CountersFile counters;
        try
        {
            counters = CountersFile.openReadOnly(file);
        }
        catch (final NoSuchFileException e)
        {
            return fail(err, 1, source != null && source.pid != null
                ? "no flowstack serve with pid " + source.pid + " (no counters file " + file + ")"
                : "no counters file " + file);
        }
        catch (final IOException | IllegalStateException e)
        {
            return fail(err, 1, Main.oneLine(e));
        }
        try (counters)
        {
            return report(counters, out, err);
        }
    }

    private int report(final CountersFile counters, final PrintWriter out, final PrintWriter err)
        throws InterruptedException
    {
        final boolean repeat = watch || interval != null;
        final long periodNs = (long)((interval == null ? 1.0 : interval) * 1e9);
        // Clear the screen between tables only on a terminal; into a pipe or file, tables follow each other.
        final boolean clear = repeat && !json && System.console() != null;
        CounterSnapshot previous = null;
        int reports = 0;
        long next = System.nanoTime();
        while (true)
        {
            final CounterSnapshot now = CounterSnapshot.of(counters.reader());
            if (json)
            {
                out.println(json(counters, now));
            }
            else
            {
                if (clear)
                {
                    out.print("\033[H\033[2J");
                }
                else if (reports > 0)
                {
                    out.println();
                }
                out.print(table(counters, now, previous, all));
            }
            out.flush();
            reports++;
            if (!repeat || (count > 0 && reports >= count))
            {
                return 0;
            }
            next += periodNs;
            final long sleep = next - System.nanoTime();
            if (sleep > 0)
            {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
            if (!counters.isWriterAlive())
            {
                err.println(PREFIX + "process " + counters.pid() + " has exited");
                err.flush();
                return 0;
            }
            previous = now;
        }
    }

    private static String pidOf(final Path file)
    {
        try (CountersFile f = CountersFile.openReadOnly(file))
        {
            return Long.toString(f.pid());
        }
        catch (final IOException | IllegalStateException e)
        {
            return file.getFileName().toString(); // gone since it was listed: its name says enough
        }
    }

    private static int fail(final PrintWriter err, final int exit, final String message)
    {
        err.println(PREFIX + message);
        err.flush();
        return exit;
    }

    /**
     * @param snapshot counters.
     * @param all      include counters that are zero on every core.
     * @return labels in display order: the key rows first, then the rest sorted (so grouped by layer).
     */
    static List<String> rows(final CounterSnapshot snapshot, final boolean all)
    {
        final List<String> rows = new ArrayList<>(KEY_ROWS);
        for (final String label : new TreeSet<>(snapshot.labels()))
        {
            if (KEY_ROWS.contains(label))
            {
                continue;
            }
            boolean nonZero = false;
            for (final int core : snapshot.cores())
            {
                nonZero |= snapshot.value(core, label) != 0;
            }
            if (all || nonZero)
            {
                rows.add(label);
            }
        }
        return rows;
    }

    /**
     * Formats one report as a table: a header line, then a row per counter with a column per core and the total
     * (and, given an earlier snapshot, the total's rate per second). A counter a core does not have shows "-".
     *
     * @param counters the file (for pid, description, start time).
     * @param now      the values.
     * @param previous an earlier snapshot for rates, or null.
     * @param all      include counters that are zero on every core.
     * @return the table, lines ending in newlines.
     */
    static String table(final CountersFile counters, final CounterSnapshot now, final CounterSnapshot previous,
        final boolean all)
    {
        final List<Integer> cores = new ArrayList<>(now.cores());
        final List<String> rows = rows(now, all);
        final List<String[]> cells = new ArrayList<>();
        final List<String> heading = new ArrayList<>();
        heading.add("counter");
        for (final int core : cores)
        {
            heading.add("core " + core);
        }
        heading.add("total");
        final double seconds = previous == null ? 0 : (now.timeMs() - previous.timeMs()) / 1000.0;
        final boolean rates = previous != null && seconds > 0;
        if (rates)
        {
            heading.add("total/s");
        }
        cells.add(heading.toArray(new String[0]));
        for (final String label : rows)
        {
            final List<String> row = new ArrayList<>();
            row.add(label);
            boolean anywhere = false;
            for (final int core : cores)
            {
                final boolean has = now.has(core, label);
                anywhere |= has;
                row.add(has ? Long.toString(now.value(core, label)) : "-");
            }
            row.add(anywhere ? Long.toString(now.total(label)) : "-");
            if (rates)
            {
                final double rate = (now.total(label) - previous.total(label)) / seconds;
                row.add(anywhere ? String.format(Locale.ROOT, "%.1f", rate) : "-");
            }
            cells.add(row.toArray(new String[0]));
        }

        final int columns = cells.get(0).length;
        final int[] width = new int[columns];
        for (final String[] row : cells)
        {
            for (int i = 0; i < columns; i++)
            {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        final StringBuilder b = new StringBuilder();
        b.append("flowstack pid ").append(counters.pid())
            .append(", up ").append(uptime(now.timeMs() - counters.startTimeMs()));
        if (!counters.description().isEmpty())
        {
            // One line whatever the writer put there.
            b.append(": ").append(counters.description().replaceAll("\\p{Cntrl}", " "));
        }
        b.append('\n');
        for (final String[] row : cells)
        {
            // Label left-aligned, numbers right-aligned with two spaces between columns.
            b.append(row[0]).append(" ".repeat(width[0] - row[0].length()));
            for (int i = 1; i < columns; i++)
            {
                b.append("  ").append(" ".repeat(width[i] - row[i].length())).append(row[i]);
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * Formats one report as a JSON object on one line:
     * {@code {"pid":..,"description":..,"startTimeMs":..,"timeMs":..,"uptimeMs":..,"cores":{"0":{label:value,..}},
     * "total":{label:value,..}}}, with every counter, zeros included. Jackson's generator writes it (escaping
     * included), in this order.
     *
     * @param counters the file (for pid, description, start time).
     * @param now      the values.
     * @return the JSON text.
     */
    static String json(final CountersFile counters, final CounterSnapshot now)
    {
        final List<String> labels = rows(now, true);
        final StringWriter text = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(text))
        {
            g.writeStartObject();
            g.writeNumberField("pid", counters.pid());
            g.writeStringField("description", counters.description());
            g.writeNumberField("startTimeMs", counters.startTimeMs());
            g.writeNumberField("timeMs", now.timeMs());
            g.writeNumberField("uptimeMs", now.timeMs() - counters.startTimeMs());
            g.writeObjectFieldStart("cores");
            for (final int core : now.cores())
            {
                final Map<String, Long> values = now.core(core);
                g.writeObjectFieldStart(Integer.toString(core));
                for (final String label : labels)
                {
                    if (values.containsKey(label))
                    {
                        g.writeNumberField(label, values.get(label));
                    }
                }
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("total");
            for (final String label : labels)
            {
                if (now.labels().contains(label))
                {
                    g.writeNumberField(label, now.total(label));
                }
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /**
     * @param ms a duration.
     * @return it as e.g. {@code 45s}, {@code 3m05s}, {@code 2h03m05s}, {@code 4d02h03m}.
     */
    static String uptime(final long ms)
    {
        final long s = Math.max(0, ms) / 1000;
        final long d = s / 86_400;
        final long h = s / 3600 % 24;
        final long m = s / 60 % 60;
        final long sec = s % 60;
        if (d > 0)
        {
            return String.format("%dd%02dh%02dm", d, h, m);
        }
        if (h > 0)
        {
            return String.format("%dh%02dm%02ds", h, m, sec);
        }
        return m > 0 ? String.format("%dm%02ds", m, sec) : sec + "s";
    }
}
