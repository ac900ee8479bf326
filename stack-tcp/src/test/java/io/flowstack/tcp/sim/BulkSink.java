package io.flowstack.tcp.sim;

import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpInfo;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The receiving end of a bulk transfer in the simulator: counts what arrives, notes the virtual time of byte
 * {@code bytes} and the connection's {@link TcpInfo} then, and closes when the peer does.
 */
final class BulkSink implements TcpHandler
{
    final UnsafeBuffer in = new UnsafeBuffer(new byte[1 << 16]);
    final TcpInfo info = new TcpInfo();
    final SimNetwork net;
    final long bytes;
    long read;
    /** Virtual time the last expected byte arrived, -1 before. */
    long doneAt = -1;

    /**
     * @param net   the simulation (its clock).
     * @param bytes what the transfer carries.
     */
    BulkSink(final SimNetwork net, final long bytes)
    {
        this.net = net;
        this.bytes = bytes;
    }

    @Override
    public void onConnected(final TcpConnection c)
    {
    }

    @Override
    public void onData(final TcpConnection c)
    {
        int n;
        while ((n = c.read(in, 0, in.capacity())) > 0)
        {
            read += n;
        }
        if (read >= bytes && doneAt < 0)
        {
            doneAt = net.simulator().now();
            c.info(info);
        }
    }

    @Override
    public void onPeerClosed(final TcpConnection c)
    {
        onData(c);
        c.close();
    }
}
