package io.flowstack.ip.ipv6;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.counter.StackCounter;
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
import io.flowstack.ip.wire.Ipv6Flyweight;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * IPv6 for a host (RFC 8200): validates what arrives, walks its extension headers (hop-by-hop first only, options
 * by their action bits, routing headers with segments left refused, type 0 included, RFC 5095; at most
 * {@value #MAX_EXTENSION_HEADERS} headers), reassembles fragments ({@link Ipv6Reassembler}), hands the upper-layer packet to its transport with a
 * {@link NetworkView} and sends the ICMPv6 error a disposition calls for; sends packets on a {@link Route} through
 * the link layer and the interface's Neighbor Discovery, fragmented when larger than the MTU (RFC 8200 5: only the
 * source fragments).
 */
public final class Ipv6Layer implements LinkReceiver
{
    /** Hop limit of packets we originate (RFC 8200 3, the IANA default 64). */
    public static final int DEFAULT_HOP_LIMIT = 64;
    /** Most extension headers walked before the packet is dropped (a chain longer is an attack, RFC 7112 spirit). */
    public static final int MAX_EXTENSION_HEADERS = 8;

    private static final int OK = ExtensionHeaders.OK;
    private static final int DISCARD = ExtensionHeaders.DISCARD;

    private final IpInterface[] interfaces;
    private final NeighborResolver[] resolvers;
    private final BufferPool pool;
    private final Ipv6Reassembler reassembler;
    private final int idStride;
    private int nextId;
    private final EthernetLink link;
    private final NanoClock time;
    private final Transport[] transports = new Transport[256];
    private final Ipv6Flyweight ip = new Ipv6Flyweight();
    private final Ipv6Flyweight out = new Ipv6Flyweight();
    private final NetworkView view = new NetworkView();
    private Ipv6Errors errors;
    private Route fragmentRoute;
    private final io.flowstack.ip.ipv4.FragmentSink fragmentSink = this::onFragment;
    private Redispatch redispatch;

    private final AtomicCounter rxPackets;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxTruncated;
    private final AtomicCounter rxBadVersion;
    private final AtomicCounter rxBadLength;
    private final AtomicCounter rxNotForUs;
    private final AtomicCounter rxBadSource;
    private final AtomicCounter rxBadExtension;
    private final AtomicCounter rxChainTooLong;
    private final AtomicCounter rxNoProtocol;
    private final AtomicCounter rxFragments;
    private final AtomicCounter rxNoNextHeader;
    private final AtomicCounter txFragmented;
    private final AtomicCounter txPackets;
    private final AtomicCounter txNoRoute;
    private final AtomicCounter txDrops;
    private final AtomicCounter txGsoRefused;
    private final AtomicCounter pathMtuLowered;
    private final PathMtuCache pathMtus = new PathMtuCache();
    private final Ipv6Addresses addresses;

    /**
     * @param interfaces this host's interfaces, indexed by ifIndex (gaps are null).
     * @param resolvers  Neighbor Discovery of each interface that speaks IPv6, same indexing.
     * @param pool       the core's buffers.
     * @param link       the core's Ethernet.
     * @param coreId     this core, so that cores use disjoint fragment identifications.
     * @param cores      number of cores.
     * @param counters   the core's counters.
     * @param time       the core's clock.
     */
    public Ipv6Layer(final IpInterface[] interfaces, final NeighborResolver[] resolvers, final BufferPool pool,
        final EthernetLink link, final int coreId, final int cores, final CounterSet counters, final NanoClock time)
    {
        this.interfaces = interfaces;
        this.addresses = new Ipv6Addresses(interfaces.length);
        this.resolvers = resolvers;
        this.pool = pool;
        this.reassembler = new Ipv6Reassembler(pool, counters);
        // RFC 7739 asks for identifications hard to predict; a start drawn per run, cores on disjoint residues.
        this.nextId = coreId + cores * new java.security.SecureRandom().nextInt(1 << 20);
        this.idStride = cores;
        this.link = link;
        this.time = time;
        rxPackets = counters.counter(Ipv6Counter.RX_PACKETS);
        rxDrops = counters.counter(StackCounter.RX_DROPS);
        rxTruncated = counters.counter(Ipv6Counter.RX_TRUNCATED);
        rxBadVersion = counters.counter(Ipv6Counter.RX_BAD_VERSION);
        rxBadLength = counters.counter(Ipv6Counter.RX_BAD_PAYLOAD_LENGTH);
        rxNotForUs = counters.counter(Ipv6Counter.RX_NOT_FOR_US);
        rxBadSource = counters.counter(Ipv6Counter.RX_BAD_SOURCE);
        rxBadExtension = counters.counter(Ipv6Counter.RX_BAD_EXTENSION_HEADER);
        rxChainTooLong = counters.counter(Ipv6Counter.RX_CHAIN_TOO_LONG);
        rxNoProtocol = counters.counter(Ipv6Counter.RX_UNKNOWN_NEXT_HEADER);
        rxFragments = counters.counter(Ipv6Counter.RX_BAD_FRAGMENT);
        rxNoNextHeader = counters.counter(Ipv6Counter.RX_NO_NEXT_HEADER);
        txFragmented = counters.counter(Ipv6Counter.TX_FRAGMENTED);
        txPackets = counters.counter(Ipv6Counter.TX_PACKETS);
        txNoRoute = counters.counter(Ipv6Counter.TX_NO_ROUTE);
        txDrops = counters.counter(Ipv6Counter.TX_DROPS);
        txGsoRefused = counters.counter(Ipv6Counter.TX_GSO_REFUSED);
        pathMtuLowered = counters.counter(Ipv6Counter.PATH_MTU_LOWERED);
    }

    /**
     * @param protocol upper-layer protocol (next header) number.
     * @param handler  receives packets of that protocol.
     */
    public void register(final int protocol, final Transport handler)
    {
        transports[protocol & 0xFF] = handler;
    }

    /**
     * @param redispatch hands reassembled packets to the core that owns their flow.
     */
    public void redispatch(final Redispatch redispatch)
    {
        this.redispatch = redispatch;
    }

    /**
     * @param errors sends the ICMPv6 errors this layer and the transports' dispositions call for.
     */
    public void errors(final Ipv6Errors errors)
    {
        this.errors = errors;
    }

    @Override
    public void onPacket(final PacketBuffer packet, final IpInterface ifc)
    {
        ip.wrap(packet.buffer(), packet.offset(), packet.length());
        final int verdict = ip.validate();
        if (verdict != Ipv6Flyweight.VALID)
        {
            drop(packet, verdict == Ipv6Flyweight.TRUNCATED ? rxTruncated
                : verdict == Ipv6Flyweight.BAD_VERSION ? rxBadVersion : rxBadLength);
            return;
        }
        // The payload length is the truth; Ethernet may have padded (RFC 8200 3).
        packet.window(packet.offset(), Ipv6Flyweight.HEADER_LENGTH + ip.payloadLength());
        packet.ifIndex(ifc.ifIndex());
        final long dh = ip.destinationHigh();
        final long dl = ip.destinationLow();
        final boolean unicast = addresses.isOwn(ifc, dh, dl);
        if (!unicast && !isJoinedGroup(ifc, dh, dl))
        {
            drop(packet, rxNotForUs);
            return;
        }
        final long sh = ip.sourceHigh();
        final long sl = ip.sourceLow();
        // RFC 4291 2.7: a multicast source is never valid; RFC 4291 2.5.5.2: mapped addresses never go on the wire.
        if (Ipv6Flyweight.isMulticast(sh) || IpAddress.isIpv4(sh, sl) || addresses.isOwn(ifc, sh, sl))
        {
            drop(packet, rxBadSource);
            return;
        }
        rxPackets.incrementOrdered();
        walk(packet, ifc, unicast, sh, sl, dh, dl, false);
    }

    private void walk(final PacketBuffer packet, final IpInterface ifc, final boolean unicast, final long sh,
        final long sl, final long dh, final long dl, final boolean reassembled)
    {
        final MutableDirectBuffer b = packet.buffer();
        final int start = packet.offset();
        final int end = start + packet.length();
        int nextHeader = ip.nextHeader();
        int field = start + Ipv6Flyweight.NEXT_HEADER_OFFSET;
        int at = start + Ipv6Flyweight.HEADER_LENGTH;
        for (int count = 0; ; count++)
        {
            switch (nextHeader)
            {
                case Ipv6Flyweight.HOP_BY_HOP, Ipv6Flyweight.DESTINATION_OPTIONS, Ipv6Flyweight.ROUTING,
                    Ipv6Flyweight.FRAGMENT ->
                {
                    if (count == MAX_EXTENSION_HEADERS)
                    {
                        drop(packet, rxChainTooLong);
                        return;
                    }
                    if (end - at < 8)
                    {
                        drop(packet, rxBadExtension);
                        return;
                    }
                    if (nextHeader == Ipv6Flyweight.HOP_BY_HOP && count != 0)
                    {
                        // RFC 8200 4.1: hop-by-hop options only right after the IPv6 header.
                        rxBadExtension.incrementOrdered();
                        refuse(packet, unicast, Ipv6Errors.CODE_UNRECOGNIZED_NEXT_HEADER, field - start, false);
                        return;
                    }
                    if (nextHeader == Ipv6Flyweight.FRAGMENT
                        && ((b.getShort(at + 2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFF9) != 0))
                    {
                        fragment(packet, ifc, unicast, sh, sl, dh, dl, at, field, reassembled);
                        return;
                    }
                    final int length = nextHeader == Ipv6Flyweight.FRAGMENT ? 8 : ((b.getByte(at + 1) & 0xFF) + 1) * 8;
                    if (end - at < length)
                    {
                        drop(packet, rxBadExtension);
                        return;
                    }
                    final int outcome = switch (nextHeader)
                    {
                        case Ipv6Flyweight.ROUTING -> ExtensionHeaders.routing(b, at);
                        case Ipv6Flyweight.FRAGMENT -> OK;
                        default -> ExtensionHeaders.options(b, at, length);
                    };
                    if (outcome == DISCARD)
                    {
                        drop(packet, nextHeader == Ipv6Flyweight.FRAGMENT ? rxFragments : rxBadExtension);
                        return;
                    }
                    if (outcome != OK)
                    {
                        rxBadExtension.incrementOrdered();
                        final boolean unrecognizedOption = nextHeader != Ipv6Flyweight.ROUTING;
                        refuse(packet, unicast, unrecognizedOption ? Ipv6Errors.CODE_UNRECOGNIZED_OPTION
                            : Ipv6Errors.CODE_ERRONEOUS_FIELD, (outcome & ~ExtensionHeaders.REPORT_MULTICAST_TOO) - start,
                            (outcome & ExtensionHeaders.REPORT_MULTICAST_TOO) != 0);
                        return;
                    }
                    field = at;
                    nextHeader = b.getByte(at) & 0xFF;
                    at += length;
                }
                case Ipv6Flyweight.NO_NEXT_HEADER ->
                {
                    // RFC 8200 4.7: nothing follows; whatever does is ignored.
                    rxNoNextHeader.incrementOrdered();
                    packet.release();
                    return;
                }
                default ->
                {
                    deliver(packet, ifc, unicast, sh, sl, dh, dl, nextHeader, field - start, at, end - at);
                    return;
                }
            }
        }
    }

    private void deliver(final PacketBuffer packet, final IpInterface ifc, final boolean unicast, final long sh,
        final long sl, final long dh, final long dl, final int protocol, final int pointer, final int at,
        final int length)
    {
        view.ipv6(ifc.ifIndex(), sh, sl, dh, dl, protocol, at, length, unicast).hopLimit(ip.hopLimit());
        final Transport transport = transports[protocol];
        if (transport == null)
        {
            // RFC 8200 4: an unrecognized next header draws a parameter problem pointing at the field naming it.
            rxNoProtocol.incrementOrdered();
            refuse(packet, unicast, Ipv6Errors.CODE_UNRECOGNIZED_NEXT_HEADER, pointer, false);
            return;
        }
        if (transport.onPacket(packet, view) == Transport.PORT_UNREACHABLE)
        {
            if (unicast && errors != null)
            {
                errors.unreachable(packet, Ipv6Errors.CODE_PORT_UNREACHABLE);
            }
            packet.release();
        }
    }

    /**
     * A fragment (an atomic one, offset 0 and no more, is walked past as if it had no fragment header, RFC 6946):
     * RFC 8200 4.5's checks, then reassembly; the whole packet is walked again from its fixed header. A fragment
     * inside a reassembled packet is dropped.
     */
    private void fragment(final PacketBuffer packet, final IpInterface ifc, final boolean unicast, final long sh,
        final long sl, final long dh, final long dl, final int at, final int field, final boolean reassembled)
    {
        final MutableDirectBuffer b = packet.buffer();
        final int start = packet.offset();
        final int length = start + packet.length() - at - 8;
        final int offsetFlags = b.getShort(at + 2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (reassembled)
        {
            drop(packet, rxFragments);
            return;
        }
        if ((offsetFlags & 1) != 0 && (length & 7) != 0)
        {
            // RFC 8200 4.5: a fragment with more to come must be a multiple of 8 bytes long.
            rxFragments.incrementOrdered();
            refuse(packet, unicast, Ipv6Errors.CODE_ERRONEOUS_FIELD, Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET, false);
            return;
        }
        if (!Ipv6Reassembler.fits(at - start, offsetFlags & 0xFFF8, length))
        {
            rxFragments.incrementOrdered();
            refuse(packet, unicast, Ipv6Errors.CODE_ERRONEOUS_FIELD, at + 2 - start, false);
            return;
        }
        final PacketBuffer whole = reassembler.offer(packet, at, field, time.nanoTime());
        if (whole != null)
        {
            // Fragments are owned by the core their addresses hash to, the whole packet by its flow's (DESIGN.md).
            if (redispatch != null && redispatch.redispatch(whole, ifc))
            {
                return;
            }
            ip.wrap(whole.buffer(), whole.offset(), whole.length());
            walk(whole, ifc, unicast, sh, sl, dh, dl, true);
        }
    }

    /**
     * Drops reassemblies whose time ran out.
     *
     * @return work done.
     */
    public int onTime()
    {
        return reassembler.expire(time.nanoTime(), errors);
    }

    /**
     * @return the earliest reassembly deadline.
     */
    public long nextDeadline()
    {
        return reassembler.nextDeadline();
    }

    /** Drops a packet whose reason the caller counted, with the parameter problem RFC 8200 4 asks for. */
    private void refuse(final PacketBuffer packet, final boolean unicast, final int code, final int pointer,
        final boolean evenMulticast)
    {
        rxDrops.incrementOrdered();
        // RFC 4443 2.4 (e.3): no error for a packet to a multicast address, but for an option whose type asks.
        if (errors != null && (unicast || evenMulticast))
        {
            errors.parameterProblem(packet, code, pointer);
        }
        packet.release();
    }

    /**
     * @return which of this core's addresses are ours to answer for and send from.
     */
    public Ipv6Addresses addresses()
    {
        return addresses;
    }

    private static boolean isJoinedGroup(final IpInterface ifc, final long high, final long low)
    {
        if (high != Ipv6Flyweight.SOLICITED_NODE_HIGH)
        {
            return false;
        }
        return low == Ipv6Flyweight.ALL_NODES_LOW || low == Ipv6Flyweight.solicitedNodeLow(ifc.ipv6Low())
            || low == Ipv6Flyweight.solicitedNodeLow(ifc.linkLocalLow());
    }

    /**
     * Prepends the fixed header to an upper-layer packet.
     *
     * @param packet   window at the upper-layer header, headroom for IPv6 and Ethernet.
     * @param route    its route (addresses).
     * @param protocol next header.
     * @param hopLimit hop limit.
     */
    public void prependHeader(final PacketBuffer packet, final Route route, final int protocol, final int hopLimit)
    {
        final int payload = packet.wireLength();
        final int at = packet.prepend(Ipv6Flyweight.HEADER_LENGTH);
        out.wrap(packet.buffer(), at, packet.length())
            .versionClassLabel(0, 0)
            .payloadLength(payload)
            .nextHeader(protocol)
            .hopLimit(hopLimit)
            .source(route.sourceHigh(), route.sourceLow())
            .destination(route.destinationHigh(), route.destinationLow());
    }

    /**
     * Sends a complete packet on a route: through the neighbor the route names, in fragments when it is larger
     * than the MTU (TCP sizes its segments to fit).
     *
     * @param packet window at the IPv6 header (no extension headers); ownership passes here.
     * @param route  its route.
     */
    public void send(final PacketBuffer packet, final Route route)
    {
        final IpInterface ifc = route.ifc();
        packet.ifIndex(ifc.ifIndex());
        if (packet.gsoType() != PacketBuffer.GSO_NONE && !ifc.offloads().txTcp6Segmentation())
        {
            txGsoRefused.incrementOrdered();
            packet.release();
            return;
        }
        txPackets.incrementOrdered();
        if (packet.gsoType() == PacketBuffer.GSO_NONE && packet.wireLength() > route.mtu())
        {
            packet.linearize();
            fragmentRoute = route;
            final int id = nextId;
            nextId += idStride;
            if (Ipv6Fragmenter.fragment(packet, route, pool, id, fragmentSink) < 0)
            {
                txDrops.incrementOrdered();
                return;
            }
            txFragmented.incrementOrdered();
            return;
        }
        link.send(packet, route, resolvers[ifc.ifIndex()], EthernetFlyweight.TYPE_IPV6);
    }

    private void onFragment(final PacketBuffer fragment)
    {
        link.send(fragment, fragmentRoute, resolvers[fragmentRoute.ifc().ifIndex()], EthernetFlyweight.TYPE_IPV6);
    }

    /**
     * Routes to a destination: on the link of an interface whose prefix holds it, or link-local, the destination
     * itself is the next hop (no IPv6 routers yet). The source is the interface's address of the same scope; no
     * route while that address is a duplicate.
     *
     * @param route filled in.
     * @param high  destination, first 64 bits.
     * @param low   destination, last 64 bits.
     * @return false if no interface reaches it.
     */
    public boolean route(final Route route, final long high, final long low)
    {
        for (final IpInterface ifc : interfaces)
        {
            if (ifc != null && (ifc.onLink6(high, low) || (Ipv6Flyweight.isMulticast(high) && ifc.hasIpv6())))
            {
                final boolean linkScope = Ipv6Flyweight.isLinkLocal(high) || high == Ipv6Flyweight.SOLICITED_NODE_HIGH;
                final long sh = linkScope ? IpInterface.LINK_LOCAL_HIGH : ifc.ipv6High();
                final long sl = linkScope ? ifc.linkLocalLow() : ifc.ipv6Low();
                if (addresses.isDuplicate(ifc, sh, sl))
                {
                    // RFC 4862 5.4.5: a duplicate address is not ours to send from.
                    break;
                }
                routeVia(route, ifc, sh, sl, high, low);
                return true;
            }
        }
        txNoRoute.incrementOrdered();
        return false;
    }

    /**
     * Routes from a given source on a given interface (answers go back the way the question came).
     *
     * @param route filled in.
     * @param ifc   interface.
     * @param sh    our address, first 64 bits.
     * @param sl    our address, last 64 bits.
     * @param dh    destination, first 64 bits.
     * @param dl    destination, last 64 bits.
     */
    public void routeVia(final Route route, final IpInterface ifc, final long sh, final long sl, final long dh,
        final long dl)
    {
        route.set(ifc, sh, sl, dh, dl, dh, dl);
        if (pathMtus.size() != 0)
        {
            // A route used for one destination after another (UDP's, echo replies') takes what holds now.
            final int pathMtu = pathMtus.get(dh, dl, time.nanoTime());
            route.pathMtu(pathMtu != 0 ? pathMtu : ifc.mtu());
        }
    }

    /**
     * Takes a Packet Too Big about a packet we sent that no transport keeps a route for (UDP, ICMPv6): routes to
     * the destination take the lower path MTU until it expires (RFC 8201 4: never below 1280, never raised by a
     * Packet Too Big), and larger packets to it are fragmented here, at the source (RFC 8200 5).
     *
     * @param ifc  the interface it came in on.
     * @param high the destination of the packet that was too big, first 64 bits.
     * @param low  its last 64 bits.
     * @param mtu  the MTU the router reported.
     */
    public void lowerPathMtu(final IpInterface ifc, final long high, final long low, final int mtu)
    {
        final int clamped = Math.max(Ipv6Flyweight.MIN_MTU, Math.min(mtu, ifc.mtu()));
        if (clamped < ifc.mtu() && pathMtus.lower(high, low, clamped, time.nanoTime()))
        {
            pathMtuLowered.incrementOrdered();
        }
    }

    /**
     * @param ifIndex an interface index.
     * @return the interface, or null.
     */
    public IpInterface interfaceAt(final int ifIndex)
    {
        return ifIndex >= 0 && ifIndex < interfaces.length ? interfaces[ifIndex] : null;
    }

    /**
     * @return the core's clock.
     */
    public NanoClock time()
    {
        return time;
    }

    private void drop(final PacketBuffer packet, final AtomicCounter reason)
    {
        reason.incrementOrdered();
        rxDrops.incrementOrdered();
        packet.release();
    }
}
