package io.flowstack.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * The {@code flowstack} command line.
 */
@Command(
    name = "flowstack",
    mixinStandardHelpOptions = true,
    version = "flowstack 0.2.0",
    description = "A userspace TCP/IP stack for the JVM.",
    subcommands = {ServeCommand.class, GetCommand.class, StatCommand.class, ReprogramCommand.class, DemoCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer>
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /**
     * Runs a command line and returns its exit code (tests call this instead of {@link #main}).
     *
     * @param args command line.
     * @return exit code.
     */
    public static int run(final String... args)
    {
        final CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            commandLine.getErr().println("flowstack: " + oneLine(ex));
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        cli.setParameterExceptionHandler((ex, args1) ->
        {
            // "flowstack serve --help" for a subcommand, "flowstack --help" for the top level.
            ex.getCommandLine().getErr().println("flowstack: " + ex.getMessage()
                + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        return cli.execute(args);
    }

    /**
     * @param t a failure.
     * @return its message on one line, without a stack trace.
     */
    public static String oneLine(final Throwable t)
    {
        Throwable cause = t;
        while ((cause.getMessage() == null || cause.getMessage().isBlank()) && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        final String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return msg.replace('\n', ' ').trim();
    }

    /**
     * A bare {@code flowstack} names no command: the usage goes to stderr and the exit is 2, as for any other
     * usage error, so a script that forgot its command fails.
     */
    @Override
    public Integer call()
    {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
