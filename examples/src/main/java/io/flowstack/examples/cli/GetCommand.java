package io.flowstack.examples.cli;

import io.flowstack.ip.addr.IpAddress;
import io.flowstack.tap.sys.Native;
import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code flowstack get URL -o FILE}: an HTTP/1.1 client running on the stack (the connection is flowstack's,
 * not the kernel's), with the same interface options as {@code serve}. Like curl: {@code -o -} writes the body to
 * standard output, a progress meter goes to stderr when it is a terminal, and Ctrl-C or SIGTERM ends it cleanly
 * (TAP, namespace and counters file removed, a partial file kept).
 */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Fetches http://ADDRESS[:PORT]/PATH over the stack and writes the body to a file.",
        "With --netns NS (an existing namespace is used as it is), the TAP's kernel side goes into NS with --host-ip,"
            + " so a server in that namespace (python3 -m http.server, say) can be reached."})
final class GetCommand implements Callable<Integer>
{
    @Mixin
    StackOptions stack;

    @Parameters(index = "0", paramLabel = "URL", description = "http://ADDRESS[:PORT]/PATH (no DNS: an IPv4 address, or IPv6 in brackets).")
    String url;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
        description = "Where to write the body; - for standard output (everything else then goes to stderr).")
    String output;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60", description = "Give up after this long.")
    int timeoutSeconds;

    @Option(names = {"-s", "--silent"}, description = "No progress meter and no summary line; errors still print.")
    boolean silent;

    @Override
    public Integer call() throws Exception
    {
        final URI uri = URI.create(url);
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null)
        {
            throw new IllegalArgumentException("only http://ADDRESS[:PORT]/PATH URLs are supported, got " + url);
        }
        final IpAddress address;
        try
        {
            final String host = uri.getHost();
            address = IpAddress.parse(host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1) : host);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("the host must be an IP address, IPv6 in brackets (there is no DNS"
                + " here): " + uri.getHost());
        }
        final int port = uri.getPort() < 0 ? 80 : uri.getPort();
        final String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath()
            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        final boolean toStdout = "-".equals(output);
        final PrintStream report = toStdout ? System.err : System.out;
        if (toStdout)
        {
            // The body owns standard output: the stack's notices and our own lines go to stderr.
            System.setOut(System.err);
        }
        final Client client = new Client(uri.getHost() + (uri.getPort() < 0 ? "" : ":" + port),
            uri.getHost() + ":" + port, path, toStdout ? null : Path.of(output));
        final long start = System.nanoTime();
        boolean noInterface = false;
        final Launcher launcher = Launcher.start(stack.options(List.of(), null, "get"));
        final Object closing = new Object();
        final boolean[] closed = new boolean[1];
        final Runnable closeAll = () ->
        {
            // Once, by the main thread or the shutdown hook, whichever comes first; the other waits for it, so
            // the JVM does not exit halfway through removing the TAP, the namespace or the counters file.
            synchronized (closing)
            {
                if (!closed[0])
                {
                    closed[0] = true;
                    launcher.close();
                    client.closeFile();
                }
            }
        };
        final Progress progress = silent || Native.LIBC.isatty(2) != 1 ? null
            : Progress.start(System.err, () -> client.bodyBytes, () -> client.contentLength);
        final Thread onSignal = new Thread(() ->
        {
            if (progress != null)
            {
                progress.close();
            }
            if (client.done.getCount() > 0)
            {
                System.err.println("flowstack: interrupted after " + client.bodyBytes + " bytes"
                    + (toStdout || client.bodyBytes == 0 ? "" : " (partial " + output + " kept)"));
            }
            closeAll.run();
        }, "flowstack-get-shutdown");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try
        {
            launcher.stack().core(0).submit(core -> client.connect(core, address, port));
            launcher.noInterfaceLeft().thenRun(client.done::countDown);
            if (!client.done.await(timeoutSeconds, TimeUnit.SECONDS))
            {
                client.fail(client.connected ? "timed out after " + timeoutSeconds + " s (" + client.bodyBytes
                    + " bytes received)" : "cannot connect to " + client.target + ": no answer within "
                    + timeoutSeconds + " s");
            }
            noInterface = launcher.noInterfaceLeft().isDone();
        }
        finally
        {
            if (progress != null)
            {
                progress.close();
            }
            closeAll.run();
            try
            {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook runs or has run: it found everything closed
            }
        }
        if (noInterface)
        {
            return ServeCommand.EXIT_NO_INTERFACE;
        }
        if (client.failure != null)
        {
            throw new IOException(client.failure);
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        if (!silent)
        {
            report.printf(Locale.ROOT, "flowstack: %s, %d bytes in %.2f s (%.1f Mbit/s) -> %s%n",
                client.statusLine, client.bodyBytes, seconds, client.bodyBytes * 8 / seconds / 1e6,
                toStdout ? "stdout" : output);
            report.flush();
        }
        return client.status >= 200 && client.status < 300 ? 0 : 1;
    }

    /** The HTTP exchange, on core 0's thread. */
    private static final class Client implements TcpHandler
    {
        final CountDownLatch done = new CountDownLatch(1);
        private final String host;
        final String target;
        private final String path;
        private final Path output;
        private final UnsafeBuffer in = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 16));
        private final StringBuilder head = new StringBuilder();
        private FileChannel file;
        private boolean headerDone;
        volatile long contentLength = -1;
        volatile boolean connected;
        volatile long bodyBytes;
        volatile String failure;
        String statusLine = "";
        int status;

        /**
         * @param host   the Host header.
         * @param target address and port, for messages.
         * @param path   the request target.
         * @param output the file for the body, or null for standard output.
         */
        Client(final String host, final String target, final String path, final Path output)
        {
            this.host = host;
            this.target = target;
            this.path = path;
            this.output = output;
        }

        void connect(final CoreContext core, final IpAddress address, final int port)
        {
            try
            {
                core.connect(address, port, this, ConnectionOptions.DEFAULT);
            }
            catch (final IOException | RuntimeException e)
            {
                fail(Main.oneLine(e));
            }
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            connected = true;
            final byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: flowstack\r\n"
                + "Accept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            c.write(new UnsafeBuffer(request), 0, request.length);
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = c.read(in, 0, in.capacity())) > 0)
            {
                int at = 0;
                if (!headerDone)
                {
                    at = header(n);
                    if (at < 0)
                    {
                        continue;
                    }
                }
                if (!body(c, at, n - at))
                {
                    return;
                }
                if (contentLength >= 0 && bodyBytes >= contentLength)
                {
                    c.close();
                    finish();
                    return;
                }
            }
        }

        /** @return where the body starts in {@code in}, or -1 while the header goes on. */
        private int header(final int n)
        {
            for (int i = 0; i < n; i++)
            {
                head.append((char)(in.getByte(i) & 0xFF));
                final int len = head.length();
                if (len >= 4 && head.charAt(len - 1) == '\n' && head.charAt(len - 2) == '\r'
                    && head.charAt(len - 3) == '\n' && head.charAt(len - 4) == '\r')
                {
                    headerDone = true;
                    final String[] lines = head.toString().split("\r\n");
                    statusLine = lines[0];
                    final String[] parts = statusLine.split(" ", 3);
                    status = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
                    for (final String l : lines)
                    {
                        final String lower = l.toLowerCase(Locale.ROOT);
                        if (lower.startsWith("content-length:"))
                        {
                            contentLength = Long.parseLong(l.substring(15).trim());
                        }
                        if (lower.startsWith("transfer-encoding:") && lower.contains("chunked"))
                        {
                            fail("chunked transfer encoding is not supported yet");
                        }
                    }
                    try
                    {
                        file = output == null ? new FileOutputStream(FileDescriptor.out).getChannel()
                            : FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                StandardOpenOption.TRUNCATE_EXISTING);
                    }
                    catch (final IOException e)
                    {
                        fail("cannot write " + output + ": " + Main.oneLine(e));
                    }
                    return i + 1;
                }
            }
            return -1;
        }

        /** @return false when the body could not be written (the connection is then aborted). */
        private boolean body(final TcpConnection c, final int offset, final int length)
        {
            if (length <= 0 || file == null)
            {
                return true;
            }
            final ByteBuffer bb = in.byteBuffer().duplicate();
            bb.limit(offset + length).position(offset);
            try
            {
                while (bb.hasRemaining())
                {
                    file.write(bb);
                }
            }
            catch (final IOException e)
            {
                // A full disk, or standard output piped into a reader that has gone (head -c): stop at once.
                fail("cannot write " + (output == null ? "to standard output" : output) + ": " + Main.oneLine(e));
                c.abort();
                return false;
            }
            bodyBytes += length;
            return true;
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            onData(c);
            c.close();
            if (!headerDone)
            {
                fail("the server closed the connection without an answer");
            }
            else if (contentLength >= 0 && bodyBytes < contentLength)
            {
                fail("the server closed after " + bodyBytes + " of " + contentLength + " bytes");
            }
            finish();
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason)
        {
            if (reason != CLOSED_NORMALLY)
            {
                fail((connected ? "" : "cannot connect to " + target + ": ") + TcpHandler.reasonName(reason));
            }
            finish();
        }

        void fail(final String why)
        {
            if (failure == null)
            {
                failure = why;
            }
            finish();
        }

        private void finish()
        {
            done.countDown();
        }

        /** Closes the body's file (after the stack has stopped). */
        void closeFile()
        {
            if (file != null)
            {
                try
                {
                    file.close();
                }
                catch (final IOException e)
                {
                    fail("cannot write " + (output == null ? "to standard output" : output) + ": " + Main.oneLine(e));
                }
            }
        }
    }
}
