package io.flowstack.tcp.tcb;

import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.net.Route;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.ReadHandler;
import io.flowstack.tcp.api.TcpAcceptor;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpInfo;
import io.flowstack.tcp.api.TcpState;
import io.flowstack.tcp.api.WriteHandler;
import io.flowstack.tcp.cc.CongestionControl;
import io.flowstack.tcp.rtt.RttEstimator;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The transmission control block of one connection (RFC 9293 3.3.1): its identity and state, a {@link Sender}
 * and a {@link Receiver}, its timers, and the application's side ({@link TcpConnection}). It lives on its
 * owning core and is touched by that core's thread only.
 * <p>
 * The application hears about what happened through events collected while a segment, a timer or an application
 * call is processed and delivered once that processing is over ({@link AppEvents#deliver}), never in the middle of
 * a transition. Application calls made outside the core's processing (from a command) are processed as a unit of
 * their own; output they cause goes out when the unit ends.
 */
public final class Tcb implements TcpConnection
{
    /** Event: the connection is established. */
    static final int EV_CONNECTED = 1;
    /** Event: data can be read. */
    static final int EV_DATA = 2;
    /** Event: the send buffer has room again. */
    static final int EV_WRITABLE = 4;
    /** Event: the peer's FIN arrived. */
    static final int EV_PEER_CLOSED = 8;
    /** Event: the connection is over for the application. */
    static final int EV_CLOSED = 16;

    final TcpLayer layer;
    final Sender snd;
    final Receiver rcv;
    final TimerTable timers = new TimerTable();

    /** The connection's route: both addresses (its identity with the ports), interface and next hop. */
    final Route route = new Route();
    int localPort;
    int remotePort;
    /** Next connection in the same bucket of the connection table. */
    Tcb nextInTable;
    TcpState state = TcpState.CLOSED;
    /** The listener of a passive open, until it is established (backlog accounting, the acceptor). */
    Listener listener;
    /** Gives the accepted connection its handler when it is established. */
    TcpAcceptor acceptor;

    // Options negotiated on the SYNs (RFC 7323).
    boolean windowScaling;
    boolean timestamps;
    /** SACK-permitted was sent by both sides (RFC 2018). */
    boolean sack;
    /** TCP_MAXSEG of the options, 0 for none. */
    int userMss;

    boolean closeRequested;
    boolean lingerZero;
    /** The TCB is deleted (RFC 9293 CLOSED). */
    boolean closed;
    /** The application was told the connection is over (it may linger in TIME-WAIT). */
    boolean closeReported;
    /** A normal close waits for the application to read what arrived before the peer's FIN. */
    boolean closeDeferred;

    // Keep-alive (RFC 9293 3.8.4).
    long keepAliveIdleNs;
    long keepAliveIntervalNs;
    int keepAliveCount;
    int keepAliveProbes;
    long lastHeardNs;

    // Events for the application, and the queue of connections with work left for the end of a unit.
    int events;
    int closeReason;
    boolean wantWritable;
    boolean pending;
    Tcb nextPending;
    /** A write found no ring in the core's buffer memory ({@link CoreBounds#waitForMemory}). */
    boolean waitingForMemory;
    Tcb nextMemoryWaiter;

    TcpHandler handler;
    private Object attachment;

    Tcb(final TcpLayer layer, final int sendBuffer, final int receiveBuffer, final RttEstimator rtt,
        final CongestionControl cc)
    {
        this.layer = layer;
        this.snd = new Sender(this, sendBuffer, rtt, cc);
        this.rcv = new Receiver(receiveBuffer, layer.memory);
    }

    /** Takes the options given to a listen or a connect. */
    void apply(final ConnectionOptions options, final boolean defaultNoDelay)
    {
        userMss = options.mss();
        snd.noDelay = options.noDelay() != null ? options.noDelay() : defaultNoDelay;
        keepAliveIdleNs = options.keepAliveIdleNs();
        keepAliveIntervalNs = options.keepAliveIntervalNs();
        keepAliveCount = options.keepAliveCount();
        lingerZero = options.lingerZero();
    }

    /** Queues events for the application, delivered when the current unit of processing ends. */
    void signal(final int event)
    {
        events |= event;
        layer.units.touch(this);
    }

    // ---- TcpConnection: each call is a unit of processing of its own when made from outside one -------------

    @Override
    public int write(final DirectBuffer src, final int offset, final int length)
    {
        if (!canSend())
        {
            return -1;
        }
        layer.units.enter();
        try
        {
            final int taken = snd.buffer.write(src, offset, length);
            return queued(taken, taken < length);
        }
        finally
        {
            layer.units.exit();
        }
    }

    @Override
    public int write(final WriteHandler handler)
    {
        if (!canSend())
        {
            return -1;
        }
        layer.units.enter();
        try
        {
            int n = 0;
            int room;
            while ((room = snd.buffer.contiguousFree()) > 0)
            {
                final int used = Math.max(0, Math.min(room, handler.onRoom(snd.buffer.ring(), snd.buffer.writeIndex(),
                    room)));
                if (!canSend())
                {
                    // The handler closed, shut down or aborted the connection: what it wrote now would follow the
                    // FIN or go into a buffer that is gone.
                    return n;
                }
                snd.buffer.commit(used);
                n += used;
                if (used < room)
                {
                    break;
                }
            }
            return queued(n, room == 0);
        }
        finally
        {
            layer.units.exit();
        }
    }

    /**
     * After a write: a full buffer means waiting for room (or for the core's memory), and what was queued goes out
     * when the unit ends.
     */
    private int queued(final int n, final boolean full)
    {
        if (full)
        {
            wantWritable = true;
            if (snd.buffer.starved())
            {
                layer.bounds.waitForMemory(this);
            }
        }
        if (n > 0)
        {
            layer.units.touch(this);
        }
        return n;
    }

    private boolean canSend()
    {
        return !(closed || closeReported || snd.outputShutdown || !(state == TcpState.ESTABLISHED
            || state == TcpState.CLOSE_WAIT || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED));
    }

    @Override
    public int writable()
    {
        final int free = closed || snd.outputShutdown ? 0 : snd.buffer.free();
        if (free == 0)
        {
            // The application is waiting for room: tell it when there is some.
            wantWritable = true;
        }
        return free;
    }

    @Override
    public int read(final MutableDirectBuffer dst, final int offset, final int length)
    {
        layer.units.enter();
        try
        {
            return afterRead(rcv.buffer.read(dst, offset, length));
        }
        finally
        {
            layer.units.exit();
        }
    }

    @Override
    public int read(final ReadHandler handler)
    {
        layer.units.enter();
        try
        {
            int n = 0;
            int piece;
            while (!closed && (piece = rcv.buffer.contiguousReadable()) > 0)
            {
                final int used = Math.max(0, Math.min(piece, handler.onBytes(rcv.buffer.ring(), rcv.buffer.readIndex(),
                    piece)));
                if (closed)
                {
                    // The handler closed or aborted the connection: its buffer is gone.
                    break;
                }
                n += rcv.buffer.skip(used);
                if (used < piece)
                {
                    break;
                }
            }
            return afterRead(n);
        }
        finally
        {
            layer.units.exit();
        }
    }

    /** After the application took {@code n} bytes: buffer tuning, a deferred close, a window update. */
    private int afterRead(final int n)
    {
        if (n == 0 && rcv.finReceived && rcv.buffer.readable() == 0)
        {
            return -1;
        }
        if (n > 0)
        {
            rcv.onRead(n, layer.now(), snd.minRttNs == Long.MAX_VALUE ? snd.srttNs() : snd.minRttNs);
            if (closeDeferred && rcv.buffer.readable() == 0)
            {
                signal(EV_CLOSED);
            }
        }
        if (n > 0 && state.isSynchronized() && !closed && rcv.windowUpdateDue())
        {
            // The window opened by a useful amount: tell the peer (RFC 9293 3.8.6.2.2).
            rcv.ack.ackNow = true;
            layer.units.touch(this);
        }
        return n;
    }

    @Override
    public int readable()
    {
        return rcv.buffer.readable();
    }

    @Override
    public void shutdownOutput()
    {
        if (closed || snd.outputShutdown)
        {
            return;
        }
        layer.units.enter();
        try
        {
            snd.outputShutdown = true;
            switch (state)
            {
                case SYN_SENT -> layer.release(this, TcpHandler.CLOSED_NORMALLY, true);
                case SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> layer.units.touch(this);
                default ->
                {
                }
            }
        }
        finally
        {
            layer.units.exit();
        }
    }

    @Override
    public void close()
    {
        if (lingerZero)
        {
            abort();
            return;
        }
        closeRequested = true;
        if (state == TcpState.FIN_WAIT_2 && !closed)
        {
            // Output was shut down and our FIN acknowledged before: the socket is closed now, and a closed socket does
            // not wait forever for the peer's FIN (Linux's tcp_fin_timeout), as when close() came first (AckInput).
            layer.units.enter();
            try
            {
                timers.set(TimerTable.STATE, layer.now() + 2 * layer.config.mslNs());
                layer.units.touch(this);
            }
            finally
            {
                layer.units.exit();
            }
            return;
        }
        shutdownOutput();
    }

    @Override
    public void abort()
    {
        if (closed)
        {
            return;
        }
        layer.units.enter();
        try
        {
            if (state == TcpState.SYN_RECEIVED || state.isSynchronized() && state != TcpState.TIME_WAIT)
            {
                // RFC 9293 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>.
                layer.resets.send(this, snd.nxt);
            }
            layer.release(this, TcpHandler.ABORTED, true);
        }
        finally
        {
            layer.units.exit();
        }
    }

    @Override
    public void noDelay(final boolean noDelay)
    {
        layer.units.enter();
        try
        {
            snd.noDelay = noDelay;
            if (noDelay)
            {
                layer.units.touch(this);
            }
        }
        finally
        {
            layer.units.exit();
        }
    }

    @Override
    public void keepAlive(final long idleNs, final long intervalNs, final int count)
    {
        if (idleNs < 0 || intervalNs <= 0 || count < 1)
        {
            throw new IllegalArgumentException("keep-alive needs idle >= 0, interval > 0 and count >= 1");
        }
        layer.units.enter();
        try
        {
            keepAliveIdleNs = idleNs;
            keepAliveIntervalNs = intervalNs;
            keepAliveCount = count;
            keepAliveProbes = 0;
            if (!closed)
            {
                Timeouts.armKeepAlive(this, layer.now());
                layer.units.touch(this);
            }
        }
        finally
        {
            layer.units.exit();
        }
    }

    @Override
    public void lingerZero(final boolean lingerZero)
    {
        this.lingerZero = lingerZero;
    }

    @Override
    public TcpInfo info(final TcpInfo info)
    {
        info.state = state;
        info.srttNs = snd.rtt.srtt();
        info.rttvarNs = snd.rtt.rttvar();
        info.rtoNs = snd.rtt.rto();
        info.cwnd = snd.cc.cwnd();
        info.ssthresh = snd.cc.ssthresh();
        info.sendMss = snd.mss;
        info.receiveMss = rcv.mss;
        info.sendWindow = snd.wnd;
        info.receiveWindow = rcv.wnd();
        info.inFlight = snd.inFlight();
        info.retransmits = snd.retransmits;
        info.timeouts = snd.timeouts;
        info.bytesAcked = snd.bytesAcked;
        info.bytesReceived = rcv.bytesReceived;
        info.keepAliveProbes = keepAliveProbes;
        info.sendBuffer = snd.buffer.capacity();
        info.receiveBuffer = rcv.buffer.capacity();
        info.congestionControl = snd.cc.name();
        return info;
    }

    @Override
    public int remoteAddress()
    {
        return (int)route.destinationLow();
    }

    @Override
    public IpAddress remoteIpAddress()
    {
        return IpAddress.of(route.destinationHigh(), route.destinationLow());
    }

    @Override
    public IpAddress localIpAddress()
    {
        return IpAddress.of(route.sourceHigh(), route.sourceLow());
    }

    @Override
    public int remotePort()
    {
        return remotePort;
    }

    @Override
    public int localAddress()
    {
        return (int)route.sourceLow();
    }

    @Override
    public int localPort()
    {
        return localPort;
    }

    @Override
    public TcpState state()
    {
        return state;
    }

    @Override
    public boolean isClosed()
    {
        return closed || closeReported;
    }

    @Override
    public void attach(final Object attachment)
    {
        this.attachment = attachment;
    }

    @Override
    public Object attachment()
    {
        return attachment;
    }

    /** @return true if this TCB is the connection of the tuple. */
    boolean matches(final long localHigh, final long localLow, final int localPort, final long remoteHigh,
        final long remoteLow, final int remotePort)
    {
        return this.localPort == localPort && this.remotePort == remotePort && route.destinationLow() == remoteLow
            && route.sourceLow() == localLow && route.destinationHigh() == remoteHigh
            && route.sourceHigh() == localHigh;
    }

    @Override
    public String toString()
    {
        return "Tcb{" + state + " " + localPort + "->" + remotePort + " una=" + snd.una + " nxt=" + snd.nxt
            + " wnd=" + snd.wnd + " rcv.nxt=" + rcv.nxt() + "}";
    }
}
