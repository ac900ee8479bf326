package io.flowstack.examples.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.flowstack.core.counter.CounterKind;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.counter.CounterSnapshot;
import io.flowstack.core.counter.CountersFile;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * One report of {@code flowstack stat}: the counters of a snapshot as a table (a row per counter, saying whether it
 * is a total or a gauge and what it counts, a column per core, the total, and a rate for totals) or as one line of
 * JSON.
 */
final class CounterReport
{
    /** Rows the table always shows, first and in this order, even when zero. */
    static final List<String> KEY_ROWS = List.of(
        "engine.frames_in", "engine.frames_out", "engine.bytes_in", "engine.bytes_out", "engine.forwarded_in",
        "engine.forwarded_out", "engine.ring_drops", "flows.owned", CounterSet.RX_DROPS);

    private static final JsonFactory JSON = new JsonFactory();

    private CounterReport()
    {
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
     * Formats one report as a table: a header line, then a row per counter with its kind ({@code total} or
     * {@code gauge}) and unit, a column per core and the total (and, given an earlier snapshot, the total's rate
     * per second, for totals only: a gauge's value is a level, not a count). A counter a core does not have shows
     * "-".
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
        final List<String> heading = new ArrayList<>(List.of("counter", "kind", "unit"));
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
            final CounterSnapshot.Declaration d = now.declaration(label);
            final List<String> row = new ArrayList<>();
            row.add(label);
            row.add(d.kind().label());
            row.add(d.unit().isEmpty() ? "-" : d.unit());
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
                row.add(anywhere && d.kind() == CounterKind.TOTAL ? String.format(Locale.ROOT, "%.1f", rate) : "-");
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
            // Label, kind and unit left-aligned, numbers right-aligned, two spaces between columns.
            for (int i = 0; i < columns; i++)
            {
                final String pad = " ".repeat(width[i] - row[i].length());
                b.append(i == 0 ? "" : "  ").append(i < 3 ? row[i] + (i == columns - 1 ? "" : pad) : pad + row[i]);
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * Formats one report as a JSON object on one line:
     * {@code {"pid":..,"description":..,"startTimeMs":..,"timeMs":..,"uptimeMs":..,"cores":{"0":{label:value,..}},
     * "total":{label:value,..},"counters":{label:{"kind":"total"|"gauge","unit":..},..}}}, with every counter, zeros
     * included. Jackson's generator writes it (escaping included), in this order.
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
            g.writeObjectFieldStart("counters");
            for (final String label : labels)
            {
                if (now.labels().contains(label))
                {
                    final CounterSnapshot.Declaration d = now.declaration(label);
                    g.writeObjectFieldStart(label);
                    g.writeStringField("kind", d.kind().label());
                    g.writeStringField("unit", d.unit());
                    g.writeEndObject();
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
