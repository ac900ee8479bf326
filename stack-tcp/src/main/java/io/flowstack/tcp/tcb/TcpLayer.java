package io.flowstack.tcp.tcb;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.engine.TimerSource;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.time.CoreTime;
import io.flowstack.core.time.RateLimiter;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.net.Network;
import io.flowstack.ip.net.NetworkView;
import io.flowstack.ip.net.PacketTooBig;
import io.flowstack.ip.net.Transport;
import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.ip.wire.TcpOptions;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.IsnGenerator;
import io.flowstack.tcp.api.TcpAcceptor;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpLimits;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpState;
import io.flowstack.tcp.buffer.BufferMemory;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * TCP on one core (RFC 9293): the connection table, listeners, active opens, resets for segments nobody owns,
 * and the timers of all connections; the parts live in files of their own ({@link Demultiplexer},
 * {@link PassiveOpen}, {@link ActiveOpen}, {@link Resets}, {@link TcpTimers}). Every entry point runs as a
 * {@link UnitOfWork}.
 */
public final class TcpLayer implements Transport, TimerSource, PacketTooBig
{
    final Network network;
    final BufferPool pool;
    final TcpConfig config;
    /** The bounds of this core ({@link TcpLimits}, the automatic ones worked out). */
    final TcpLimits limits;
    final TcpCounters counters;
    /** The rings of this core's send and receive buffers. */
    final BufferMemory memory;
    final TcpFlyweight txTcp = new TcpFlyweight();
    final TcpOptions txOptions = new TcpOptions();
    /** RFC 5961 7: challenge ACKs per second a core sends at most. */
    static final int CHALLENGE_ACKS_PER_SECOND = 1000;
    private final RateLimiter challengeAcks = new RateLimiter(CHALLENGE_ACKS_PER_SECOND, CHALLENGE_ACKS_PER_SECOND);
    final ConnectionTable table = new ConnectionTable();
    /** Connections, out-of-order bytes and writers waiting for memory, against the core's limits. */
    final CoreBounds bounds;
    /** New TCBs, sized from the configuration and the socket's options. */
    final TcbFactory tcbs;
    final PassiveOpen passiveOpen;
    final Resets resets;
    /** Work in units; what a unit touched is settled when it ends. */
    final UnitOfWork units;
    private final ActiveOpen activeOpen;
    private final Demultiplexer demultiplexer;
    private final TcpTimers timers;
    private final CoreTime time;
    private final long tsOrigin;
    private int timeWaitCount;

    /**
     * @param network   the network layer below (both families).
     * @param pool      the core's buffers.
     * @param counters  the core's counters.
     * @param ownership this core's ownership function (for ports of active opens).
     * @param config    tunables.
     * @param isn       initial sequence numbers.
     * @param time      the core's clock (the time the current frame was read, or the cycle's stage began).
     */
    public TcpLayer(
        final Network network,
        final BufferPool pool,
        final CounterSet counters,
        final FlowOwnership ownership,
        final TcpConfig config,
        final IsnGenerator isn,
        final CoreTime time)
    {
        this.network = network;
        this.pool = pool;
        this.config = config;
        this.limits = config.limits().resolve(1);
        this.counters = new TcpCounters(counters);
        this.memory = new BufferMemory(limits.bufferMemory(), this.counters.memoryBytes, this.counters.memoryRefused);
        this.bounds = new CoreBounds(table, limits, memory, this.counters);
        this.tcbs = new TcbFactory(this, config, isn);
        this.time = time;
        this.tsOrigin = time.nanoTime();
        this.timers = new TcpTimers(tsOrigin);
        this.passiveOpen = new PassiveOpen(this, SynCookies.random());
        this.activeOpen = new ActiveOpen(this, ownership, counters.coreId());
        this.resets = new Resets(this);
        this.demultiplexer = new Demultiplexer(this);
        this.units = new UnitOfWork(this, timers);
    }

    /**
     * @return the core's time: when the current frame was read, or the current stage of the cycle began.
     */
    long now()
    {
        return time.nanoTime();
    }

    /**
     * @return the time read again, for what is about to be transmitted: its record, its TSval and the deadlines it
     * arms carry when it leaves, not when the unit began (see {@link CoreTime}).
     */
    long transmitTime()
    {
        return time.refresh();
    }

    /**
     * RFC 7323 timestamp clock: milliseconds since the layer started (a 1 ms tick, within the RFC's 1 ms..1 s).
     */
    int tsClock(final long nowNs)
    {
        return (int)((nowNs - tsOrigin) / 1_000_000L) + 1;
    }

    /**
     * @return nanoseconds since {@link #tsClock} first showed {@code tsVal}: an upper bound of the time since any
     *         segment stamped with it left, finer than the clock's 1 ms tick.
     */
    long sinceTick(final long nowNs, final int tsVal)
    {
        return (long)(tsClock(nowNs) - tsVal) * 1_000_000L + (nowNs - tsOrigin) % 1_000_000L;
    }

    // ---- application interface ----------------------------------------------------------------------------

    /**
     * Passive open on this core (RFC 9293 3.10.1); the application's entry is {@code CoreContext.listen}.
     *
     * @param localAddress address to accept on, 0 for any of this host's.
     * @param localPort    port, 1..65535.
     * @param acceptor     gives each accepted connection its handler.
     * @param options      options every accepted connection inherits.
     * @throws IllegalArgumentException for a port out of range.
     * @throws IllegalStateException    if the port already listens on this core.
     */
    public void listen(final int localAddress, final int localPort, final TcpAcceptor acceptor,
        final ConnectionOptions options)
    {
        passiveOpen.listen(localAddress, localPort, acceptor, options);
    }

    /**
     * Passive open with the default options.
     *
     * @param localAddress address to accept on, 0 for any of this host's.
     * @param localPort    port, 1..65535.
     * @param acceptor     gives each accepted connection its handler.
     */
    public void listen(final int localAddress, final int localPort, final TcpAcceptor acceptor)
    {
        listen(localAddress, localPort, acceptor, ConnectionOptions.DEFAULT);
    }

    /**
     * @param localPort a port.
     * @return true if it was listening (established connections stay).
     */
    public boolean unlisten(final int localPort)
    {
        return passiveOpen.unlisten(localPort);
    }

    /**
     * Active open from this core, on a local port whose replies hash back here (RFC 9293 3.10.1).
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       the connection's callbacks.
     * @param options       the connection's options.
     * @return the connection, in SYN-SENT.
     * @throws IllegalStateException if there is no route or no free port.
     */
    public TcpConnection connect(final int remoteAddress, final int remotePort, final TcpHandler handler,
        final ConnectionOptions options)
    {
        units.enter();
        try
        {
            return activeOpen.connect(0, IpAddress.ipv4Low(remoteAddress), remotePort, handler, options, now());
        }
        finally
        {
            units.exit();
        }
    }

    /**
     * Active open to an address of either family (IPv6 or IPv4-mapped); as {@link #connect(int, int, TcpHandler,
     * ConnectionOptions)} otherwise.
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       the connection's callbacks.
     * @param options       the connection's options.
     * @return the connection, in SYN-SENT.
     * @throws IllegalStateException if there is no route or no free port.
     */
    public TcpConnection connect(final IpAddress remoteAddress, final int remotePort, final TcpHandler handler,
        final ConnectionOptions options)
    {
        units.enter();
        try
        {
            return activeOpen.connect(remoteAddress.high(), remoteAddress.low(), remotePort, handler, options, now());
        }
        finally
        {
            units.exit();
        }
    }

    /**
     * Active open with the default options.
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       the connection's callbacks.
     * @return the connection, in SYN-SENT.
     */
    public TcpConnection connect(final int remoteAddress, final int remotePort, final TcpHandler handler)
    {
        return connect(remoteAddress, remotePort, handler, ConnectionOptions.DEFAULT);
    }

    /**
     * @return connections this core holds (every state but CLOSED).
     */
    public int connectionCount()
    {
        return table.size();
    }

    /**
     * Visits the connections of this core (diagnostics, tests).
     *
     * @param visitor called for each.
     */
    public void forEachConnection(final Consumer<TcpConnection> visitor)
    {
        table.forEach(visitor::accept);
    }

    // ---- units of work ----------------------------------------------------------------------------------

    /**
     * A neighbor did not answer ARP or neighbor solicitation. A connection still in SYN-SENT towards it fails with
     * {@link TcpHandler#UNREACHABLE}: RFC 1122 4.2.3.9 makes host unreachable a soft error, but RFC 5461 describes
     * the widely implemented rejection of pending connection requests on one, and Linux's tcp_v4_err does so for
     * SYN-SENT (its ARP failure becomes a local ICMP host unreachable). Established connections carry on.
     */
    @Override
    public void onUnreachable(final long high, final long low)
    {
        final List<Tcb> opening = new ArrayList<>();
        table.forEach(tcb ->
        {
            if (tcb.state == TcpState.SYN_SENT && tcb.route.nextHopHigh() == high && tcb.route.nextHopLow() == low)
            {
                opening.add(tcb);
            }
        });
        if (opening.isEmpty())
        {
            return;
        }
        units.enter();
        try
        {
            for (final Tcb tcb : opening)
            {
                units.touch(tcb);
                release(tcb, TcpHandler.UNREACHABLE, true);
            }
        }
        finally
        {
            units.exit();
        }
    }

    @Override
    public int onPacket(final PacketBuffer datagram, final NetworkView ip)
    {
        units.enter();
        try
        {
            demultiplexer.arrive(datagram, ip, now());
        }
        finally
        {
            datagram.release();
            units.exit();
        }
        return DELIVERED;
    }

    /**
     * RFC 8201 5.2: the connection's route takes the lower path MTU and its segments shrink to fit (an IPv6 header,
     * a TCP header and the options every segment carries); what is in flight larger than that is fragmented by
     * IPv6 when it is sent again. Only for a segment in flight (SND.UNA =< SEQ < SND.NXT, RFC 5927 4.1).
     */
    @Override
    public void packetTooBig(final int protocol, final long localHigh, final long localLow, final int localPort,
        final long remoteHigh, final long remoteLow, final int remotePort, final int sequence, final int mtu)
    {
        final Tcb tcb = protocol == io.flowstack.ip.wire.Ipv4Flyweight.PROTO_TCP
            ? table.get(localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort) : null;
        if (tcb == null || !io.flowstack.core.seq.Seq.between(tcb.snd.una, sequence, tcb.snd.nxt)
            || !tcb.route.lowerMtu(mtu))
        {
            return;
        }
        counters.pathMtuReductions.incrementOrdered();
        final int mss = tcb.route.mtu() - TcbFactory.IPV6_OVERHEAD - (tcb.timestamps ? SynOptions.TIMESTAMPS_LENGTH : 0);
        tcb.snd.mss = Math.max(64, Math.min(tcb.snd.mss, mss));
    }

    @Override
    public int onTime()
    {
        final long nowNs = now();
        final int n = timers.poll(nowNs);
        if (n == 0)
        {
            return 0;
        }
        units.enter();
        try
        {
            for (int i = 0; i < n; i++)
            {
                final Tcb tcb = timers.fired(i);
                if (!tcb.closed)
                {
                    units.touch(tcb);
                    Timeouts.run(tcb, nowNs);
                }
            }
        }
        finally
        {
            units.exit();
        }
        return n;
    }

    @Override
    public long nextDeadline()
    {
        return timers.nextDeadline();
    }

    /**
     * RFC 5961 7: a challenge ACK, within this core's limit ({@link #CHALLENGE_ACKS_PER_SECOND}, as Linux's
     * tcp_challenge_ack_limit was); beyond it the segment is only dropped, and counted.
     */
    void challengeAck(final Tcb tcb, final long nowNs)
    {
        if (challengeAcks.tryAcquire(nowNs))
        {
            counters.challengeAcks.incrementOrdered();
            tcb.rcv.ack.ackNow = true;
        }
        else
        {
            counters.challengeAcksLimited.incrementOrdered();
        }
    }

    /** The connection reached ESTABLISHED: the application hears it when the unit ends. */
    void established(final Tcb tcb, final long nowNs)
    {
        counters.established.incrementOrdered();
        if (tcb.listener != null)
        {
            tcb.listener.halfOpen--;
            tcb.listener = null;
        }
        Timeouts.armKeepAlive(tcb, nowNs);
        tcb.signal(Tcb.EV_CONNECTED);
    }

    void enterTimeWait(final Tcb tcb, final long nowNs)
    {
        tcb.state = TcpState.TIME_WAIT;
        tcb.timers.clear();
        // Beyond the core's bound the connection leaves TIME-WAIT at the next tick, once its last ACK is out (as
        // Linux does beyond tcp_max_tw_buckets): a peer cannot fill the table with closed connections.
        final boolean overflow = timeWaitCount >= limits.timeWait();
        if (overflow)
        {
            counters.timeWaitOverflows.incrementOrdered();
        }
        timeWaitCount++;
        tcb.timers.set(TimerTable.STATE, overflow ? nowNs : nowNs + 2 * config.mslNs());
        // The application is done with it; the TCB stays for 2 MSL to answer a retransmitted FIN.
        tcb.closeReason = TcpHandler.CLOSED_NORMALLY;
        tcb.signal(Tcb.EV_CLOSED);
    }

    /**
     * Deletes a TCB (RFC 9293: "delete the TCB, enter CLOSED").
     *
     * @param notify tell the application, with the reason.
     */
    void release(final Tcb tcb, final int reason, final boolean notify)
    {
        if (tcb.closed)
        {
            return;
        }
        tcb.closed = true;
        if (tcb.state == TcpState.TIME_WAIT)
        {
            timeWaitCount--;
        }
        tcb.state = TcpState.CLOSED;
        table.remove(tcb);
        // Its memory goes back to the core: unsent and unacknowledged bytes, out-of-order bytes, and received bytes
        // unless a normal close leaves them for the application's last reads (given back once read).
        tcb.snd.buffer.discard();
        tcb.rcv.dropOutOfOrder();
        bounds.outOfOrderChanged(tcb);
        if (!(notify && reason == TcpHandler.CLOSED_NORMALLY && tcb.handler != null && !tcb.closeRequested))
        {
            tcb.rcv.buffer.discard();
        }
        counters.flowsOwned.getAndAddOrdered(-1);
        if (tcb.listener != null)
        {
            tcb.listener.halfOpen--;
            tcb.listener = null;
        }
        tcb.timers.clear();
        timers.cancel(tcb);
        if (notify && !tcb.closeReported)
        {
            tcb.closeReason = reason;
            tcb.signal(Tcb.EV_CLOSED);
        }
        else
        {
            tcb.closeReported = true;
            tcb.handler = null;
        }
    }

    void drop(final AtomicCounter reason)
    {
        reason.incrementOrdered();
        counters.rxDropped.incrementOrdered();
    }
}
