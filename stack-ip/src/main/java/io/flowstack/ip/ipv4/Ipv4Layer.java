package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.engine.FrameSink;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.arp.NeighborCache;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * IPv4 for a host (RFC 791, RFC 1122 3.2): validates and reassembles what arrives, hands it to the transport
 * registered for its protocol, and sends datagrams out: route to an interface, fragment above the MTU, resolve
 * the next hop, and put the Ethernet header in front.
 */
public final class Ipv4Layer
{
    /** TTL of datagrams we originate (RFC 1700 recommends 64). */
    public static final int DEFAULT_TTL = 64;

    private final IpInterface[] interfaces;
    private final NeighborCache[] neighbors;
    private final BufferPool pool;
    private final FrameSink sink;
    private final Reassembler reassembler;
    private final TransportHandler[] transports = new TransportHandler[256];
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final Ipv4Flyweight out = new Ipv4Flyweight();
    private final EthernetFlyweight eth = new EthernetFlyweight();
    private final FragmentSink fragmentSink = this::onFragment;
    private int fragmentIfIndex;
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

    /** Called when a datagram names a protocol nobody registered (ICMP sends protocol unreachable). */
    private TransportHandler unknownProtocol;
    private Redispatch redispatch;
    private ReassemblyTimeoutHandler timeoutHandler;

    /**
     * @param interfaces  this host's interfaces, indexed by ifIndex (gaps are null).
     * @param neighbors   the neighbor cache of each interface, same indexing.
     * @param pool        the core's buffers.
     * @param sink        where frames go.
     * @param reassembler this core's fragment reassembly.
     * @param coreId      this core, so that cores use disjoint identification values.
     * @param cores       number of cores.
     * @param counters    the core's counters.
     * @param time        the core's clock (the cycle's time).
     */
    public Ipv4Layer(
        final IpInterface[] interfaces,
        final NeighborCache[] neighbors,
        final BufferPool pool,
        final FrameSink sink,
        final Reassembler reassembler,
        final int coreId,
        final int cores,
        final CounterSet counters,
        final NanoClock time)
    {
        this.time = time;
        this.interfaces = interfaces;
        this.neighbors = neighbors;
        this.pool = pool;
        this.sink = sink;
        this.reassembler = reassembler;
        this.nextId = coreId;
        this.idStride = cores;
        rxDatagrams = counters.counter("ipv4.rx.datagrams");
        rxDrops = counters.counter(CounterSet.RX_DROPS);
        rxTruncated = counters.counter("ipv4.rx.truncated");
        rxBadVersion = counters.counter("ipv4.rx.bad_version");
        rxBadHeaderLength = counters.counter("ipv4.rx.bad_header_length");
        rxBadTotalLength = counters.counter("ipv4.rx.bad_total_length");
        rxBadChecksum = counters.counter("ipv4.rx.bad_checksum");
        rxNotForUs = counters.counter("ipv4.rx.not_for_us");
        rxMartian = counters.counter("ipv4.rx.martian_source");
        rxNoProtocol = counters.counter("ipv4.rx.unknown_protocol");
        txDatagrams = counters.counter("ipv4.tx.datagrams");
        txNoRoute = counters.counter("ipv4.tx.no_route");
        txFragmented = counters.counter("ipv4.tx.fragmented");
        txDrops = counters.counter("ipv4.tx.drops");
        txGsoRefused = counters.counter("ipv4.tx.gso_refused");
    }

    /**
     * @param protocol IP protocol number.
     * @param handler  receives datagrams of that protocol.
     */
    public void register(final int protocol, final TransportHandler handler)
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
     * @param handler receives datagrams whose protocol nobody registered.
     */
    public void unknownProtocolHandler(final TransportHandler handler)
    {
        this.unknownProtocol = handler;
    }

    /**
     * Input of one datagram from the link layer.
     *
     * @param datagram window at the IP header (Ethernet header consumed); ownership passes here.
     * @param ifc      interface it arrived on.
     */
    public void onDatagram(final PacketBuffer datagram, final IpInterface ifc)
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
        if (destination != ifc.address() && !broadcast)
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
        final TransportHandler handler = transports[ip.protocol()];
        if (handler != null)
        {
            handler.onDatagram(whole, ip);
        }
        else if (unknownProtocol != null && !broadcast)
        {
            rxNoProtocol.incrementOrdered();
            unknownProtocol.onDatagram(whole, ip);
        }
        else
        {
            rxNoProtocol.incrementOrdered();
            drop(whole);
        }
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
        final int totalLength = segment.length() + Ipv4Flyweight.MIN_HEADER_LENGTH;
        final int at = segment.prepend(Ipv4Flyweight.MIN_HEADER_LENGTH);
        out.wrap(segment.buffer(), at, totalLength)
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
     * Sends a complete datagram: routes it, fragments it above the MTU, resolves the next hop and transmits.
     *
     * @param datagram window at a complete IP header with correct checksum; ownership passes here.
     */
    public void send(final PacketBuffer datagram)
    {
        out.wrap(datagram.buffer(), datagram.offset(), datagram.length());
        final int destination = out.destination();
        final IpInterface ifc = route(destination);
        if (ifc == null)
        {
            txNoRoute.incrementOrdered();
            txDrops.incrementOrdered();
            datagram.release();
            return;
        }
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
            resolveAndSend(datagram);
            return;
        }
        if (datagram.length() > ifc.mtu())
        {
            if (out.dontFragment())
            {
                txDrops.incrementOrdered();
                datagram.release();
                return;
            }
            txFragmented.incrementOrdered();
            fragmentIfIndex = ifc.ifIndex();
            if (Fragmenter.fragment(datagram, ifc.mtu(), pool, fragmentSink) < 0)
            {
                txDrops.incrementOrdered();
            }
            return;
        }
        resolveAndSend(datagram);
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
            if (ifc == null)
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
     * @param destination an address.
     * @return the neighbor a datagram to it goes to (the destination itself on a link, else the gateway), or 0
     *         when there is no route.
     */
    public int nextHop(final int destination)
    {
        final IpInterface ifc = route(destination);
        return ifc == null ? 0 : ifc.onLink(destination) || destination == -1 ? destination : ifc.gateway();
    }

    /**
     * A neighbor did not answer ARP: every transport hears it (see {@link TransportHandler#onUnreachable}).
     *
     * @param nextHop the neighbor's address.
     */
    public void unreachable(final int nextHop)
    {
        for (int p = 0; p < transports.length; p++)
        {
            if (transports[p] != null)
            {
                transports[p].onUnreachable(nextHop);
            }
        }
    }

    /**
     * Puts the Ethernet header in front of a datagram whose next hop is known and transmits it.
     *
     * @param datagram window at the IP header; ifIndex set.
     * @param mac      next hop's hardware address.
     */
    public void transmitTo(final PacketBuffer datagram, final long mac)
    {
        final IpInterface ifc = interfaces[datagram.ifIndex()];
        final int at = datagram.prepend(EthernetFlyweight.HEADER_LENGTH);
        eth.wrap(datagram.buffer(), at, datagram.length())
            .destination(mac)
            .source(ifc.mac())
            .etherType(EthernetFlyweight.TYPE_IPV4);
        sink.transmit(datagram);
    }

    private void onFragment(final PacketBuffer fragment)
    {
        fragment.ifIndex(fragmentIfIndex);
        resolveAndSend(fragment);
    }

    private void resolveAndSend(final PacketBuffer datagram)
    {
        out.wrap(datagram.buffer(), datagram.offset(), datagram.length());
        final int destination = out.destination();
        final IpInterface ifc = interfaces[datagram.ifIndex()];
        if (destination == -1 || destination == ifc.broadcast())
        {
            transmitTo(datagram, EthernetFlyweight.BROADCAST);
            return;
        }
        final int nextHop = ifc.onLink(destination) ? destination : ifc.gateway();
        final NeighborCache cache = neighbors[ifc.ifIndex()];
        final long mac = cache.lookup(nextHop, time.nanoTime());
        if (mac < 0)
        {
            cache.enqueue(nextHop, datagram, time.nanoTime());
            return;
        }
        transmitTo(datagram, mac);
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
