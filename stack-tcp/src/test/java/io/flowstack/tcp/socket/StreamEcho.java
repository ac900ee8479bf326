package io.flowstack.tcp.socket;

import io.flowstack.tcp.FlowStack;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An echo through the blocking streams: a server thread echoes what it reads until the end of the stream, then
 * shuts its output; the client writes the data from another thread, shuts down, and reads everything back.
 */
final class StreamEcho
{
    private StreamEcho()
    {
    }

    /**
     * Echoes {@code data} and checks that every byte came back, in order, and that the server saw all of it.
     *
     * @param server  the listening socket.
     * @param client  the client's stack.
     * @param core    the client's core.
     * @param address the server's IPv4 address.
     * @param data    the bytes to send.
     * @param timeout how long each side may wait.
     */
    static void echoAndCheck(final FlowServerSocket server, final FlowStack client, final int core, final int address,
        final byte[] data, final Duration timeout) throws Exception
    {
        final CompletableFuture<Long> echoed = CompletableFuture.supplyAsync(() ->
        {
            try (FlowSocket s = server.accept(timeout))
            {
                s.setSoTimeout(timeout);
                final InputStream in = s.getInputStream();
                final OutputStream out = s.getOutputStream();
                final byte[] buf = new byte[8192];
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0)
                {
                    out.write(buf, 0, n);
                    total += n;
                }
                s.shutdownOutput();
                return total;
            }
            catch (final Exception e)
            {
                throw new RuntimeException(e);
            }
        });
        try (FlowSocket c = FlowSocket.connect(client, core, address, server.port(), Duration.ofSeconds(5)))
        {
            c.setSoTimeout(timeout);
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() ->
            {
                try
                {
                    c.getOutputStream().write(data);
                    c.shutdownOutput();
                }
                catch (final Exception e)
                {
                    throw new RuntimeException(e);
                }
            });
            final byte[] back = c.getInputStream().readAllBytes();
            writer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(data.length, back.length, "bytes echoed");
            assertArrayEquals(data, back);
        }
        assertEquals(data.length, echoed.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }
}
