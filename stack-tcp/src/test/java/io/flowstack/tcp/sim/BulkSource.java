package io.flowstack.tcp.sim;

import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpInfo;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The sending end of a bulk transfer in the simulator: writes {@code bytes} of zeros as fast as the connection takes
 * them, notes the connection's {@link TcpInfo} once everything is written, then closes if asked to.
 */
final class BulkSource implements TcpHandler
{
    final UnsafeBuffer zeros = new UnsafeBuffer(new byte[1 << 16]);
    final TcpInfo info = new TcpInfo();
    final long bytes;
    private final boolean closeWhenDone;
    long written;
    TcpConnection connection;

    /**
     * @param bytes         what to send.
     * @param closeWhenDone close the connection once everything is written.
     */
    BulkSource(final long bytes, final boolean closeWhenDone)
    {
        this.bytes = bytes;
        this.closeWhenDone = closeWhenDone;
    }

    @Override
    public void onConnected(final TcpConnection c)
    {
        connection = c;
        onWritable(c);
    }

    @Override
    public void onWritable(final TcpConnection c)
    {
        if (written >= bytes)
        {
            return;
        }
        while (written < bytes)
        {
            final int n = c.write(zeros, 0, (int)Math.min(zeros.capacity(), bytes - written));
            if (n <= 0)
            {
                return;
            }
            written += n;
        }
        c.info(info);
        if (closeWhenDone)
        {
            c.close();
        }
    }

    @Override
    public void onData(final TcpConnection c)
    {
    }
}
