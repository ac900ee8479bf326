package io.flowstack.examples.apps.iperf3;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;

import java.nio.charset.StandardCharsets;

/**
 * The first handler of every connection to the iperf3 port: reads the client's cookie, then hands the connection
 * to what the cookie makes it (the control connection of a new test, or a stream of the running one).
 */
final class Greeting implements TcpHandler
{
    private final Iperf3Server server;
    private final CoreContext core;
    private final Iperf3Server.Buffers buffers;
    private final byte[] cookie = new byte[Iperf3Protocol.COOKIE_SIZE];
    private int have;
    private TcpHandler next;
    private boolean refused;

    Greeting(final Iperf3Server server, final CoreContext core, final Iperf3Server.Buffers buffers)
    {
        this.server = server;
        this.core = core;
        this.buffers = buffers;
    }

    @Override
    public void onConnected(final TcpConnection c)
    {
    }

    @Override
    public void onData(final TcpConnection c)
    {
        if (next != null)
        {
            next.onData(c);
            return;
        }
        if (refused)
        {
            while (c.read(buffers.scratch, 0, buffers.scratch.capacity()) > 0)
            {
                // a refused connection's bytes are dropped until it closes
            }
            return;
        }
        int n;
        while (have < cookie.length && (n = c.read(buffers.scratch, 0, cookie.length - have)) > 0)
        {
            buffers.scratch.getBytes(0, cookie, have, n);
            have += n;
        }
        if (have < cookie.length)
        {
            return;
        }
        int end = 0;
        while (end < cookie.length && cookie[end] != 0)
        {
            end++;
        }
        next = server.dispatch(c, new String(cookie, 0, end, StandardCharsets.US_ASCII), core, buffers);
        refused = next == null;
        if (next != null && c.readable() > 0)
        {
            next.onData(c);
        }
    }

    @Override
    public void onWritable(final TcpConnection c)
    {
        if (next != null)
        {
            next.onWritable(c);
        }
    }

    @Override
    public void onPeerClosed(final TcpConnection c)
    {
        if (next != null)
        {
            next.onPeerClosed(c);
        }
        else
        {
            c.close();
        }
    }

    @Override
    public void onClosed(final TcpConnection c, final int reason)
    {
        if (next != null)
        {
            next.onClosed(c, reason);
        }
    }
}
