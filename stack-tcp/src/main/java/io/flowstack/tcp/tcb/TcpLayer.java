package io.flowstack.tcp.tcb;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.engine.TimerSource;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.LocalPortSelector;
import io.flowstack.ip.IpInterface;
import io.flowstack.ip.ipv4.Ipv4Layer;
import io.flowstack.ip.ipv4.TransportHandler;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.tcp.TcpAcceptor;
import io.flowstack.tcp.TcpConfig;
import io.flowstack.tcp.TcpConnection;
import io.flowstack.tcp.TcpHandler;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * TCP on one core (RFC 9293): the connection table, the listeners (replicated on every core), demultiplexing of
 * arriving segments, resets for segments nobody owns, active opens on ports that hash back to this core, and the
 * timers of all connections in one Agrona timer wheel (one timer per connection, at its earliest deadline).
 */
public final class TcpLayer implements TransportHandler, TimerSource
{
    /** Lowest local port of an active open. */
    public static final int EPHEMERAL_MIN = 32768;
    /** Highest local port of an active open. */
    public static final int EPHEMERAL_MAX = 60999;
    private static final long TICK_NS = 1L << 20;
    private static final int TICKS_PER_WHEEL = 1024;
    private static final int MAX_FIRED_PER_POLL = 4096;

    final Ipv4Layer ipv4;
    final BufferPool pool;
    final TcpConfig config;
    final TcpCounters counters;
    final TcpFlyweight txTcp = new TcpFlyweight();
    private final TcpFlyweight rxTcp = new TcpFlyweight();
    private final Segment seg = new Segment();
    private final IsnGenerator isn;
    private final FlowOwnership ownership;
    private final int coreId;
    private final Long2ObjectHashMap<Tcb> connections = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<Listener> listeners = new Int2ObjectHashMap<>();
    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Tcb> timers = new Long2ObjectHashMap<>();
    private final Tcb[] fired = new Tcb[MAX_FIRED_PER_POLL];
    private int firedCount;
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onExpiry;
    private final DeadlineTimerWheel.TimerConsumer findEarliest = this::findEarliest;
    private final LocalPortSelector.PortInUse portInUse = this::portInUse;
    private final long tsOrigin;
    private final NanoClock time;
    private long earliest = Long.MAX_VALUE;
    private boolean earliestDirty;
    private int connectRemote;
    private int connectRemotePort;
    private int nextPortHint;

    /**
     * @param ipv4      the IP layer below.
     * @param pool      the core's buffers.
     * @param counters  the core's counters.
     * @param ownership this core's ownership function (for ports of active opens).
     * @param config    tunables.
     * @param isn       initial sequence numbers.
     * @param time      the core's clock (the duty cycle's time).
     */
    public TcpLayer(
        final Ipv4Layer ipv4,
        final BufferPool pool,
        final CounterSet counters,
        final FlowOwnership ownership,
        final TcpConfig config,
        final IsnGenerator isn,
        final NanoClock time)
    {
        this.ipv4 = ipv4;
        this.pool = pool;
        this.config = config;
        this.counters = new TcpCounters(counters);
        this.ownership = ownership;
        this.isn = isn;
        this.coreId = counters.coreId();
        this.time = time;
        final long startNs = time.nanoTime();
        this.wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startNs, TICK_NS, TICKS_PER_WHEEL);
        this.tsOrigin = startNs;
        this.nextPortHint = coreId * 7919;
    }

    /**
     * @return the time of the segment or timer being processed.
     */
    long now()
    {
        return time.nanoTime();
    }

    /**
     * RFC 7323 timestamp clock: milliseconds since the layer started (a 1 ms tick, within the RFC's 1 ms..1 s).
     */
    int tsClock(final long nowNs)
    {
        return (int)((nowNs - tsOrigin) / 1_000_000L) + 1;
    }

    // ---- application interface ----------------------------------------------------------------------------

    /**
     * Passive open on this core (RFC 9293 3.10.1 OPEN, passive).
     *
     * @param localAddress address to accept on, 0 for any of this host's.
     * @param localPort    port.
     * @param acceptor     gives each accepted connection its handler.
     */
    public void listen(final int localAddress, final int localPort, final TcpAcceptor acceptor)
    {
        if (localPort <= 0 || localPort > 65535)
        {
            throw new IllegalArgumentException("TCP port out of range: " + localPort);
        }
        if (listeners.containsKey(localPort))
        {
            throw new IllegalStateException("TCP port " + localPort + " is already listening");
        }
        listeners.put(localPort, new Listener(localAddress, localPort, acceptor));
    }

    /**
     * Active open from this core, on a local port whose replies hash back here (RFC 9293 3.10.1 OPEN, active).
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       the connection's callbacks ({@link TcpHandler#onConnected} or onClosed(REFUSED...)).
     * @return the connection, in SYN-SENT.
     * @throws IllegalStateException if there is no route or no free port.
     */
    public TcpConnection connect(final int remoteAddress, final int remotePort, final TcpHandler handler)
    {
        final long nowNs = time.nanoTime();
        final IpInterface ifc = ipv4.route(remoteAddress);
        if (ifc == null)
        {
            throw new IllegalStateException("no route to " + Ipv4Flyweight.addressToString(remoteAddress));
        }
        connectRemote = remoteAddress;
        connectRemotePort = remotePort;
        final int hint = nextPortHint;
        nextPortHint += 104_729;
        final int port = ownership.selectLocalPort(coreId, ifc.ifIndex(), Ipv4Flyweight.PROTO_TCP, ifc.address(),
            remoteAddress, remotePort, EPHEMERAL_MIN, EPHEMERAL_MAX, hint, portInUse);
        if (port < 0)
        {
            throw new IllegalStateException("no local TCP port left on this core towards "
                + Ipv4Flyweight.addressToString(remoteAddress) + ":" + remotePort);
        }
        final Tcb tcb = newTcb(ifc, ifc.address(), port, remoteAddress, remotePort, nowNs);
        tcb.handler = handler;
        tcb.state = TcpState.SYN_SENT;
        TcpOutput.sendSyn(tcb, false, nowNs);
        return tcb;
    }

    private boolean portInUse(final int port)
    {
        return listeners.containsKey(port) || connections.containsKey(key(connectRemote, connectRemotePort, port));
    }

    /**
     * @return connections this core holds (every state but CLOSED).
     */
    public int connectionCount()
    {
        return connections.size();
    }

    /**
     * Visits the connections of this core (diagnostics, tests).
     *
     * @param visitor called for each.
     */
    public void forEachConnection(final java.util.function.Consumer<Tcb> visitor)
    {
        connections.values().forEach(visitor);
    }

    // ---- segment arrival ------------------------------------------------------------------------------------

    @Override
    public void onDatagram(final PacketBuffer datagram, final Ipv4Flyweight ip)
    {
        try
        {
            arrive(datagram, ip, time.nanoTime());
        }
        finally
        {
            datagram.release();
        }
    }

    private void arrive(final PacketBuffer datagram, final Ipv4Flyweight ip, final long nowNs)
    {
        final int tcpLength = ip.payloadLength();
        final TcpFlyweight tcp = rxTcp.wrap(datagram.buffer(), ip.payloadOffset(), tcpLength);
        final int verdict = tcp.check();
        if (verdict != TcpFlyweight.VALID)
        {
            drop(verdict == TcpFlyweight.BAD_OPTIONS ? counters.rxBadOptions : counters.rxBadHeader);
            return;
        }
        if (!tcp.checksumValid(ip.source(), ip.destination(), tcpLength))
        {
            drop(counters.rxBadChecksum);
            return;
        }
        final Segment s = seg;
        final int optionsLength = tcp.dataOffset() - TcpFlyweight.HEADER_LENGTH;
        if (s.options.parse(datagram.buffer(), tcp.offset() + TcpFlyweight.HEADER_LENGTH, optionsLength) != TcpFlyweight.VALID)
        {
            drop(counters.rxBadOptions);
            return;
        }
        s.flags = tcp.flags();
        if (impossibleFlags(s.flags))
        {
            drop(counters.rxBadFlags);
            return;
        }
        counters.rxSegments.incrementOrdered();
        s.sourceAddress = ip.source();
        s.destinationAddress = ip.destination();
        s.sourcePort = tcp.sourcePort();
        s.destinationPort = tcp.destinationPort();
        s.seq = tcp.sequenceNumber();
        s.ack = tcp.acknowledgmentNumber();
        s.window = tcp.window();
        s.buffer = datagram.buffer();
        s.payloadOffset = tcp.offset() + tcp.dataOffset();
        s.payloadLength = tcpLength - tcp.dataOffset();

        final Tcb tcb = connections.get(key(s.sourceAddress, s.sourcePort, s.destinationPort));
        if (tcb != null && tcb.localAddress == s.destinationAddress)
        {
            TcpInput.segmentArrives(tcb, s, nowNs);
            return;
        }
        final Listener listener = listeners.get(s.destinationPort);
        if (listener != null && (listener.localAddress == 0 || listener.localAddress == s.destinationAddress) && tcb == null)
        {
            listen(listener, datagram.ifIndex(), s, nowNs);
            return;
        }
        // CLOSED (RFC 9293 3.10.7.1): everything is discarded; anything but a RST draws a RST.
        counters.rxNoConnection.incrementOrdered();
        counters.rxDropped.incrementOrdered();
        if (!s.rst())
        {
            sendResetFor(s);
        }
    }

    /** SYN with FIN or RST, or a segment with none of SYN, ACK and RST (FIN alone, null and Xmas probes). */
    private static boolean impossibleFlags(final int flags)
    {
        final boolean syn = (flags & TcpFlags.SYN) != 0;
        if (syn && (flags & (TcpFlags.FIN | TcpFlags.RST)) != 0)
        {
            return true;
        }
        return (flags & (TcpFlags.SYN | TcpFlags.ACK | TcpFlags.RST)) == 0;
    }

    /** LISTEN (RFC 9293 3.10.7.2). */
    private void listen(final Listener listener, final int ifIndex, final Segment s, final long nowNs)
    {
        if (s.rst())
        {
            return;
        }
        if (s.ack())
        {
            sendResetFor(s);
            return;
        }
        if (!s.syn())
        {
            drop(counters.rxNoConnection);
            return;
        }
        if (listener.halfOpen >= config.backlog())
        {
            drop(counters.backlogDrops);
            return;
        }
        final IpInterface ifc = ipv4.interfaceAt(ifIndex);
        if (ifc == null)
        {
            drop(counters.rxNoConnection);
            return;
        }
        final Tcb tcb = newTcb(ifc, s.destinationAddress, s.destinationPort, s.sourceAddress, s.sourcePort, nowNs);
        tcb.listener = listener;
        listener.halfOpen++;
        tcb.irs = s.seq;
        tcb.receiveBuffer.reset(s.seq);
        tcb.rcvAdv = s.seq + 1;
        tcb.sndWl1 = s.seq;
        tcb.sndWl2 = tcb.iss;
        TcpOutput.applySynOptions(tcb, s);
        tcb.state = TcpState.SYN_RECEIVED;
        tcb.stateDeadline = nowNs + config.synReceivedTimeoutNs();
        TcpOutput.sendSyn(tcb, true, nowNs);
    }

    private Tcb newTcb(final IpInterface ifc, final int localAddress, final int localPort, final int remoteAddress,
        final int remotePort, final long nowNs)
    {
        final Tcb tcb = new Tcb(this, config.sendBuffer(), config.receiveBuffer(), config.minRtoNs(), config.maxRtoNs());
        tcb.localAddress = localAddress;
        tcb.localPort = localPort;
        tcb.remoteAddress = remoteAddress;
        tcb.remotePort = remotePort;
        tcb.key = key(remoteAddress, remotePort, localPort);
        tcb.iss = isn.isn(localAddress, localPort, remoteAddress, remotePort, nowNs);
        tcb.sndUna = tcb.iss;
        tcb.sndNxt = tcb.iss;
        tcb.sndMax = tcb.iss;
        tcb.recover = tcb.iss;
        tcb.sendBuffer.reset(tcb.iss);
        // RFC 9293 3.7.1 / 3.7.6: our MSS is the interface MTU less the IP and TCP headers.
        tcb.rcvMss = ifc.mtu() - 40;
        tcb.sendMss = Math.min(TcpOutput.DEFAULT_MSS, tcb.rcvMss);
        tcb.windowScaling = true;
        tcb.timestamps = true;
        tcb.rcvWndShift = windowShift(config.receiveBuffer());
        tcb.noDelay = !config.nagle();
        tcb.cc.init(tcb.sendMss);
        connections.put(tcb.key, tcb);
        counters.connections.incrementOrdered();
        counters.flowsOwned.getAndAddOrdered(1);
        return tcb;
    }

    private static int windowShift(final int bufferBytes)
    {
        int shift = 0;
        while (shift < TcpOutput.MAX_WINDOW_SHIFT && (bufferBytes >>> shift) > 65535)
        {
            shift++;
        }
        return shift;
    }

    static long key(final int remoteAddress, final int remotePort, final int localPort)
    {
        return (remoteAddress & 0xFFFF_FFFFL) << 32 | (long)(remotePort & 0xFFFF) << 16 | localPort & 0xFFFF;
    }

    private void drop(final org.agrona.concurrent.status.AtomicCounter reason)
    {
        reason.incrementOrdered();
        counters.rxDropped.incrementOrdered();
    }

    // ---- state changes the TCB asks for ----------------------------------------------------------------------

    void established(final Tcb tcb)
    {
        counters.established.incrementOrdered();
        if (tcb.listener != null)
        {
            tcb.listener.halfOpen--;
            final Listener listener = tcb.listener;
            tcb.listener = null;
            tcb.handler = listener.acceptor.accept(tcb);
        }
        if (tcb.handler != null)
        {
            tcb.handler.onConnected(tcb);
        }
    }

    void enterTimeWait(final Tcb tcb, final long nowNs)
    {
        tcb.state = TcpState.TIME_WAIT;
        tcb.retransmitDeadline = Tcb.NONE;
        tcb.persistDeadline = Tcb.NONE;
        tcb.delayedAckDeadline = Tcb.NONE;
        tcb.stateDeadline = nowNs + 2 * config.mslNs();
        tcb.rescheduleTimer();
        final TcpHandler handler = tcb.handler;
        if (handler != null)
        {
            // The application is done with it; the TCB stays to answer a retransmitted FIN for 2 MSL.
            tcb.handler = null;
            handler.onClosed(tcb, TcpHandler.CLOSED_NORMALLY);
        }
    }

    /**
     * Deletes a TCB (RFC 9293: "delete the TCB, enter CLOSED").
     *
     * @param notify tell the application (with the reason).
     */
    void release(final Tcb tcb, final int reason, final boolean notify)
    {
        if (tcb.closed)
        {
            return;
        }
        tcb.closed = true;
        tcb.state = TcpState.CLOSED;
        connections.remove(tcb.key);
        counters.flowsOwned.getAndAddOrdered(-1);
        if (tcb.listener != null)
        {
            tcb.listener.halfOpen--;
            tcb.listener = null;
        }
        tcb.retransmitDeadline = Tcb.NONE;
        tcb.persistDeadline = Tcb.NONE;
        tcb.delayedAckDeadline = Tcb.NONE;
        tcb.stateDeadline = Tcb.NONE;
        schedule(tcb, Tcb.NONE);
        final TcpHandler handler = tcb.handler;
        tcb.handler = null;
        if (notify && handler != null)
        {
            handler.onClosed(tcb, reason);
        }
    }

    /**
     * RFC 9293 3.10.7.1: the reset for a segment that has no connection (or an unacceptable ACK in LISTEN,
     * SYN-SENT, SYN-RECEIVED).
     */
    void sendResetFor(final Segment s)
    {
        if (s.ack())
        {
            reset(s.destinationAddress, s.destinationPort, s.sourceAddress, s.sourcePort, s.ack, 0, TcpFlags.RST);
        }
        else
        {
            reset(s.destinationAddress, s.destinationPort, s.sourceAddress, s.sourcePort, 0, s.seq + s.len(),
                TcpFlags.RST | TcpFlags.ACK);
        }
    }

    /**
     * A reset from a connection (ABORT, failures): {@code <SEQ=seq><CTL=RST>}.
     */
    void sendReset(final Tcb tcb, final int seq)
    {
        reset(tcb.localAddress, tcb.localPort, tcb.remoteAddress, tcb.remotePort, seq, 0, TcpFlags.RST);
    }

    private void reset(final int from, final int fromPort, final int to, final int toPort, final int seq, final int ack,
        final int flags)
    {
        final PacketBuffer buf = pool.acquire();
        if (buf == null)
        {
            counters.txDrops.incrementOrdered();
            return;
        }
        buf.window(buf.offset(), 0);
        final int at = buf.prepend(TcpFlyweight.HEADER_LENGTH);
        txTcp.wrap(buf.buffer(), at, TcpFlyweight.HEADER_LENGTH)
            .sourcePort(fromPort)
            .destinationPort(toPort)
            .sequenceNumber(seq)
            .acknowledgmentNumber(ack)
            .dataOffset(TcpFlyweight.HEADER_LENGTH)
            .flags(flags)
            .window(0)
            .urgentPointer(0)
            .computeChecksum(from, to, TcpFlyweight.HEADER_LENGTH);
        ipv4.prependHeader(buf, from, to, Ipv4Flyweight.PROTO_TCP, true);
        counters.txResets.incrementOrdered();
        counters.txSegments.incrementOrdered();
        ipv4.send(buf);
    }

    // ---- timers ------------------------------------------------------------------------------------------------

    void schedule(final Tcb tcb, final long deadline)
    {
        if (tcb.timerId != -1)
        {
            wheel.cancelTimer(tcb.timerId);
            timers.remove(tcb.timerId);
            tcb.timerId = -1;
        }
        tcb.timerDeadline = deadline;
        if (deadline != Tcb.NONE && !tcb.closed)
        {
            tcb.timerId = wheel.scheduleTimer(deadline);
            timers.put(tcb.timerId, tcb);
            if (deadline < earliest)
            {
                earliest = deadline;
            }
        }
        else
        {
            earliestDirty = true;
        }
    }

    @Override
    public int onTime()
    {
        final long nowNs = time.nanoTime();
        if (wheel.timerCount() == 0)
        {
            // Keeps the wheel's current tick up to date, so a timer set after a long idle spell is found at once.
            wheel.poll(nowNs, onExpiry, 1);
            return 0;
        }
        if (nowNs < nextDeadline())
        {
            return 0;
        }
        int work = 0;
        // Each poll looks at the wheel's current tick and moves on only once that tick is over: poll until it
        // stops moving (or nothing is left), so a late call catches up on every tick it missed.
        while (true)
        {
            firedCount = 0;
            final long tickBefore = wheel.currentTickTime();
            wheel.poll(nowNs, onExpiry, MAX_FIRED_PER_POLL);
            for (int i = 0; i < firedCount; i++)
            {
                final Tcb tcb = fired[i];
                fired[i] = null;
                onTimer(tcb, nowNs);
                work++;
            }
            if (wheel.timerCount() == 0 || firedCount < MAX_FIRED_PER_POLL && wheel.currentTickTime() == tickBefore)
            {
                break;
            }
        }
        earliestDirty = true;
        return work;
    }

    private boolean onExpiry(final TimeUnit unit, final long nowNs, final long timerId)
    {
        if (firedCount == MAX_FIRED_PER_POLL)
        {
            return false;
        }
        final Tcb tcb = timers.remove(timerId);
        if (tcb != null)
        {
            tcb.timerId = -1;
            tcb.timerDeadline = Tcb.NONE;
            fired[firedCount++] = tcb;
        }
        return true;
    }

    private void onTimer(final Tcb tcb, final long nowNs)
    {
        if (tcb.closed)
        {
            return;
        }
        if (tcb.stateDeadline <= nowNs)
        {
            tcb.stateDeadline = Tcb.NONE;
            switch (tcb.state)
            {
                // 2 MSL passed, an unfinished passive open expired, or a closed socket waited long enough for FIN.
                case TIME_WAIT, FIN_WAIT_2 -> release(tcb, TcpHandler.CLOSED_NORMALLY, true);
                case SYN_RECEIVED -> release(tcb, TcpHandler.TIMED_OUT, false);
                default ->
                {
                }
            }
            if (tcb.closed)
            {
                return;
            }
        }
        if (tcb.delayedAckDeadline <= nowNs)
        {
            tcb.delayedAckDeadline = Tcb.NONE;
            TcpOutput.sendAck(tcb, nowNs);
        }
        if (tcb.retransmitDeadline <= nowNs)
        {
            TcpOutput.retransmitTimeout(tcb, nowNs);
            if (tcb.closed)
            {
                return;
            }
        }
        if (tcb.persistDeadline <= nowNs)
        {
            if (tcb.sndWnd == 0 || tcb.unsent() > 0 && tcb.inFlight() == 0)
            {
                TcpOutput.persistTimeout(tcb, nowNs);
            }
            else
            {
                tcb.persistDeadline = Tcb.NONE;
                TcpOutput.output(tcb, nowNs);
            }
        }
        tcb.rescheduleTimer();
    }

    @Override
    public long nextDeadline()
    {
        if (wheel.timerCount() == 0)
        {
            return Long.MAX_VALUE;
        }
        if (earliestDirty)
        {
            earliest = Long.MAX_VALUE;
            wheel.forEach(findEarliest);
            earliestDirty = false;
        }
        return earliest;
    }

    private void findEarliest(final long deadline, final long timerId)
    {
        if (deadline < earliest)
        {
            earliest = deadline;
        }
    }
}
