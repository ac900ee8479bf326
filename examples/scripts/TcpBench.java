import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Locale;

/**
 * A kernel-socket TCP client for ipv6-bench.sh, for either family (the shared bench's pbclient speaks IPv4 only):
 * {@code send} writes 128 KiB buffers to the discard port (5001), then shuts down and waits for the server's FIN;
 * {@code recv} reads from the source port (5002); {@code crr} loops connect, one byte to the echo port (5007), one
 * byte back, close (the client closes first). Prints one number: Gbit/s, or connections per second.
 * Usage: {@code java TcpBench.java send|recv|crr ADDRESS SECONDS}.
 */
public final class TcpBench
{
    private TcpBench()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length != 3)
        {
            System.err.println("usage: TcpBench send|recv|crr ADDRESS SECONDS");
            System.exit(2);
        }
        final InetAddress host = InetAddress.getByName(args[1]);
        final long nanos = (long)(Double.parseDouble(args[2]) * 1e9);
        final double value = switch (args[0])
        {
            case "send" -> send(new InetSocketAddress(host, 5001), nanos);
            case "recv" -> recv(new InetSocketAddress(host, 5002), nanos);
            case "crr" -> crr(new InetSocketAddress(host, 5007), nanos);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        };
        System.out.printf(Locale.ROOT, "%.3f%n", value);
    }

    private static double send(final InetSocketAddress to, final long nanos) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(128 * 1024);
        long bytes = 0;
        final long start = System.nanoTime();
        try (SocketChannel c = SocketChannel.open(to))
        {
            while (System.nanoTime() - start < nanos)
            {
                buffer.clear();
                bytes += c.write(buffer);
            }
            c.shutdownOutput();
            // The discard server closes after our FIN: everything sent has been taken.
            buffer.clear();
            while (c.read(buffer) >= 0)
            {
                buffer.clear();
            }
        }
        return bytes * 8 / ((System.nanoTime() - start) / 1e9) / 1e9;
    }

    private static double recv(final InetSocketAddress from, final long nanos) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(128 * 1024);
        long bytes = 0;
        final long start = System.nanoTime();
        long elapsed;
        try (SocketChannel c = SocketChannel.open(from))
        {
            while ((elapsed = System.nanoTime() - start) < nanos)
            {
                buffer.clear();
                final int n = c.read(buffer);
                if (n < 0)
                {
                    throw new IOException("the source closed early");
                }
                bytes += n;
            }
        }
        return bytes * 8 / (elapsed / 1e9) / 1e9;
    }

    private static double crr(final InetSocketAddress to, final long nanos) throws IOException
    {
        final ByteBuffer one = ByteBuffer.allocateDirect(1);
        long connections = 0;
        final long start = System.nanoTime();
        long elapsed;
        while ((elapsed = System.nanoTime() - start) < nanos)
        {
            try (SocketChannel c = SocketChannel.open())
            {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.connect(to);
                one.clear().put((byte)1).flip();
                c.write(one);
                one.clear();
                if (c.read(one) != 1)
                {
                    throw new IOException("no echo");
                }
            }
            connections++;
        }
        return connections / (elapsed / 1e9);
    }
}
