package io.flowstack.tcp.tcb;

import io.flowstack.ip.iface.IpInterface;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpAcceptor;
import io.flowstack.tcp.api.TcpState;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The listeners of one core and SEGMENT ARRIVES in LISTEN (RFC 9293 3.10.7.2): a RST is ignored, an ACK draws a
 * RST, a SYN within the backlog makes a TCB in SYN-RECEIVED and a SYN,ACK (text on the SYN waits for
 * ESTABLISHED); anything else is dropped.
 */
final class PassiveOpen
{
    private final TcpLayer layer;
    private final Int2ObjectHashMap<Listener> listeners = new Int2ObjectHashMap<>();

    PassiveOpen(final TcpLayer layer)
    {
        this.layer = layer;
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
        listeners.put(localPort, new Listener(localAddress, localPort, acceptor, options));
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
    Listener find(final int localAddress, final int localPort)
    {
        final Listener l = listeners.get(localPort);
        return l != null && (l.localAddress == 0 || l.localAddress == localAddress) ? l : null;
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
            layer.resets.sendFor(s);
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
        if (listener.halfOpen >= layer.config.backlog())
        {
            layer.drop(counters.backlogDrops);
            return;
        }
        final IpInterface ifc = layer.ipv4.interfaceAt(s.ifIndex);
        if (ifc == null)
        {
            layer.drop(counters.rxNoConnection);
            return;
        }
        final Tcb tcb = layer.newTcb(ifc, s.destinationAddress, s.destinationPort, s.sourceAddress, s.sourcePort,
            listener.options, nowNs);
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
        layer.touch(tcb);
    }
}
