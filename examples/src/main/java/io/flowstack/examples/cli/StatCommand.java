package io.flowstack.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowstack.core.counter.CounterSnapshot;
import io.flowstack.core.counter.CountersFile;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code flowstack stat}: prints the live per-core counters of a running {@code flowstack serve}, read from the
 * counters file it publishes, once or every interval, as a table or as JSON; with {@code --connections}, its TCP
 * connections as {@code ss -ti} would, asked over its control socket.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = {
        "Prints the live per-core counters of a running 'flowstack serve', once or every interval.",
        "The counters come from the file it publishes in /dev/shm/flowstack; each is a total (events or bytes since"
            + " the start) or a gauge (a level now). With --connections, lists its TCP connections like 'ss -ti'"
            + " (state, cwnd, srtt, rto, retransmissions, bytes both ways).",
        "Without --pid or --file, reads the only running serve (a 'flowstack get' running beside it is not chosen)."})
final class StatCommand implements Callable<Integer>
{
    private static final String PREFIX = "flowstack stat: ";
    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    @Option(names = "--connections", description = "List every TCP connection (like ss -ti) instead of the counters.")
    boolean connections;

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
        final Long pid = source == null ? null : source.pid;
        final Path file;
        try
        {
            file = ServerChoice.countersFile(pid, source == null ? null : source.file);
        }
        catch (final ServerChoice.Refusal r)
        {
            return fail(err, r.exit, r.getMessage());
        }

        final CountersFile counters;
        try
        {
            counters = CountersFile.openReadOnly(file);
        }
        catch (final NoSuchFileException e)
        {
            return fail(err, 1, pid != null
                ? "no flowstack serve with pid " + pid + " (no counters file " + file + ")"
                : "no counters file " + file);
        }
        catch (final IOException | IllegalStateException e)
        {
            return fail(err, 1, Main.oneLine(e));
        }
        try (counters)
        {
            return report(counters, file, pid, out, err);
        }
    }

    private int report(final CountersFile counters, final Path file, final Long pid, final PrintWriter out,
        final PrintWriter err) throws InterruptedException
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
            final String text;
            final CounterSnapshot now = CounterSnapshot.of(counters.reader());
            if (connections)
            {
                try
                {
                    text = connectionsReport(counters, file, pid);
                }
                catch (final ServerChoice.Refusal r)
                {
                    return fail(err, r.exit, r.getMessage());
                }
            }
            else
            {
                text = json ? CounterReport.json(counters, now) + "\n" : CounterReport.table(counters, now, previous, all);
            }
            if (clear)
            {
                out.print("\033[H\033[2J");
            }
            else if (reports > 0 && !json)
            {
                out.println();
            }
            out.print(text);
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

    /** The connections, asked of the serving process: one line of JSON, or a header and the ss-like table. */
    private String connectionsReport(final CountersFile counters, final Path file, final Long pid)
        throws ServerChoice.Refusal
    {
        final String answer = ServerChoice.ask(file, pid, "connections");
        if (!answer.startsWith("ok "))
        {
            throw new ServerChoice.Refusal(1, answer.replaceFirst("^error ", ""));
        }
        final String body = answer.substring(3);
        if (json)
        {
            return body + "\n";
        }
        final JsonNode tree;
        try
        {
            tree = MAPPER.readTree(body);
        }
        catch (final IOException e)
        {
            throw new ServerChoice.Refusal(1, "unreadable answer from the control socket: " + Main.oneLine(e));
        }
        final int n = tree.path("connections").size();
        return "flowstack pid " + counters.pid() + ": " + n + " TCP connection" + (n == 1 ? "" : "s") + "\n"
            + ConnectionsReport.table(tree);
    }

    private static int fail(final PrintWriter err, final int exit, final String message)
    {
        err.println(PREFIX + message);
        err.flush();
        return exit;
    }
}
