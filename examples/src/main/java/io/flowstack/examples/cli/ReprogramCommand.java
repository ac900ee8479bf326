package io.flowstack.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
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
        "Reprograms the indirection table of a running 'flowstack serve' from per-core weights, while traffic runs.",
        "Live TCP connections stay with their cores (pinned), everything else follows the new table, in the cores"
            + " and in the kernel's steering program.",
        "Without --pid or --file, talks to the only running server."})
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

    @Option(names = "--weights", required = true, split = ",", paramLabel = "W",
        description = "Share of hashed flows per core, one value per core.")
    int[] weights;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Long pid = target == null ? null : target.pid;
        final String answer;
        try
        {
            final Path counters = ServerChoice.countersFile(pid, target == null ? null : target.file);
            answer = ServerChoice.ask(counters, pid, "reprogram " + Arrays.stream(weights)
                .mapToObj(Integer::toString).collect(Collectors.joining(",")));
        }
        catch (final ServerChoice.Refusal r)
        {
            return fail(err, r.exit, r.getMessage());
        }
        if (!answer.startsWith("ok "))
        {
            return fail(err, 1, answer.replaceFirst("^error ", ""));
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
