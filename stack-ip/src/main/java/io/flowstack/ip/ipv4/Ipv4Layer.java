package io.flowstack.ip.ipv4;

import io.flowstack.core.counter.StackCounter;
import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.link.EthernetLink;
import io.flowstack.ip.link.LinkReceiver;
import io.flowstack.ip.link.NeighborResolver;
import io.flowstack.ip.net.NetworkView;
import io.flowstack.ip.net.Redispatch;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.net.Transport;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.IcmpFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * IPv4 for a host (RFC 791, RFC 1122 3.2): validates and reassembles what arrives, hands it to the transport
 * registered for its protocol with a {@link NetworkView} and sends the ICMP error its disposition calls for; sends
 * datagrams out on a {@link Route}: fragmented above the MTU, through the link layer and the interface's ARP.
 */
public final class Ipv4Layer implements LinkReceiver
{
    /** TTL of datagrams we originate (RFC 1700 recommends 64). */
    public static final int DEFAULT_TTL = 64;

    private final IpInterface[] interfaces;
    private final NeighborResolver[] resolvers;
    private final BufferPool pool;
    private final EthernetLink link;
    private final Reassembler reassembler;
    private final Transport[] transports = new Transport[256];
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final Ipv4Flyweight out = new Ipv4Flyweight();
    private final NetworkView view = new NetworkView();
    private final Route scratch = new Route();
    private final FragmentSink fragmentSink = this::onFragment;
    private Route fragmentRoute;
    private final int idStride;
    private int nextId;
    private final NanoClock time;

    private final AtomicCounter rxDatagrams;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxTruncated;
    private final AtomicCounter rxBadVersion;
    private final AtomicCounter rxBadHeaderLength;
    private final AtomicCounter rxBadTotalLength;
    private final AtomicCounter rxBadChecksum;
    private final AtomicCounter rxNotForUs;
    private final AtomicCounter rxMartian;
    private final AtomicCounter rxNoProtocol;
    private final AtomicCounter txDatagrams;
    private final AtomicCounter txNoRoute;
    private final AtomicCounter txFragmented;
    private final AtomicCounter txDrops;
    private final AtomicCounter txGsoRefused;

    /** Sends ICMP destination unreachable (protocol, port) for what transports refused. */
    private Unreachable unreachable;
    private Redispatch redispatch;
    private ReassemblyTimeoutHandler timeoutHandler;

    /**
     * @param interfaces  this host's interfaces, indexed by ifIndex (gaps are null).
     * @param resolvers   the ARP of each interface, same indexing.
     * @param pool        the core's buffers.
     * @param link        the core's Ethernet.
     * @param reassembler this core's fragment reassembly.
     * @param coreId      this core, so that cores use disjoint identification values.
     * @param cores       number of cores.
     * @param counters    the core's counters.
     * @param time        the core's clock (the time the current frame was read).
     */
    public Ipv4Layer(
        final IpInterface[] interfaces,
        final NeighborResolver[] resolvers,
        final BufferPool pool,
        final EthernetLink link,
        final Reassembler reassembler,
        final int coreId,
        final int cores,
        final CounterSet counters,
        final NanoClock time)
    {
        this.time = time;
        this.interfaces = interfaces;
        this.resolvers = resolvers;
        this.pool = pool;
        this.link = link;
        this.reassembler = reassembler;
        this.nextId = coreId;
        this.idStride = cores;
        rxDatagrams = counters.counter(Ipv4Counter.RX_DATAGRAMS);
        rxDrops = counters.counter(StackCounter.RX_DROPS);
        rxTruncated = counters.counter(Ipv4Counter.RX_TRUNCATED);
        rxBadVersion = counters.counter(Ipv4Counter.RX_BAD_VERSION);
        rxBadHeaderLength = counters.counter(Ipv4Counter.RX_BAD_HEADER_LENGTH);
        rxBadTotalLength = counters.counter(Ipv4Counter.RX_BAD_TOTAL_LENGTH);
        rxBadChecksum = counters.counter(Ipv4Counter.RX_BAD_CHECKSUM);
        rxNotForUs = counters.counter(Ipv4Counter.RX_NOT_FOR_US);
        rxMartian = counters.counter(Ipv4Counter.RX_MARTIAN_SOURCE);
        rxNoProtocol = counters.counter(Ipv4Counter.RX_UNKNOWN_PROTOCOL);
        txDatagrams = counters.counter(Ipv4Counter.TX_DATAGRAMS);
        txNoRoute = counters.counter(Ipv4Counter.TX_NO_ROUTE);
        txFragmented = counters.counter(Ipv4Counter.TX_FRAGMENTED);
        txDrops = counters.counter(Ipv4Counter.TX_DROPS);
        txGsoRefused = counters.counter(Ipv4Counter.TX_GSO_REFUSED);
    }

    /**
     * @param protocol IP protocol number.
     * @param handler  receives datagrams of that protocol.
     */
    public void register(final int protocol, final Transport handler)
    {
        transports[protocol & 0xFF] = handler;
    }

    /**
     * @param redispatch hands reassembled datagrams to the core that owns their flow.
     */
    public void redispatch(final Redispatch redispatch)
    {
        this.redispatch = redispatch;
    }

    /**
     * @param unreachable sends destination unreachable for datagrams of unknown protocols and closed ports.
     */
    public void unreachable(final Unreachable unreachable)
    {
        this.unreachable = unreachable;
    }

    /**
     * Input of one datagram from the link layer.
     *
     * @param datagram window at the IP header (Ethernet header consumed); ownership passes here.
     * @param ifc      interface it arrived on.
     */
    @Override
    public void onPacket(final PacketBuffer datagram, final IpInterface ifc)
    {
        ip.wrap(datagram.buffer(), datagram.offset(), datagram.length());
        final int verdict = ip.validate();
        if (verdict != Ipv4Flyweight.VALID)
        {
            countInvalid(verdict);
            drop(datagram);
            return;
        }
        // Ethernet pads short frames: the IP total length is the truth (RFC 894).
        datagram.window(datagram.offset(), ip.totalLength());
        final int destination = ip.destination();
        final int source = ip.source();
        final boolean broadcast = destination == -1 || destination == ifc.broadcast();
        if ((destination != ifc.address() && !broadcast) || !ifc.hasIpv4())
        {
            // A host does not forward (RFC 1122 3.3.1.3 makes forwarding optional; we are not a router).
            rxNotForUs.incrementOrdered();
            drop(datagram);
            return;
        }
        if (isMartian(source))
        {
            // RFC 1122 3.2.1.3: a source that is broadcast, multicast or class E is discarded.
            rxMartian.incrementOrdered();
            drop(datagram);
            return;
        }
        rxDatagrams.incrementOrdered();

        PacketBuffer whole = datagram;
        whole.ifIndex(ifc.ifIndex());
        if (Reassembler.isFragment(ip.flagsFragment()))
        {
            whole = reassembler.offer(datagram, time.nanoTime());
            if (whole == null)
            {
                return;
            }
            whole.ifIndex(ifc.ifIndex());
            if (redispatch != null && redispatch.redispatch(whole, ifc))
            {
                return;
            }
            ip.wrap(whole.buffer(), whole.offset(), whole.length());
        }
        final Transport transport = transports[ip.protocol()];
        view.ipv4(whole.ifIndex(), source, destination, ip.protocol(), ip.payloadOffset(), ip.payloadLength(),
            !broadcast);
        if (transport == null)
        {
            // Answered with protocol unreachable (RFC 1122 3.2.2.1), and discarded all the same.
            rxNoProtocol.incrementOrdered();
            rxDrops.incrementOrdered();
            refuse(whole, IcmpFlyweight.CODE_PROTOCOL_UNREACHABLE);
            return;
        }
        if (transport.onPacket(whole, view) == Transport.PORT_UNREACHABLE)
        {
            refuse(whole, IcmpFlyweight.CODE_PORT_UNREACHABLE);
        }
    }

    /** RFC 1122 3.2.2.1 and 4.1.3.1: unreachable, but never for a broadcast (3.2.2); the datagram is released. */
    private void refuse(final PacketBuffer datagram, final int code)
    {
        if (unreachable != null && view.unicastToUs())
        {
            unreachable.unreachable(datagram, code);
        }
        datagram.release();
    }

    /**
     * Prepends an IPv4 header (no options) to a transport segment.
     *
     * @param segment     window at the transport header; headroom for IP and Ethernet.
     * @param source      source address.
     * @param destination destination address.
     * @param protocol    IP protocol number.
     * @param dontFragment set DF.
     */
    public void prependHeader(
        final PacketBuffer segment,
        final int source,
        final int destination,
        final int protocol,
        final boolean dontFragment)
    {
        final int totalLength = segment.wireLength() + Ipv4Flyweight.MIN_HEADER_LENGTH;
        final int at = segment.prepend(Ipv4Flyweight.MIN_HEADER_LENGTH);
        out.wrap(segment.buffer(), at, segment.length())
            .versionAndHeaderLength(Ipv4Flyweight.MIN_HEADER_LENGTH)
            .dscpEcn(0)
            .totalLength(totalLength)
            .identification(nextIdentification())
            .flagsFragment(dontFragment ? Ipv4Flyweight.FLAG_DF : 0)
            .ttl(DEFAULT_TTL)
            .protocol(protocol)
            .source(source)
            .destination(destination)
            .computeChecksum();
    }

    /**
     * @return a fresh identification value; cores use disjoint residues so that no two cores send the same one.
     */
    public int nextIdentification()
    {
        final int id = nextId & 0xFFFF;
        nextId += idStride;
        return id;
    }

    /**
     * Sends a complete datagram: routes it by its destination, then as {@link #send(PacketBuffer, Route)}.
     *
     * @param datagram window at a complete IP header with correct checksum; ownership passes here.
     */
    public void send(final PacketBuffer datagram)
    {
        out.wrap(datagram.buffer(), datagram.offset(), datagram.length());
        final int source = out.source();
        if (!route(scratch, out.destination()))
        {
            txNoRoute.incrementOrdered();
            txDrops.incrementOrdered();
            datagram.release();
            return;
        }
        send(datagram, scratch.source(0, IpAddress.ipv4Low(source)));
    }

    /**
     * Sends a complete datagram on a route: fragments it above the MTU, resolves the next hop and transmits.
     *
     * @param datagram window at a complete IP header with correct checksum; ownership passes here.
     * @param route    its route.
     */
    public void send(final PacketBuffer datagram, final Route route)
    {
        final IpInterface ifc = route.ifc();
        datagram.ifIndex(ifc.ifIndex());
        txDatagrams.incrementOrdered();
        if (datagram.gsoType() != PacketBuffer.GSO_NONE)
        {
            // A segmentation-offload datagram is cut by the device into datagrams that fit; never fragmented. One
            // routed to an interface that cannot cut it is a bug above: dropped and counted.
            if (!ifc.offloads().txTcpSegmentation())
            {
                txGsoRefused.incrementOrdered();
                txDrops.incrementOrdered();
                datagram.release();
                return;
            }
            link.send(datagram, route, resolvers[ifc.ifIndex()], EthernetFlyweight.TYPE_IPV4);
            return;
        }
        if (datagram.wireLength() > ifc.mtu())
        {
            datagram.linearize();
            out.wrap(datagram.buffer(), datagram.offset(), datagram.length());
            if (out.dontFragment())
            {
                txDrops.incrementOrdered();
                datagram.release();
                return;
            }
            txFragmented.incrementOrdered();
            fragmentRoute = route;
            if (Fragmenter.fragment(datagram, ifc.mtu(), pool, fragmentSink) < 0)
            {
                txDrops.incrementOrdered();
            }
            return;
        }
        link.send(datagram, route, resolvers[ifc.ifIndex()], EthernetFlyweight.TYPE_IPV4);
    }

    /**
     * @param destination an address.
     * @return the interface to send on, or null when there is no route.
     */
    public IpInterface route(final int destination)
    {
        IpInterface fallback = null;
        for (final IpInterface ifc : interfaces)
        {
            if (ifc == null || !ifc.hasIpv4())
            {
                continue;
            }
            if (ifc.onLink(destination) || destination == -1)
            {
                return ifc;
            }
            if (fallback == null && ifc.gateway() != 0)
            {
                fallback = ifc;
            }
        }
        return fallback;
    }

    /**
     * Routes to a destination from the chosen interface's address (RFC 1122 3.3.1: on-link destinations directly,
     * others through the interface's gateway).
     *
     * @param route       filled in.
     * @param destination the destination.
     * @return false if there is no route.
     */
    public boolean route(final Route route, final int destination)
    {
        final IpInterface ifc = route(destination);
        if (ifc == null)
        {
            return false;
        }
        routeVia(route, ifc, ifc.address(), destination);
        return true;
    }

    /**
     * Routes from a given source on a given interface (answers go back the way the question came).
     *
     * @param route       filled in.
     * @param ifc         interface.
     * @param source      our address.
     * @param destination the destination.
     */
    public void routeVia(final Route route, final IpInterface ifc, final int source, final int destination)
    {
        final int nextHop = ifc.onLink(destination) || destination == -1 || ifc.gateway() == 0
            ? destination : ifc.gateway();
        route.set(ifc, 0, IpAddress.ipv4Low(source), 0, IpAddress.ipv4Low(destination), 0,
            IpAddress.ipv4Low(nextHop));
    }

    private void onFragment(final PacketBuffer fragment)
    {
        fragment.ifIndex(fragmentRoute.ifc().ifIndex());
        link.send(fragment, fragmentRoute, resolvers[fragmentRoute.ifc().ifIndex()], EthernetFlyweight.TYPE_IPV4);
    }

    /**
     * Runs reassembly timeouts.
     *
     * @return work done.
     */
    public int onTime()
    {
        final long nowNs = time.nanoTime();
        return timeoutHandler == null ? reassembler.expire(nowNs) : reassembler.expire(nowNs, timeoutHandler);
    }

    /**
     * @return the core's clock.
     */
    public NanoClock time()
    {
        return time;
    }

    /**
     * @param handler told about reassemblies that time out with their first fragment (for ICMP time exceeded).
     */
    public void reassemblyTimeoutHandler(final ReassemblyTimeoutHandler handler)
    {
        this.timeoutHandler = handler;
    }

    /**
     * @return earliest reassembly deadline.
     */
    public long nextDeadline()
    {
        return reassembler.nextDeadline();
    }

    /**
     * @param ifIndex an interface index.
     * @return the interface, or null.
     */
    public IpInterface interfaceAt(final int ifIndex)
    {
        return ifIndex >= 0 && ifIndex < interfaces.length ? interfaces[ifIndex] : null;
    }

    private static boolean isMartian(final int source)
    {
        final int first = source >>> 24;
        return source == -1 || first >= 224;
    }

    private void countInvalid(final int verdict)
    {
        switch (verdict)
        {
            case Ipv4Flyweight.TRUNCATED -> rxTruncated.incrementOrdered();
            case Ipv4Flyweight.BAD_VERSION -> rxBadVersion.incrementOrdered();
            case Ipv4Flyweight.BAD_HEADER_LENGTH -> rxBadHeaderLength.incrementOrdered();
            case Ipv4Flyweight.BAD_TOTAL_LENGTH -> rxBadTotalLength.incrementOrdered();
            default -> rxBadChecksum.incrementOrdered();
        }
    }

    private void drop(final PacketBuffer datagram)
    {
        rxDrops.incrementOrdered();
        datagram.release();
    }
}
