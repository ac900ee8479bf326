package io.flowstack.examples.apps.iperf3;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpInfo;

/**
 * One data stream of an iperf3 test, served on its own core: counts what it receives, or, when the server sends
 * ({@code -R}, {@code --bidir}), writes as fast as the connection takes. The byte count is written by this core
 * only and read by the control connection's core.
 */
final class Iperf3Stream implements TcpHandler
{
    private final Iperf3Test test;
    private final int id;
    private final boolean sender;
    private final TcpConnection connection;
    private final CoreContext core;
    private final Iperf3Server.Buffers buffers;
    private final int chunk;
    private volatile long bytes;
    private volatile long retransmits;
    private volatile String congestionControl = "";
    private long omitted;
    private boolean sending;
    private boolean finished;

    Iperf3Stream(final Iperf3Test test, final int id, final boolean sender, final TcpConnection connection,
        final CoreContext core, final Iperf3Server.Buffers buffers, final int blockSize)
    {
        this.test = test;
        this.id = id;
        this.sender = sender;
        this.connection = connection;
        this.core = core;
        this.buffers = buffers;
        this.chunk = Math.min(blockSize, buffers.zeros.capacity());
    }

    int id()
    {
        return id;
    }

    boolean sender()
    {
        return sender;
    }

    CoreContext core()
    {
        return core;
    }

    TcpConnection connection()
    {
        return connection;
    }

    /**
     * @return bytes sent or received since the omitted seconds ended (read on the control core).
     */
    long bytes()
    {
        return bytes - omitted;
    }

    long retransmits()
    {
        return retransmits;
    }

    String congestionControl()
    {
        return congestionControl;
    }

    /**
     * The omitted seconds are over: later results count from here (on the control core).
     */
    void omitEnded()
    {
        omitted = bytes;
    }

    @Override
    public void onConnected(final TcpConnection c)
    {
    }

    @Override
    public void onData(final TcpConnection c)
    {
        int n;
        long got = 0;
        while ((n = c.read(buffers.scratch, 0, buffers.scratch.capacity())) > 0)
        {
            got += n;
        }
        if (!sender && !finished && got > 0)
        {
            bytes += got;
        }
    }

    @Override
    public void onWritable(final TcpConnection c)
    {
        if (sending)
        {
            fill();
        }
    }

    /** The test runs: send until it ends (on this stream's core). */
    void startSending()
    {
        if (!finished)
        {
            sending = true;
            fill();
        }
    }

    private void fill()
    {
        int n;
        long sent = 0;
        do
        {
            n = connection.write(buffers.zeros, 0, chunk);
            sent += n;
        }
        while (n == chunk);
        if (sent > 0)
        {
            bytes += sent;
        }
    }

    /**
     * The client said TEST_END: count what arrived, note the connection's retransmissions, close, and tell the
     * test (on this stream's core).
     */
    void finish()
    {
        if (finished)
        {
            return;
        }
        onData(connection);
        finished = true;
        sending = false;
        final TcpInfo info = connection.info(new TcpInfo());
        retransmits = info.retransmits;
        congestionControl = info.congestionControl;
        connection.close();
        test.streamFinished(core);
    }

    /** The test ended early: reset the connection (on this stream's core). */
    void abort()
    {
        if (!finished)
        {
            finished = true;
            sending = false;
            connection.abort();
        }
    }

    @Override
    public void onPeerClosed(final TcpConnection c)
    {
        onData(c);
        if (finished)
        {
            return;
        }
        // The client closes its streams only after the results; earlier, the control connection says why.
        c.close();
    }
}
