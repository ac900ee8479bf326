package io.flowstack.tcp.tcb;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.ip.wire.TcpOptions;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpAcceptor;
import io.flowstack.tcp.api.TcpState;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The listeners of one core and SEGMENT ARRIVES in LISTEN (RFC 9293 3.10.7.2): a RST is ignored, an ACK draws a
 * RST, a SYN within the backlog makes a TCB in SYN-RECEIVED and a SYN,ACK (text on the SYN waits for
 * ESTABLISHED); anything else is dropped. A SYN beyond the backlog gets a SYN,ACK with a cookie and leaves no
 * state ({@link SynCookies}); an ACK that returns a valid cookie makes the connection as if it had been queued.
 */
final class PassiveOpen
{
    private final TcpLayer layer;
    private final Int2ObjectHashMap<Listener> listeners = new Int2ObjectHashMap<>();
    private final SynCookies cookies;
    private final Route reply = new Route();

    PassiveOpen(final TcpLayer layer, final SynCookies cookies)
    {
        this.layer = layer;
        this.cookies = cookies;
    }

    void listen(final int localAddress, final int localPort, final TcpAcceptor acceptor, final ConnectionOptions options)
    {
        if (localPort <= 0 || localPort > 65535)
        {
            throw new IllegalArgumentException("TCP port out of range: " + localPort);
        }
        if (listeners.containsKey(localPort))
        {
            throw new IllegalStateException("TCP port " + localPort + " is already listening");
        }
        // Any address (0) is any of either family, as a Java wildcard bind is.
        final long low = localAddress == 0 ? 0 : IpAddress.ipv4Low(localAddress);
        listeners.put(localPort, new Listener(0, low, localPort, acceptor, options));
    }

    boolean unlisten(final int localPort)
    {
        return listeners.remove(localPort) != null;
    }

    boolean listening(final int localPort)
    {
        return listeners.containsKey(localPort);
    }

    /** @return the listener that takes a segment to this address and port, or null. */
    Listener find(final long localHigh, final long localLow, final int localPort)
    {
        final Listener l = listeners.get(localPort);
        return l != null && l.accepts(localHigh, localLow) ? l : null;
    }

    void segmentArrives(final Listener listener, final Segment s, final long nowNs)
    {
        final TcpCounters counters = layer.counters;
        if (s.rst())
        {
            return;
        }
        if (s.ack())
        {
            if (!s.syn() && openFromCookie(listener, s, nowNs))
            {
                return;
            }
            layer.resets.sendFor(s, nowNs);
            return;
        }
        if (!s.syn())
        {
            layer.drop(counters.rxNoConnection);
            return;
        }
        if (s.fin())
        {
            // SYN with FIN is no way to open a connection: dropped, as Linux does (tcp_rcv_state_process).
            layer.drop(counters.rxBadFlags);
            return;
        }
        if (!layer.network.routeReply(reply, s.ifIndex, s.destinationHigh, s.destinationLow, s.sourceHigh,
            s.sourceLow))
        {
            layer.drop(counters.rxNoConnection);
            return;
        }
        if (layer.bounds.full())
        {
            // The core holds all the connections it may: the SYN is dropped (the peer tries again later), as Linux
            // drops a SYN its listener's queue has no room for.
            layer.drop(counters.connectionLimitDrops);
            return;
        }
        if (listener.halfOpen >= layer.config.backlog())
        {
            // The SYN queue is full (a flood, or a burst): answer with a cookie and keep nothing (RFC 4987 3.6).
            counters.backlogDrops.incrementOrdered();
            sendCookie(listener, reply, s, nowNs);
            return;
        }
        final Tcb tcb = layer.tcbs.newTcb(reply, s.destinationPort, s.sourcePort, listener.options, nowNs);
        tcb.listener = listener;
        tcb.acceptor = listener.acceptor;
        listener.halfOpen++;
        tcb.rcv.reset(s.seq);
        tcb.snd.wl1 = s.seq;
        tcb.snd.wl2 = tcb.snd.iss;
        tcb.lastHeardNs = nowNs;
        SynOptions.apply(tcb, s);
        tcb.state = TcpState.SYN_RECEIVED;
        tcb.timers.set(TimerTable.STATE, nowNs + layer.config.synReceivedTimeoutNs());
        TextInput.hold(tcb, s, s.seq + 1);
        Transmitter.sendSyn(tcb, nowNs);
        layer.units.touch(tcb);
    }

    /** A SYN,ACK whose ISN is a cookie, with the options the cookie can carry back; no TCB. */
    private void sendCookie(final Listener listener, final Route route, final Segment syn, final long nowNs)
    {
        final PacketBuffer buf = layer.pool.acquire();
        if (buf == null)
        {
            layer.counters.txDrops.incrementOrdered();
            return;
        }
        final TcpOptions synOptions = syn.options;
        final int mssIndex = SynCookies.mssIndex(synOptions.mss());
        final int iss = cookies.encode(syn, mssIndex, nowNs);
        final TcpOptions options = layer.txOptions.reset();
        options.mss(TcbFactory.ourMss(route, listener.options));
        // Window scale and SACK survive only inside the timestamp; without timestamps the connection has neither.
        if (synOptions.hasTimestamps())
        {
            if (synOptions.windowScale() >= 0)
            {
                options.windowScale(layer.tcbs.receiveWindowShift(listener.options));
            }
            final boolean sack = synOptions.sackPermitted() && layer.config.sack();
            options.sackPermitted(sack);
            options.timestamps(SynCookies.timestamp(layer.tsClock(nowNs),
                Math.min(synOptions.windowScale(), SynOptions.MAX_WINDOW_SHIFT), sack), synOptions.tsVal());
        }
        final int at = buf.offset();
        buf.window(at, 0);
        final int headerLength = TcpFlyweight.HEADER_LENGTH + options.length();
        final int tcpAt = buf.prepend(headerLength);
        final int receiveBuffer = layer.tcbs.receiveBuffer(listener.options);
        layer.txTcp.wrap(buf.buffer(), tcpAt, buf.length())
            .sourcePort(syn.destinationPort)
            .destinationPort(syn.sourcePort)
            .sequenceNumber(iss)
            .acknowledgmentNumber(syn.seq + 1)
            .dataOffset(headerLength)
            .flags(TcpFlags.SYN | TcpFlags.ACK)
            .window(Math.min(receiveBuffer, 65535))
            .urgentPointer(0);
        options.emit(buf.buffer(), tcpAt + TcpFlyweight.HEADER_LENGTH);
        layer.txTcp.computeChecksum(route.pseudoHeaderSum(Ipv4Flyweight.PROTO_TCP, buf.length()), buf.length());
        layer.counters.syncookiesSent.incrementOrdered();
        layer.counters.txSegments.incrementOrdered();
        layer.network.send(buf, route, Ipv4Flyweight.PROTO_TCP, true);
    }

    /**
     * An ACK in LISTEN: if it returns a valid cookie, the connection is made in SYN-RECEIVED as the SYN would have
     * made it (with what the cookie kept) and the ACK then takes it to ESTABLISHED the usual way.
     *
     * @return true if the ACK was a valid cookie.
     */
    private boolean openFromCookie(final Listener listener, final Segment s, final long nowNs)
    {
        final int mssIndex = cookies.check(s, nowNs);
        if (mssIndex == -2)
        {
            return false;
        }
        if (mssIndex < 0 || !layer.network.routeReply(reply, s.ifIndex, s.destinationHigh, s.destinationLow,
            s.sourceHigh, s.sourceLow))
        {
            layer.counters.syncookiesInvalid.incrementOrdered();
            return false;
        }
        if (layer.bounds.full())
        {
            // A valid cookie, but no room for the connection: dropped without a RST; the peer's next segment may
            // find room (the cookie stays valid for a while).
            layer.drop(layer.counters.connectionLimitDrops);
            return true;
        }
        layer.counters.syncookiesValid.incrementOrdered();
        final Tcb tcb = layer.tcbs.newTcb(reply, s.destinationPort, s.sourcePort, listener.options, nowNs);
        tcb.acceptor = listener.acceptor;
        final int iss = s.ack - 1;
        final int irs = s.seq - 1;
        final Sender snd = tcb.snd;
        final Receiver rcv = tcb.rcv;
        snd.reset(iss);
        snd.nxt = iss + 1;
        snd.max = iss + 1;
        rcv.reset(irs);
        // What the SYN said, as far as the cookie kept it.
        tcb.timestamps = s.options.hasTimestamps();
        final int echoed = s.options.tsEcr() & SynCookies.TS_OPTION_MASK;
        final int peerShift = tcb.timestamps ? echoed & SynCookies.NO_WINDOW_SCALE : SynCookies.NO_WINDOW_SCALE;
        tcb.windowScaling = peerShift != SynCookies.NO_WINDOW_SCALE;
        snd.wndShift = tcb.windowScaling ? Math.min(peerShift, SynOptions.MAX_WINDOW_SHIFT) : 0;
        if (!tcb.windowScaling)
        {
            rcv.wndShift = 0;
        }
        tcb.sack = tcb.timestamps && (echoed & SynCookies.SACK_BIT) != 0 && layer.config.sack();
        snd.useSack(tcb.sack);
        if (tcb.timestamps)
        {
            rcv.tsRecent = s.options.tsVal();
        }
        snd.mss = Math.max(64, Math.min(SynCookies.MSS_TABLE[mssIndex], rcv.mss)
            - (tcb.timestamps ? SynOptions.TIMESTAMPS_LENGTH : 0));
        snd.cc.init(snd.mss, nowNs);
        snd.wl1 = irs;
        snd.wl2 = iss;
        // The window our SYN,ACK offered, so that it never shrinks.
        rcv.windowField(true);
        tcb.lastHeardNs = nowNs;
        tcb.state = TcpState.SYN_RECEIVED;
        SegmentArrives.process(tcb, s, nowNs);
        return true;
    }
}
