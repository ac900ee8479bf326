package io.flowstack.tcp.tcb;

import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.LocalPortSelector;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpState;

/**
 * OPEN, active (RFC 9293 3.10.1): a route, a local port whose replies hash back to this core (the same ownership
 * function that dispatches received frames chooses it), a TCB in SYN-SENT, and our SYN.
 */
final class ActiveOpen
{
    /** Lowest local port of an active open. */
    static final int EPHEMERAL_MIN = 32768;
    /** Highest local port of an active open. */
    static final int EPHEMERAL_MAX = 60999;

    private final TcpLayer layer;
    private final FlowOwnership ownership;
    private final int coreId;
    private final LocalPortSelector.PortInUse portInUse = this::portInUse;
    private final Route route = new Route();
    private int remotePort;
    private int nextPortHint;

    ActiveOpen(final TcpLayer layer, final FlowOwnership ownership, final int coreId)
    {
        this.layer = layer;
        this.ownership = ownership;
        this.coreId = coreId;
        this.nextPortHint = coreId * 7919;
    }

    Tcb connect(final long remoteHigh, final long remoteLow, final int port, final TcpHandler handler,
        final ConnectionOptions options, final long nowNs)
    {
        if (!layer.network.route(route, remoteHigh, remoteLow))
        {
            throw new IllegalStateException("no route to " + IpAddress.toString(remoteHigh, remoteLow));
        }
        if (layer.bounds.full())
        {
            layer.counters.connectionLimitDrops.incrementOrdered();
            throw new IllegalStateException("this core holds its maximum of " + layer.limits.connections()
                + " TCP connections");
        }
        final IpInterface ifc = route.ifc();
        remotePort = port;
        final int hint = nextPortHint;
        nextPortHint += 104_729;
        final int localPort = route.ipv4()
            ? ownership.selectLocalPort(coreId, ifc.ifIndex(), Ipv4Flyweight.PROTO_TCP, ifc.address(),
                (int)remoteLow, port, EPHEMERAL_MIN, EPHEMERAL_MAX, hint, portInUse)
            : ownership.selectLocalPort6(coreId, ifc.ifIndex(), Ipv4Flyweight.PROTO_TCP, route.sourceHigh(),
                route.sourceLow(), remoteHigh, remoteLow, port, EPHEMERAL_MIN, EPHEMERAL_MAX, hint, portInUse);
        if (localPort < 0)
        {
            throw new IllegalStateException("no local TCP port left on this core towards "
                + IpAddress.toString(remoteHigh, remoteLow) + ":" + port);
        }
        final Tcb tcb = layer.tcbs.newTcb(route, localPort, port, options, nowNs);
        tcb.handler = handler;
        tcb.state = TcpState.SYN_SENT;
        Transmitter.sendSyn(tcb, layer.transmitTime());
        layer.units.touch(tcb);
        return tcb;
    }

    private boolean portInUse(final int port)
    {
        return layer.passiveOpen.listening(port) || layer.table.get(route.sourceHigh(), route.sourceLow(), port,
            route.destinationHigh(), route.destinationLow(), remotePort) != null;
    }
}
