package io.flowstack.ip.udp;

import io.flowstack.core.counter.StackCounter;
import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.net.Network;
import io.flowstack.ip.net.NetworkView;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.net.Transport;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.UdpFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2LongHashMap;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.LocalPortSelector;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * UDP (RFC 768, RFC 1122 4.1) on one core: checks, demultiplexes to bound endpoints, refuses datagrams for closed
 * ports (the network layer answers port unreachable), and sends.
 */
public final class UdpLayer implements Transport
{
    /** Largest payload of one datagram over IPv4: 65535 - 20 - 8. */
    public static final int MAX_PAYLOAD = 65_507;
    /** A UDP flow nobody used for this long stops counting as owned. */
    public static final long FLOW_IDLE_NS = 30_000_000_000L;
    /** Lowest local port handed to outgoing flows (the kernel's default ephemeral range starts here too). */
    public static final int EPHEMERAL_MIN = 32768;
    /** Highest local port handed to outgoing flows. */
    public static final int EPHEMERAL_MAX = 60999;
    /** Most flows tracked per core; beyond it new flows still work but are not counted. */
    public static final int MAX_TRACKED_FLOWS = 1 << 14;

    private final Network network;
    private final BufferPool pool;
    private final Route route = new Route();
    private final Int2ObjectHashMap<UdpEndpoint> endpoints = new Int2ObjectHashMap<>();
    private final Long2LongHashMap flows = new Long2LongHashMap(MAX_TRACKED_FLOWS * 2, 0.65f, -1);
    private final LocalPortSelector.PortInUse portInUse = endpoints::containsKey;
    private final int coreId;
    private final FlowOwnership ownership;
    private int nextPortHint;
    private final UdpFlyweight udp = new UdpFlyweight();
    private final AtomicCounter rxDatagrams;
    private final AtomicCounter rxBad;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxBadChecksum;
    private final AtomicCounter rxNoPort;
    private final AtomicCounter txDatagrams;
    private final AtomicCounter txDrops;
    private final AtomicCounter flowsOwned;

    /**
     * @param network  the network layer below.
     * @param pool     the core's buffers.
     * @param counters the core's counters.
     * @param ownership the ownership function, for choosing ports of outgoing flows.
     */
    public UdpLayer(
        final Network network,
        final BufferPool pool,
        final CounterSet counters,
        final FlowOwnership ownership)
    {
        this.coreId = counters.coreId();
        this.ownership = ownership;
        this.nextPortHint = counters.coreId() * 7919;
        this.network = network;
        this.pool = pool;
        rxDatagrams = counters.counter(UdpCounter.RX_DATAGRAMS);
        rxBad = counters.counter(UdpCounter.RX_BAD_LENGTH);
        rxDrops = counters.counter(StackCounter.RX_DROPS);
        rxBadChecksum = counters.counter(UdpCounter.RX_BAD_CHECKSUM);
        rxNoPort = counters.counter(UdpCounter.RX_NO_PORT);
        txDatagrams = counters.counter(UdpCounter.TX_DATAGRAMS);
        txDrops = counters.counter(UdpCounter.TX_DROPS);
        flowsOwned = counters.counter(StackCounter.FLOWS_OWNED);
    }

    /**
     * Binds a port on this core.
     *
     * @param localAddress address to accept on, 0 for any of this host's.
     * @param localPort    port, 1..65535.
     * @param handler      receives datagrams.
     * @return the endpoint.
     * @throws IllegalStateException if the port is bound already.
     */
    public UdpEndpoint bind(final int localAddress, final int localPort, final UdpHandler handler)
    {
        if (localPort <= 0 || localPort > 65535)
        {
            throw new IllegalArgumentException("UDP port out of range: " + localPort);
        }
        if (endpoints.containsKey(localPort))
        {
            throw new IllegalStateException("UDP port " + localPort + " is already bound");
        }
        final UdpEndpoint endpoint = new UdpEndpoint(this, localAddress, localPort, handler);
        endpoints.put(localPort, endpoint);
        return endpoint;
    }

    /**
     * Opens an endpoint for an outgoing flow to one peer, on a local port whose replies hash back to this core
     * (computed, not guessed: see {@link FlowOwnership#selectLocalPort}).
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       receives the replies.
     * @return the endpoint.
     * @throws IllegalStateException if no route or no port is free.
     */
    public UdpEndpoint open(final int remoteAddress, final int remotePort, final UdpHandler handler)
    {
        return open(IpAddress.ofIpv4(remoteAddress), remotePort, handler);
    }

    /**
     * As {@link #open(int, int, UdpHandler)}, towards a peer of either family (IPv6 ports are computed for the IPv6
     * tuple, {@link FlowOwnership#selectLocalPort6}). The endpoint is bound to any address, so it takes the
     * replies whatever the family.
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       receives the replies.
     * @return the endpoint.
     * @throws IllegalStateException if no route or no port is free.
     */
    public UdpEndpoint open(final IpAddress remoteAddress, final int remotePort, final UdpHandler handler)
    {
        if (!network.route(route, remoteAddress.high(), remoteAddress.low()))
        {
            throw new IllegalStateException("no route to " + remoteAddress);
        }
        final IpInterface ifc = route.ifc();
        final int hint = nextPortHint;
        nextPortHint += 104_729;
        final int port = route.ipv4()
            ? ownership.selectLocalPort(coreId, ifc.ifIndex(), Ipv4Flyweight.PROTO_UDP, ifc.address(),
                remoteAddress.ipv4(), remotePort, EPHEMERAL_MIN, EPHEMERAL_MAX, hint, portInUse)
            : ownership.selectLocalPort6(coreId, ifc.ifIndex(), Ipv4Flyweight.PROTO_UDP, route.sourceHigh(),
                route.sourceLow(), remoteAddress.high(), remoteAddress.low(), remotePort, EPHEMERAL_MIN,
                EPHEMERAL_MAX, hint, portInUse);
        if (port < 0)
        {
            throw new IllegalStateException("no local UDP port left for this core towards " + remoteAddress);
        }
        return bind(route.ipv4() ? ifc.address() : 0, port, handler);
    }

    /**
     * Forgets flows idle for {@link #FLOW_IDLE_NS}.
     *
     * @return number of flows still tracked.
     */
    public int expireFlows()
    {
        final long nowNs = network.time().nanoTime();
        final Long2LongHashMap.EntryIterator it = flows.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            if (nowNs - it.getLongValue() > FLOW_IDLE_NS)
            {
                it.remove();
                flowsOwned.getAndAddOrdered(-1);
            }
        }
        return flows.size();
    }

    /**
     * @return UDP flows (remote address, remote port, local port) this core has seen recently.
     */
    public int flowCount()
    {
        return flows.size();
    }

    void unbind(final UdpEndpoint endpoint)
    {
        endpoints.remove(endpoint.localPort());
    }

    @Override
    public int onPacket(final PacketBuffer datagram, final NetworkView ip)
    {
        udp.wrap(datagram.buffer(), ip.transportOffset(), ip.transportLength());
        if (!udp.check())
        {
            rxBad.incrementOrdered();
            rxDrops.incrementOrdered();
            datagram.release();
            return DELIVERED;
        }
        // A checksum the device verified, or a partial one from a local sender, needs no check (Offloads).
        if (!datagram.checksumTrusted() && !udp.checksumValid(ip.pseudoHeaderSum(), ip.isIpv4()))
        {
            rxBadChecksum.incrementOrdered();
            rxDrops.incrementOrdered();
            datagram.release();
            return DELIVERED;
        }
        final UdpEndpoint endpoint = endpoints.get(udp.destinationPort());
        if (endpoint == null || (endpoint.localAddress() != 0
            && (!ip.isIpv4() || endpoint.localAddress() != ip.destination4())))
        {
            // RFC 1122 4.1.3.1: port unreachable (the network layer sends it, never for broadcasts).
            rxNoPort.incrementOrdered();
            rxDrops.incrementOrdered();
            return PORT_UNREACHABLE;
        }
        trackFlow(ip.sourceHigh(), ip.sourceLow(), udp.sourcePort(), udp.destinationPort());
        endpoint.source(ip.sourceHigh(), ip.sourceLow(), udp.sourcePort());
        // The handler's int address is the IPv4 source; for IPv6 it is 0 and the endpoint knows the source.
        final int source4 = ip.isIpv4() ? ip.source4() : 0;
        final int payloadOffset = udp.offset() + UdpFlyweight.HEADER_LENGTH;
        final int payloadLength = udp.udpLength() - UdpFlyweight.HEADER_LENGTH;
        // A UDP segmentation frame (USO, from a local sender with UDP_SEGMENT) stands for datagrams of gso_size
        // bytes of payload each, the last one shorter, all with this header's addresses and ports.
        final int size = datagram.gsoType() == PacketBuffer.GSO_UDP_L4 && datagram.gsoSize() > 0
            ? datagram.gsoSize() : Math.max(1, payloadLength);
        int at = 0;
        do
        {
            rxDatagrams.incrementOrdered();
            endpoint.handler().onDatagram(endpoint, source4, udp.sourcePort(), datagram.buffer(),
                payloadOffset + at, Math.min(size, payloadLength - at));
            at += size;
        }
        while (at < payloadLength);
        datagram.release();
        return DELIVERED;
    }

    private void trackFlow(final long remoteHigh, final long remoteLow, final int remotePort, final int localPort)
    {
        // IPv4: the address and both ports exactly; IPv6: the rest of the address folded in (a collision only
        // merges two flows in this count).
        final long key = ((remoteLow & 0xFFFF_FFFFL) << 32 | (long)remotePort << 16 | localPort)
            ^ (remoteHigh ^ remoteLow >>> 32 ^ 0xFFFFL) * 0x9E37_79B9_7F4A_7C15L;
        if (flows.put(key, network.time().nanoTime()) == flows.missingValue())
        {
            if (flows.size() > MAX_TRACKED_FLOWS)
            {
                flows.remove(key);
                return;
            }
            flowsOwned.getAndAddOrdered(1);
        }
    }

    boolean send(
        final UdpEndpoint endpoint,
        final long destinationHigh,
        final long destinationLow,
        final int destinationPort,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        if (length < 0 || length > MAX_PAYLOAD)
        {
            txDrops.incrementOrdered();
            return false;
        }
        if (!network.route(route, destinationHigh, destinationLow))
        {
            txDrops.incrementOrdered();
            return false;
        }
        final PacketBuffer datagram = pool.acquire();
        if (datagram == null)
        {
            txDrops.incrementOrdered();
            return false;
        }
        if (endpoint.localAddress() != 0 && route.ipv4())
        {
            route.source(0, IpAddress.ipv4Low(endpoint.localAddress()));
        }
        final int at = datagram.offset();
        datagram.buffer().putBytes(at, payload, offset, length);
        datagram.window(at, length);
        final int udpAt = datagram.prepend(UdpFlyweight.HEADER_LENGTH);
        udp.wrap(datagram.buffer(), udpAt, datagram.length())
            .sourcePort(endpoint.localPort())
            .destinationPort(destinationPort)
            .udpLength(datagram.length())
            .computeChecksum(route.pseudoHeaderSum(Ipv4Flyweight.PROTO_UDP, datagram.length()));
        txDatagrams.incrementOrdered();
        // A datagram above the MTU is fragmented (IPv4; RFC 8200 5 lets only the source fragment over IPv6).
        network.send(datagram, route, Ipv4Flyweight.PROTO_UDP, false);
        return true;
    }
}
