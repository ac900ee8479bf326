package io.flowstack.examples.cli;

import io.flowstack.core.counter.CountersFile;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code flowstack reprogram}: gives a running {@code flowstack serve} a new indirection table (from per-core
 * weights) while it runs, through its control socket, and prints what the handover did.
 */
@Command(
    name = "reprogram",
    mixinStandardHelpOptions = true,
    description = {
        "Reprograms the indirection table of a running 'flowstack serve' from per-core weights, while traffic runs:",
        "live TCP connections stay with their cores (pinned), everything else follows the new table, in the cores",
        "and in the kernel's steering program. Without --pid or --file, talks to the only running server."})
final class ReprogramCommand implements Callable<Integer>
{
    private static final String PREFIX = "flowstack reprogram: ";

    /** Which server; at most one of the two. */
    static final class Target
    {
        @Option(names = "--pid", paramLabel = "PID", description = "The server with this process id.")
        Long pid;

        @Option(names = "--file", paramLabel = "FILE", description = "The server publishing this counters file.")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Target target;

    @Option(names = "--weights", required = true, split = ",", paramLabel = "W,W,..",
        description = "Share of hashed flows per core, one value per core.")
    int[] weights;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Path counters;
        if (target != null && target.file != null)
        {
            counters = target.file;
        }
        else if (target != null && target.pid != null)
        {
            counters = CountersFile.defaultFile(target.pid);
        }
        else
        {
            final List<Path> live;
            try
            {
                live = CountersFile.live();
            }
            catch (final IOException e)
            {
                return fail(err, 1, Main.oneLine(e));
            }
            if (live.size() != 1)
            {
                return fail(err, live.isEmpty() ? 1 : 2, live.isEmpty() ? "no running flowstack serve found"
                    : "several flowstack serve processes are running; choose one with --pid");
            }
            counters = live.get(0);
        }
        final Path control = ControlServer.pathFor(counters);
        if (!Files.exists(control))
        {
            return fail(err, 1, "no control socket " + control + (target != null && target.pid != null
                ? " (is flowstack serve running with pid " + target.pid + "?)" : ""));
        }
        final String request = "reprogram " + Arrays.stream(weights).mapToObj(Integer::toString)
            .collect(Collectors.joining(","));
        final String answer;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(control));
            Channels.newOutputStream(channel).write((request + "\n").getBytes(StandardCharsets.US_ASCII));
            answer = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                StandardCharsets.US_ASCII)).readLine();
        }
        catch (final IOException e)
        {
            return fail(err, 1, "cannot talk to " + control + ": " + Main.oneLine(e));
        }
        if (answer == null || !answer.startsWith("ok "))
        {
            return fail(err, 1, answer == null ? "no answer" : answer.replaceFirst("^error ", ""));
        }
        out.println("flowstack: table reprogrammed to weights " + Arrays.toString(weights) + ": " + answer.substring(3));
        out.flush();
        return 0;
    }

    private static int fail(final PrintWriter err, final int exit, final String message)
    {
        err.println(PREFIX + message);
        err.flush();
        return exit;
    }
}
