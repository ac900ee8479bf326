package io.flowstack.tcp.tcb;

import io.flowstack.ip.net.Route;
import io.flowstack.tcp.api.CongestionAlgorithm;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.IsnGenerator;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.cc.Bbr;
import io.flowstack.tcp.cc.Cubic;
import io.flowstack.tcp.cc.Reno;
import io.flowstack.tcp.rtt.RttEstimator;

/**
 * Makes a connection's TCB from the configuration, the options of its socket or listener and its route: buffers
 * and how far they may grow, the window scale chosen for the largest, the MSS (RFC 9293 3.7.1), the congestion
 * control, the initial sequence number; and enters it in the core's table.
 */
final class TcbFactory
{
    /** IPv4 header without options plus the TCP header: MTU less this is the MSS (RFC 9293 3.7.1). */
    static final int IPV4_OVERHEAD = 40;
    /** IPv6 header plus the TCP header (RFC 8200 5: MSS = MTU - 60). */
    static final int IPV6_OVERHEAD = 60;

    private final TcpLayer layer;
    private final TcpConfig config;
    private final IsnGenerator isn;

    TcbFactory(final TcpLayer layer, final TcpConfig config, final IsnGenerator isn)
    {
        this.layer = layer;
        this.config = config;
        this.isn = isn;
    }

    /**
     * @return a new connection in the table, in no state yet: the caller opens it.
     */
    Tcb newTcb(final Route route, final int localPort, final int remotePort, final ConnectionOptions options,
        final long nowNs)
    {
        final int sendBuffer = bufferSize(options.sendBuffer(), config.sendBuffer());
        final int receiveBuffer = bufferSize(options.receiveBuffer(), config.receiveBuffer());
        final CongestionAlgorithm algorithm = options.congestionControl() != null
            ? options.congestionControl() : config.congestionControl();
        final boolean pacing = options.pacing() != null ? options.pacing() : config.pacing();
        final Tcb tcb = new Tcb(layer, sendBuffer, receiveBuffer,
            new RttEstimator(config.minRtoNs(), config.maxRtoNs(), 1_000_000_000L, 1_000_000L),
            switch (algorithm)
            {
                case CUBIC -> new Cubic(pacing);
                case BBR -> new Bbr();
                case RENO -> new Reno();
            });
        tcb.snd.pacer.paceWindow(pacing);
        final Route r = tcb.route.copy(route);
        tcb.localPort = localPort;
        tcb.remotePort = remotePort;
        tcb.apply(options, !config.nagle());
        tcb.snd.reset(isn.isn(r.sourceHigh(), r.sourceLow(), localPort, r.destinationHigh(), r.destinationLow(),
            remotePort, nowNs));
        tcb.rcv.mss = ourMss(r, options);
        tcb.snd.mss = Math.min(Sender.DEFAULT_MSS, tcb.rcv.mss);
        // Over IPv6 the connection segments only where the device cuts TCP/IPv6 (Offloads.forIpv6).
        tcb.snd.offloads = r.ipv4() ? r.ifc().offloads() : r.ifc().offloads().forIpv6();
        tcb.windowScaling = true;
        tcb.timestamps = true;
        tcb.sack = config.sack();
        // Buffers the application did not size grow with the path; the window scale is chosen for the largest.
        tcb.snd.maxBuffer = options.sendBuffer() == 0 && config.maxBuffer() > sendBuffer ? config.maxBuffer() : 0;
        tcb.rcv.maxBuffer = maxReceiveBuffer(options);
        tcb.rcv.wndShift = receiveWindowShift(options);
        tcb.snd.cc.init(tcb.snd.mss, nowNs);
        layer.table.put(tcb);
        layer.counters.connections.incrementOrdered();
        layer.counters.flowsOwned.getAndAddOrdered(1);
        return tcb;
    }

    /** RFC 9293 3.7.1 / 3.7.6: our MSS is the interface MTU less the IP and TCP headers, or TCP_MAXSEG. */
    static int ourMss(final Route route, final ConnectionOptions options)
    {
        final int mss = route.ifc().mtu() - (route.ipv4() ? IPV4_OVERHEAD : IPV6_OVERHEAD);
        return options.mss() > 0 ? Math.min(mss, options.mss()) : mss;
    }

    /** @return the receive buffer a connection with these options starts with. */
    int receiveBuffer(final ConnectionOptions options)
    {
        return bufferSize(options.receiveBuffer(), config.receiveBuffer());
    }

    /** @return how far the receive buffer of a connection with these options may grow (0: it stays). */
    int maxReceiveBuffer(final ConnectionOptions options)
    {
        final int receiveBuffer = receiveBuffer(options);
        final int max = Math.max(config.maxBuffer(), config.maxReceiveBuffer());
        return options.receiveBuffer() == 0 && config.maxBuffer() > 0 && max > receiveBuffer ? max : 0;
    }

    /** @return the window shift a connection with these options offers: enough for its largest buffer. */
    int receiveWindowShift(final ConnectionOptions options)
    {
        return SynOptions.windowShift(Math.max(receiveBuffer(options), maxReceiveBuffer(options)));
    }

    private static int bufferSize(final int requested, final int fallback)
    {
        final int bytes = requested > 0 ? requested : fallback;
        return bytes <= 1 ? 1 : Integer.highestOneBit(bytes - 1) << 1;
    }
}
