package io.flowstack.tcp.socket;

import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.locks.LockSupport;

/**
 * The core's side of a {@link FlowSocket}: the connection's callbacks, on the owning core. It moves bytes between
 * the connection and the socket's rings and wakes the application threads waiting on them; it never blocks.
 */
final class SocketBridge implements TcpHandler
{
    private final FlowSocket socket;
    private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[1 << 16]);
    boolean shutdownRequested;
    boolean closeRequested;
    private boolean outputShut;
    private boolean filling;
    private boolean closedWhileFilling;
    private int closedReason;

    SocketBridge(final FlowSocket socket)
    {
        this.socket = socket;
    }

    @Override
    public void onConnected(final TcpConnection c)
    {
        socket.connection = c;
        socket.state.compareAndSet(FlowSocket.CONNECTING, FlowSocket.OPEN);
        wake(socket.waitingConnector);
        drainTx(c);
    }

    @Override
    public void onData(final TcpConnection c)
    {
        fillRx(c);
    }

    @Override
    public void onWritable(final TcpConnection c)
    {
        drainTx(c);
    }

    @Override
    public void onPeerClosed(final TcpConnection c)
    {
        fillRx(c);
    }

    @Override
    public void onClosed(final TcpConnection c, final int reason)
    {
        if (filling)
        {
            // The read that took the last bytes reported the end: the bytes are still in the chunk, so end of
            // stream waits until they are in the ring.
            closedWhileFilling = true;
            closedReason = reason;
            return;
        }
        closed(reason);
    }

    private void closed(final int reason)
    {
        if (reason != CLOSED_NORMALLY)
        {
            socket.closeReason = reason;
        }
        socket.eof = true;
        socket.state.set(FlowSocket.CLOSED);
        wake(socket.waitingConnector);
        wake(socket.waitingReader);
        wake(socket.waitingWriter);
    }

    void fillRx(final TcpConnection c)
    {
        if (c == null)
        {
            return;
        }
        int moved = 0;
        filling = true;
        try
        {
            while (true)
            {
                final int n = Math.min(Math.min(c.readable(), socket.rx.free()), chunk.capacity());
                if (n <= 0)
                {
                    break;
                }
                final int read = c.read(chunk, 0, n);
                if (read <= 0)
                {
                    break;
                }
                socket.rx.write(chunk, 0, read);
                moved += read;
                if (closedWhileFilling)
                {
                    break;
                }
            }
        }
        finally
        {
            filling = false;
        }
        if (closedWhileFilling)
        {
            closedWhileFilling = false;
            closed(closedReason);
            return;
        }
        if (c.readable() == 0 && c.read(chunk, 0, 0) < 0)
        {
            socket.eof = true;
        }
        if (moved > 0 || socket.eof)
        {
            wake(socket.waitingReader);
        }
    }

    void drainTx(final TcpConnection c)
    {
        if (c == null || c.isClosed())
        {
            return;
        }
        int moved = 0;
        while (true)
        {
            final int n = Math.min(Math.min(socket.tx.available(), c.writable()), chunk.capacity());
            if (n <= 0)
            {
                break;
            }
            socket.tx.peek(chunk, 0, n);
            // The connection may take less than it offered (a send buffer whose ring the core's memory refused
            // takes nothing, and calls back when memory frees): the rest stays in the socket's ring.
            final int taken = c.write(chunk, 0, n);
            if (taken <= 0)
            {
                break;
            }
            socket.tx.skip(taken);
            moved += taken;
        }
        if (moved > 0)
        {
            wake(socket.waitingWriter);
        }
        if (shutdownRequested && socket.tx.available() == 0 && !outputShut)
        {
            outputShut = true;
            if (closeRequested)
            {
                c.close();
            }
            else
            {
                c.shutdownOutput();
            }
        }
    }

    private void wake(final Thread t)
    {
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }
}
