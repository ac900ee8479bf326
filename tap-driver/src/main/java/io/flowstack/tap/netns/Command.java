package io.flowstack.tap.netns;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs setup commands (such as {@code ip}) to completion with a timeout, capturing their output. Not for hot
 * paths.
 */
public final class Command
{
    /** Timeout of commands run without an explicit one. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private Command()
    {
    }

    /**
     * @param command program and arguments.
     * @return the outcome.
     * @throws IOException when the program cannot be started or exceeds {@link #DEFAULT_TIMEOUT}.
     */
    public static ExecResult run(final String... command) throws IOException
    {
        return run(DEFAULT_TIMEOUT, command);
    }

    /**
     * Runs a command; on timeout it and its descendants are killed.
     *
     * @param timeout how long to wait.
     * @param command program and arguments.
     * @return the outcome.
     * @throws IOException when the program cannot be started or times out.
     */
    public static ExecResult run(final Duration timeout, final String... command) throws IOException
    {
        final List<String> cmd = List.of(command);
        // Files, not pipes: nothing to drain concurrently, and no deadlock on large output.
        final File out = File.createTempFile("flowstack-cmd", ".out");
        final File err = File.createTempFile("flowstack-cmd", ".err");
        try
        {
            final Process process = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out)
                .redirectError(err)
                .start();
            try
            {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                {
                    destroy(process);
                    throw new IOException(
                        "'" + String.join(" ", cmd) + "' timed out after " + timeout.toMillis() + " ms");
                }
            }
            catch (final InterruptedException e)
            {
                destroy(process);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running '" + String.join(" ", cmd) + "'", e);
            }
            return new ExecResult(cmd, process.exitValue(),
                Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out.toPath());
            Files.deleteIfExists(err.toPath());
        }
    }

    /**
     * Kills a process this JVM started, and its descendants, and waits briefly for it.
     *
     * @param process a process started by this JVM.
     */
    public static void destroy(final Process process)
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
