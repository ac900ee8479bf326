package io.flowstack.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged {@code flowstack} jar run as a user runs it, in its own process, for live tests.
 */
final class FlowstackProcess implements AutoCloseable
{
    private final Process process;
    private final String firstLine;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<String> notices = new CopyOnWriteArrayList<>();

    private FlowstackProcess(final Process process, final String firstLine)
    {
        this.process = process;
        this.firstLine = firstLine;
    }

    static String jar()
    {
        return System.getProperty("flowstack.jar", "target/flowstack.jar");
    }

    /**
     * Starts {@code flowstack serve ARGS} and waits for its "serving" line.
     */
    static FlowstackProcess serve(final String... args) throws IOException
    {
        return serveWith(List.of(), args);
    }

    /**
     * Starts {@code PREFIX... java -jar flowstack.jar serve ARGS} (e.g. with an {@code ip netns exec NS} prefix)
     * and waits for its "serving" line.
     */
    static FlowstackProcess serveWith(final List<String> prefix, final String... args) throws IOException
    {
        return start(prefix, true, args);
    }

    /**
     * Starts {@code flowstack serve ARGS} with standard error kept apart ({@link #errors()}) and waits for its
     * "serving" line.
     */
    static FlowstackProcess serveKeepingErrorsApart(final String... args) throws IOException
    {
        return start(List.of(), false, args);
    }

    private static FlowstackProcess start(final List<String> prefix, final boolean mergeErrors, final String... args)
        throws IOException
    {
        final List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("java", "-jar", jar(), "serve"));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(mergeErrors).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        final List<String> notices = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("flowstack: serving"))
        {
            // SLF4J's notice from the affinity library, the fault seed and one-line notices (steering refused) come
            // first; a server that fails to start ends with its error line.
            if (line.startsWith("flowstack:") && !line.contains("injecting faults"))
            {
                notices.add(line);
            }
        }
        final FlowstackProcess fp = new FlowstackProcess(p, line);
        fp.notices.addAll(notices);
        if (!mergeErrors)
        {
            drain(new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)), fp.errors,
                "flowstack-errors");
        }
        assertTrue(line != null, "server did not start: " + (notices.isEmpty() ? "no output" : notices.get(notices.size() - 1))
            + (mergeErrors ? "" : " " + fp.errors));
        // Keep draining so the server never blocks on a full pipe.
        drain(out, fp.output, "flowstack-output");
        return fp;
    }

    private static void drain(final BufferedReader in, final List<String> into, final String name)
    {
        final Thread drain = new Thread(() ->
        {
            try
            {
                String more;
                while ((more = in.readLine()) != null)
                {
                    into.add(more);
                }
            }
            catch (final IOException ignored)
            {
                // process gone
            }
        }, name);
        drain.setDaemon(true);
        drain.start();
    }

    /**
     * @return what the server printed on standard error so far (only with {@link #serveKeepingErrorsApart}).
     */
    List<String> errors()
    {
        return errors;
    }

    /**
     * Waits for the server to end by itself.
     *
     * @param ms how long at most.
     * @return true when it ended.
     */
    boolean waitFor(final long ms) throws InterruptedException
    {
        return process.waitFor(ms, TimeUnit.MILLISECONDS);
    }

    /**
     * @return the exit status of an ended server.
     */
    int exitValue()
    {
        return process.exitValue();
    }

    long pid()
    {
        return process.pid();
    }

    String firstLine()
    {
        return firstLine;
    }

    /**
     * @return the "flowstack: ..." lines the server printed before its "serving" line (notices).
     */
    List<String> notices()
    {
        return notices;
    }

    /**
     * @return the lines the server printed after its "serving" line, so far.
     */
    List<String> output()
    {
        return output;
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return {@code flowstack stat --pid PID --json} output.
     */
    String statJson() throws Exception
    {
        final Process p = new ProcessBuilder("java", "-jar", jar(), "stat", "--pid", Long.toString(pid()), "--json")
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "flowstack stat failed: " + out);
        return out;
    }

    /**
     * Stops the server with SIGTERM and waits for it.
     *
     * @return its exit code.
     */
    int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            stop();
        }
    }
}
