package io.flowstack.examples.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Help for every command is clean (no picocli warning, summaries not cut), errors point to the right command's
 * help, {@code flowstack help CMD} works and a bare {@code flowstack} fails.
 */
class CliHelpTest
{
    /** What a run printed and returned. */
    record Outcome(int exit, String out, String err)
    {
    }

    static Outcome run(final String... args)
    {
        final PrintStream savedOut = System.out;
        final PrintStream savedErr = System.err;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        // picocli's warnings go to System.err directly, not through the command line's writer.
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

    private static Map<String, CommandLine> commands()
    {
        return new CommandLine(new Main()).getSubcommands();
    }

    private static String flat(final String text)
    {
        return text.replaceAll("\\s+", " ");
    }

    @TestFactory
    List<DynamicTest> shouldPrintHelpOfEveryCommandWithoutWarnings()
    {
        final List<DynamicTest> tests = new ArrayList<>();
        final List<List<String>> invocations = new ArrayList<>();
        invocations.add(List.of("--help"));
        invocations.add(List.of("help"));
        for (final String name : commands().keySet())
        {
            invocations.add(List.of(name, "--help"));
            invocations.add(List.of("help", name));
        }
        for (final List<String> args : invocations)
        {
            tests.add(DynamicTest.dynamicTest("flowstack " + String.join(" ", args), () ->
            {
                final Outcome o = run(args.toArray(new String[0]));
                assertEquals(0, o.exit(), o.err());
                assertEquals("", o.err(), "nothing on stderr (no [picocli WARN])");
                assertTrue(o.out().contains("Usage: flowstack"), o.out());
                assertFalse(o.out().contains("%n"), "a format string left unformatted: " + o.out());
            }));
        }
        return tests;
    }

    @Test
    void shouldListEveryCommandWithItsWholeFirstSentence()
    {
        final String help = flat(run("--help").out());
        for (final Map.Entry<String, CommandLine> e : commands().entrySet())
        {
            // picocli lists a command by its header's first line, or without one its description's.
            final CommandLine.Model.UsageMessageSpec usage = e.getValue().getCommandSpec().usageMessage();
            final String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
            final String summary = lines.length > 0 ? lines[0] : "";
            assertTrue(summary.endsWith("."), e.getKey() + ": the summary line is a whole sentence: " + summary);
            assertTrue(help.contains(e.getKey() + " " + flat(summary)), e.getKey() + " listed with '" + summary
                + "' in: " + help);
        }
    }

    @Test
    void shouldFailWithUsageOnStderrWhenNoCommandIsGiven()
    {
        final Outcome o = run();
        assertEquals(2, o.exit());
        assertEquals("", o.out());
        assertTrue(o.err().startsWith("Usage: flowstack"), o.err());
    }

    @Test
    void shouldPointErrorsToTheHelpOfTheCommandThatFailed()
    {
        final Outcome top = run("frobnicate");
        assertEquals(2, top.exit());
        assertTrue(top.err().contains("(see 'flowstack --help')"), top.err());
        final Outcome sub = run("stat", "--frobnicate");
        assertEquals(2, sub.exit());
        assertTrue(sub.err().contains("(see 'flowstack stat --help')"), sub.err());
        assertFalse(sub.err().contains("flowstack flowstack"), sub.err());
    }
}
