package io.flowstack.examples.cli;

import io.flowstack.core.counter.CountersFile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which running flowstack process a tool talks to ({@code stat}, {@code reprogram}): the one named by
 * {@code --file} or {@code --pid}, else the only {@code serve} (a {@code get} that runs beside it publishes counters
 * too, and is not chosen), else the only process of any kind. And the one-line exchange with its control socket.
 */
final class ServerChoice
{
    /** Why no process could be chosen, with the exit code to leave with (1: none, 2: ambiguous). */
    static final class Refusal extends Exception
    {
        private static final long serialVersionUID = 1L;
        final int exit;

        Refusal(final int exit, final String message)
        {
            super(message);
            this.exit = exit;
        }
    }

    private ServerChoice()
    {
    }

    /**
     * @param pid  the process named with --pid, or null.
     * @param file the counters file named with --file, or null.
     * @return the counters file to read.
     * @throws Refusal when none or several processes run and neither option names one.
     */
    static Path countersFile(final Long pid, final Path file) throws Refusal
    {
        if (file != null)
        {
            return file;
        }
        if (pid != null)
        {
            return CountersFile.defaultFile(pid);
        }
        final List<Path> live;
        try
        {
            live = CountersFile.live();
            removeOrphanControlSockets();
        }
        catch (final IOException e)
        {
            throw new Refusal(1, Main.oneLine(e));
        }
        if (live.isEmpty())
        {
            throw new Refusal(1, "no running flowstack serve found (looked in " + CountersFile.defaultDirectory() + ")");
        }
        final List<Path> serving = new ArrayList<>();
        final List<String> all = new ArrayList<>();
        final List<String> servingPids = new ArrayList<>();
        for (final Path p : live)
        {
            final String[] pidAndRole = pidAndRole(p);
            all.add(pidAndRole[0] + " (" + pidAndRole[1] + ")");
            if ("serve".equals(pidAndRole[1]))
            {
                serving.add(p);
                servingPids.add(pidAndRole[0]);
            }
        }
        if (serving.size() == 1)
        {
            return serving.get(0);
        }
        if (serving.isEmpty() && live.size() == 1)
        {
            return live.get(0);
        }
        throw new Refusal(2, serving.size() > 1
            ? "several flowstack serve processes are running (pids " + String.join(", ", servingPids)
                + "); choose one with --pid"
            : "no flowstack serve is running but several other flowstack processes are (pids " + String.join(", ", all)
                + "); choose one with --pid");
    }

    /**
     * A serve makes its control socket after its counters file and removes it before; {@code CountersFile.live()}
     * removes the counters files of processes that died without cleaning up, so a socket left without its file is
     * a dead process's too.
     */
    private static void removeOrphanControlSockets() throws IOException
    {
        final Path dir = CountersFile.defaultDirectory();
        if (!Files.isDirectory(dir))
        {
            return;
        }
        try (DirectoryStream<Path> sockets = Files.newDirectoryStream(dir, "*" + ControlServer.SUFFIX))
        {
            for (final Path socket : sockets)
            {
                final String name = socket.getFileName().toString();
                final Path counters = socket.resolveSibling(
                    name.substring(0, name.length() - ControlServer.SUFFIX.length()) + CountersFile.SUFFIX);
                if (!Files.exists(counters))
                {
                    Files.deleteIfExists(socket);
                }
            }
        }
    }

    /** @return the writer's pid and its command ("serve", "get"), from the file (or its name, if it went away). */
    private static String[] pidAndRole(final Path file)
    {
        try (CountersFile f = CountersFile.openReadOnly(file))
        {
            final String description = f.description().strip();
            final int space = description.indexOf(' ');
            return new String[]{Long.toString(f.pid()), space < 0 ? description : description.substring(0, space)};
        }
        catch (final IOException | IllegalStateException e)
        {
            return new String[]{file.getFileName().toString(), "gone"};
        }
    }

    /**
     * Sends one request line to a running serve's control socket and reads the one-line answer.
     *
     * @param countersFile the process's counters file (the socket is beside it).
     * @param pid          the pid the user named, for the message when there is no socket, or null.
     * @param request      the request line.
     * @return the answer line.
     * @throws Refusal with a one-line reason when there is no socket or no answer.
     */
    static String ask(final Path countersFile, final Long pid, final String request) throws Refusal
    {
        final Path control = ControlServer.pathFor(countersFile);
        if (!Files.exists(control))
        {
            throw new Refusal(1, "no control socket " + control + (pid != null
                ? " (is flowstack serve running with pid " + pid + "?)" : ""));
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(control));
            Channels.newOutputStream(channel).write((request + "\n").getBytes(StandardCharsets.US_ASCII));
            final String answer = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                StandardCharsets.UTF_8)).readLine();
            if (answer == null)
            {
                throw new Refusal(1, "no answer from " + control);
            }
            return answer;
        }
        catch (final IOException e)
        {
            throw new Refusal(1, "cannot talk to " + control + ": " + Main.oneLine(e));
        }
    }
}
