package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.TcpAcceptor;
import io.flowstack.tcp.api.TcpHandler;

/**
 * The application's side of a unit of work: the events a connection collected while segments, timers or calls were
 * processed ({@link Tcb#signal}) become {@link TcpHandler} callbacks once the unit ends, never in the middle of a
 * transition ({@link TcpLayer#exit()}).
 */
final class AppEvents
{
    private AppEvents()
    {
    }

    /**
     * Runs the application's callbacks for the events collected, in the order a connection lives them. A callback
     * may call back into the connection; what that causes is collected and delivered in the same loop.
     */
    static void deliver(final Tcb tcb)
    {
        while (tcb.events != 0)
        {
            final int ev = tcb.events;
            final int live = Tcb.EV_CONNECTED | Tcb.EV_DATA | Tcb.EV_WRITABLE | Tcb.EV_PEER_CLOSED;
            if (tcb.closed || (ev & Tcb.EV_CLOSED) != 0 && (ev & live) == 0)
            {
                tcb.events = 0;
                if ((ev & Tcb.EV_CLOSED) != 0)
                {
                    reportClosed(tcb);
                }
                return;
            }
            if ((ev & Tcb.EV_CONNECTED) != 0)
            {
                tcb.events &= ~Tcb.EV_CONNECTED;
                connected(tcb);
            }
            else if ((ev & Tcb.EV_DATA) != 0)
            {
                tcb.events &= ~Tcb.EV_DATA;
                if (tcb.handler != null)
                {
                    tcb.handler.onData(tcb);
                }
            }
            else if ((ev & Tcb.EV_WRITABLE) != 0)
            {
                tcb.events &= ~Tcb.EV_WRITABLE;
                if (tcb.handler != null)
                {
                    tcb.handler.onWritable(tcb);
                }
            }
            else if ((ev & Tcb.EV_PEER_CLOSED) != 0)
            {
                tcb.events &= ~Tcb.EV_PEER_CLOSED;
                if (tcb.handler != null)
                {
                    tcb.handler.onPeerClosed(tcb);
                }
            }
        }
    }

    private static void connected(final Tcb tcb)
    {
        if (tcb.acceptor != null)
        {
            final TcpAcceptor a = tcb.acceptor;
            tcb.acceptor = null;
            tcb.handler = a.accept(tcb);
            if (tcb.handler == null)
            {
                // The application declined the connection.
                tcb.abort();
                return;
            }
        }
        if (tcb.handler != null)
        {
            tcb.handler.onConnected(tcb);
        }
    }

    private static void reportClosed(final Tcb tcb)
    {
        if (tcb.closeReported)
        {
            return;
        }
        if (tcb.closeReason == TcpHandler.CLOSED_NORMALLY && !tcb.closeRequested && tcb.rcv.buffer.readable() > 0)
        {
            // As a kernel socket keeps its receive queue past the end of the connection: the last read reports.
            tcb.closeDeferred = true;
            return;
        }
        tcb.closeDeferred = false;
        tcb.closeReported = true;
        final TcpHandler h = tcb.handler;
        tcb.handler = null;
        if (h != null)
        {
            h.onClosed(tcb, tcb.closeReason);
        }
    }
}
