package io.flowstack.examples.apps;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.CoreSetup;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.BindException;
import java.net.URLDecoder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * A small HTTP/1.1 server on the per-core API: GET and HEAD of static files under a root (memory-mapped and
 * written as the send buffer takes them), directory index, 404, keep-alive with Content-Length. Without a root
 * it answers every request with {@code 200 ok} (two bytes), as the benchmark's HTTP test expects.
 */
public final class HttpServer implements CoreSetup
{
    private static final int MAX_REQUEST = 16 * 1024;
    private static final int SMALL_BODY = 8 * 1024;
    private static final byte[] OK_BODY = "ok".getBytes(StandardCharsets.US_ASCII);
    /** The fixed answer without a root, read-only and shared: keep-alive GET, HEAD, then closing GET, HEAD. */
    private static final UnsafeBuffer[] FIXED =
        {fixed(false, false), fixed(false, true), fixed(true, false), fixed(true, true)};

    private final int port;
    private final Path root;

    /**
     * @param port port to listen on, on every core.
     * @param root directory to serve, or null for the fixed answer.
     */
    public HttpServer(final int port, final Path root)
    {
        this.port = port;
        this.root = root == null ? null : root.toAbsolutePath().normalize();
    }

    @Override
    public void setup(final CoreContext core) throws BindException
    {
        core.listen(port, c -> new Exchange());
    }

    /** One connection: the bytes of the request being read, and the response being written. */
    private final class Exchange implements TcpHandler
    {
        private final UnsafeBuffer request = new UnsafeBuffer(new byte[MAX_REQUEST]);
        private final HttpRequestHead head = new HttpRequestHead();
        private int requestLength;
        private UnsafeBuffer pending;
        private int pendingOffset;
        private UnsafeBuffer body;
        private long bodyOffset;
        private boolean closeAfter;
        private boolean peerClosed;

        @Override
        public void onConnected(final TcpConnection c)
        {
            // A response is written in pieces (header, body): Nagle would hold the last small piece for the
            // client's delayed ACK, 40 ms per request on a keep-alive connection.
            c.noDelay(true);
        }

        @Override
        public void onData(final TcpConnection c)
        {
            pump(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            pump(c);
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            peerClosed = true;
            pump(c);
        }

        private void pump(final TcpConnection c)
        {
            while (!c.isClosed())
            {
                if (!flush(c))
                {
                    return;
                }
                if (closeAfter)
                {
                    c.close();
                    return;
                }
                final int room = MAX_REQUEST - requestLength;
                if (room > 0 && c.readable() > 0)
                {
                    requestLength += Math.max(0, c.read(request, requestLength, room));
                }
                final int end = headerEnd();
                if (end < 0)
                {
                    if (requestLength == MAX_REQUEST)
                    {
                        respond(c, 431, "Request Header Fields Too Large", "text/plain", null, false, true);
                        continue;
                    }
                    if (peerClosed && c.readable() == 0)
                    {
                        c.close();
                    }
                    return;
                }
                final boolean valid = head.parse(request, end);
                final String target = valid && root != null
                    ? request.getStringWithoutLengthAscii(head.targetStart, head.targetEnd - head.targetStart) : null;
                request.putBytes(0, request, end + 4, requestLength - end - 4);
                requestLength -= end + 4;
                handle(c, valid, target);
            }
        }

        private int headerEnd()
        {
            for (int i = 0; i + 3 < requestLength; i++)
            {
                if (request.getByte(i) == '\r' && request.getByte(i + 1) == '\n'
                    && request.getByte(i + 2) == '\r' && request.getByte(i + 3) == '\n')
                {
                    return i;
                }
            }
            return -1;
        }

        private void handle(final TcpConnection c, final boolean valid, final String target)
        {
            if (!valid)
            {
                respond(c, 400, "Bad Request", "text/plain", null, false, true);
                return;
            }
            final boolean close = head.close;
            final boolean headOnly = head.method == HttpRequestHead.HEAD;
            if (head.method == HttpRequestHead.OTHER)
            {
                respond(c, 501, "Not Implemented", "text/plain", null, false, close);
                return;
            }
            if (root == null)
            {
                // The benchmark's answer, prepared once: a request costs no allocation.
                pending = FIXED[(close ? 2 : 0) + (headOnly ? 1 : 0)];
                pendingOffset = 0;
                body = null;
                closeAfter = close;
                flush(c);
                return;
            }
            serveFile(c, target, headOnly, close);
        }

        private void serveFile(final TcpConnection c, final String target, final boolean headOnly, final boolean close)
        {
            String path = target;
            final int q = path.indexOf('?');
            if (q >= 0)
            {
                path = path.substring(0, q);
            }
            path = URLDecoder.decode(path, StandardCharsets.UTF_8);
            final Path file = root.resolve(path.replaceFirst("^/+", "")).normalize();
            if (!file.startsWith(root) || !Files.exists(file))
            {
                respond(c, 404, "Not Found", "text/plain", null, headOnly, close);
                return;
            }
            try
            {
                if (Files.isDirectory(file))
                {
                    final Path index = file.resolve("index.html");
                    if (Files.isRegularFile(index))
                    {
                        respond(c, 200, "OK", "text/html", map(index), headOnly, close);
                    }
                    else
                    {
                        respond(c, 200, "OK", "text/html", listing(file, path), headOnly, close);
                    }
                    return;
                }
                respond(c, 200, "OK", contentType(file), map(file), headOnly, close);
            }
            catch (final IOException e)
            {
                respond(c, 500, "Internal Server Error", "text/plain", null, headOnly, true);
            }
        }

        private UnsafeBuffer listing(final Path dir, final String path) throws IOException
        {
            final StringBuilder b = new StringBuilder("<!DOCTYPE html><html><body><h1>Index of ")
                .append(escape(path)).append("</h1><ul>");
            try (Stream<Path> entries = Files.list(dir))
            {
                entries.sorted().forEach(p ->
                {
                    final String name = p.getFileName().toString() + (Files.isDirectory(p) ? "/" : "");
                    b.append("<li><a href=\"").append(escape(name)).append("\">").append(escape(name)).append("</a></li>");
                });
            }
            b.append("</ul></body></html>\n");
            return new UnsafeBuffer(b.toString().getBytes(StandardCharsets.UTF_8));
        }

        private void respond(final TcpConnection c, final int status, final String reason, final String type,
            final UnsafeBuffer content, final boolean headOnly, final boolean close)
        {
            final UnsafeBuffer payload = content != null ? content
                : new UnsafeBuffer((status + " " + reason + "\n").getBytes(StandardCharsets.US_ASCII));
            if (!headOnly && payload.capacity() <= SMALL_BODY)
            {
                // Small answers go out as one piece: one segment instead of two.
                pending = new UnsafeBuffer(response(status, reason, type, payload, close, false));
                body = null;
            }
            else
            {
                pending = new UnsafeBuffer(response(status, reason, type, payload, close, true));
                body = headOnly ? null : payload;
            }
            pendingOffset = 0;
            bodyOffset = 0;
            closeAfter = close;
            flush(c);
        }

        /** @return true when the whole response is in the send buffer. */
        private boolean flush(final TcpConnection c)
        {
            if (pending != null)
            {
                final int n = c.write(pending, pendingOffset, pending.capacity() - pendingOffset);
                if (n < 0)
                {
                    return false;
                }
                pendingOffset += n;
                if (pendingOffset < pending.capacity())
                {
                    return false;
                }
                pending = null;
            }
            while (body != null)
            {
                final int chunk = (int)Math.min(1 << 16, body.capacity() - bodyOffset);
                if (chunk == 0)
                {
                    body = null;
                    break;
                }
                final int n = c.write(body, (int)bodyOffset, chunk);
                if (n <= 0)
                {
                    return false;
                }
                bodyOffset += n;
            }
            return true;
        }
    }

    /** @return the status line and header, and unless {@code headerOnly} the payload after them. */
    private static byte[] response(final int status, final String reason, final String type, final UnsafeBuffer payload,
        final boolean close, final boolean headerOnly)
    {
        final byte[] head = ("HTTP/1.1 " + status + " " + reason + "\r\n"
            + "Content-Type: " + type + "\r\n"
            + "Content-Length: " + payload.capacity() + "\r\n"
            + (close ? "Connection: close\r\n" : "Connection: keep-alive\r\n")
            + "Server: flowstack\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        if (headerOnly)
        {
            return head;
        }
        final byte[] whole = new byte[head.length + payload.capacity()];
        System.arraycopy(head, 0, whole, 0, head.length);
        payload.getBytes(0, whole, head.length, payload.capacity());
        return whole;
    }

    private static UnsafeBuffer fixed(final boolean close, final boolean headOnly)
    {
        return new UnsafeBuffer(response(200, "OK", "text/plain", new UnsafeBuffer(OK_BODY), close, headOnly));
    }

    private static UnsafeBuffer map(final Path file) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = ch.size();
            if (size > Integer.MAX_VALUE)
            {
                throw new IOException("file too large for one response: " + file);
            }
            final MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return new UnsafeBuffer(map);
        }
    }

    private static String contentType(final Path file)
    {
        final String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".html") || name.endsWith(".htm"))
        {
            return "text/html";
        }
        if (name.endsWith(".txt"))
        {
            return "text/plain";
        }
        return "application/octet-stream";
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
