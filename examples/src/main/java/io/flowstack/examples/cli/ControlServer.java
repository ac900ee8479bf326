package io.flowstack.examples.cli;

import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.HandoverReport;
import io.flowstack.tcp.api.TcpInfo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The control socket of a running {@code flowstack serve}: a Unix domain socket next to its counters file
 * ({@code PID.control}, owner-only), one request line in, one answer line out. It is how
 * {@code flowstack reprogram} reaches the running stack. Requests:
 * <ul>
 * <li>{@code reprogram W,W,...}: fills a new indirection table from per-core weights and hands it over
 * ({@link FlowStack#reprogram}); answers {@code ok pinned=N late=N refused=N us=N} once the kernel has
 * switched, or {@code error REASON}.</li>
 * <li>{@code connections}: every TCP connection of every core, as each core sees it ({@link TcpInfo}); answers
 * {@code ok JSON} ({@link ConnectionsReport}) or {@code error REASON}.</li>
 * </ul>
 */
final class ControlServer implements AutoCloseable
{
    /** File name suffix of control sockets. */
    static final String SUFFIX = ".control";
    private static final long HANDOVER_TIMEOUT_S = 10;

    private final Path path;
    private final ServerSocketChannel channel;
    private final FlowStack stack;
    private final Thread thread;

    private ControlServer(final Path path, final ServerSocketChannel channel, final FlowStack stack)
    {
        this.path = path;
        this.channel = channel;
        this.stack = stack;
        this.thread = new Thread(this::serve, "flowstack-control");
        this.thread.setDaemon(true);
    }

    /**
     * @param countersFile a counters file.
     * @return the control socket beside it: {@code NAME.control} for {@code NAME.counters}.
     */
    static Path pathFor(final Path countersFile)
    {
        final String name = countersFile.getFileName().toString();
        final String base = name.endsWith(".counters") ? name.substring(0, name.length() - ".counters".length()) : name;
        return countersFile.resolveSibling(base + SUFFIX);
    }

    /**
     * @param path  where the socket goes (a stale one is replaced).
     * @param stack the running stack.
     * @return the server, accepting on a daemon thread.
     * @throws IOException when the socket cannot be made.
     */
    static ControlServer start(final Path path, final FlowStack stack) throws IOException
    {
        Files.deleteIfExists(path);
        final ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try
        {
            channel.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        }
        catch (final IOException | RuntimeException e)
        {
            channel.close();
            throw e;
        }
        final ControlServer server = new ControlServer(path, channel, stack);
        server.thread.start();
        return server;
    }

    private void serve()
    {
        while (channel.isOpen())
        {
            try (SocketChannel client = channel.accept())
            {
                final BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                    StandardCharsets.US_ASCII));
                final String request = in.readLine();
                final OutputStream out = Channels.newOutputStream(client);
                out.write((answer(request == null ? "" : request.strip()) + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            catch (final IOException e)
            {
                // closed, or the client went away: the next accept tells which
            }
        }
    }

    String answer(final String request)
    {
        if ("connections".equals(request))
        {
            return ConnectionsReport.collect(stack);
        }
        final String[] words = request.split("\\s+", 2);
        if (!"reprogram".equals(words[0]) || words.length != 2)
        {
            return "error unknown request '" + request + "' (expected: reprogram W,W,... or connections)";
        }
        final int[] weights;
        try
        {
            weights = Arrays.stream(words[1].split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        }
        catch (final NumberFormatException e)
        {
            return "error weights must be integers, got '" + words[1] + "'";
        }
        if (weights.length != stack.cores())
        {
            return "error " + weights.length + " weights for " + stack.cores() + " cores";
        }
        final IndirectionTable table = new IndirectionTable(stack.ownership().tableSize());
        try
        {
            table.fill(weights);
        }
        catch (final IllegalArgumentException e)
        {
            return "error " + e.getMessage();
        }
        if (!stack.reprogram(table))
        {
            return "error a reprogramming is still running (try again)";
        }
        try
        {
            final HandoverReport r = stack.awaitReprogram(HANDOVER_TIMEOUT_S, TimeUnit.SECONDS);
            if (r == null)
            {
                return "error the handover did not finish within " + HANDOVER_TIMEOUT_S + " s";
            }
            if (!r.completed())
            {
                return "error the handover was abandoned: a core's command queue stayed full";
            }
            return "ok pinned=" + r.pinned() + " late=" + r.latePins() + " refused=" + r.refusedByKernel() + " us="
                + r.nanos() / 1000 + " table=" + table;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return "error interrupted";
        }
    }

    /**
     * Stops accepting and removes the socket. Idempotent.
     */
    @Override
    public void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // closing
        }
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignored)
        {
            // a leftover socket is replaced at the next start
        }
    }
}
