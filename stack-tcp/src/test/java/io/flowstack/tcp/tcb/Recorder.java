package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The application of a packet script: records the callbacks it gets, as text ("connected", "data 100", "writable",
 * "peer closed", "closed connection reset"), and, when asked, reads everything that arrives at once.
 */
class Recorder implements TcpHandler
{
    final List<String> events = new ArrayList<>();
    final UnsafeBuffer rx = new UnsafeBuffer(new byte[1 << 20]);
    TcpConnection conn;
    boolean autoRead;
    long read;

    Recorder autoRead()
    {
        autoRead = true;
        return this;
    }

    Tcb tcb()
    {
        return (Tcb)conn;
    }

    /** @return the events so far, and forgets them. */
    List<String> take()
    {
        final List<String> copy = List.copyOf(events);
        events.clear();
        return copy;
    }

    @Override
    public void onConnected(final TcpConnection c)
    {
        conn = c;
        events.add("connected");
    }

    @Override
    public void onData(final TcpConnection c)
    {
        events.add("data " + c.readable());
        if (autoRead)
        {
            int n;
            while ((n = c.read(rx, 0, rx.capacity())) > 0)
            {
                read += n;
            }
        }
    }

    @Override
    public void onWritable(final TcpConnection c)
    {
        events.add("writable");
    }

    @Override
    public void onPeerClosed(final TcpConnection c)
    {
        events.add("peer closed");
    }

    @Override
    public void onClosed(final TcpConnection c, final int reason)
    {
        events.add("closed " + TcpHandler.reasonName(reason));
    }
}
