package io.flowstack.ip.arp;

import io.flowstack.core.counter.StackCounter;
import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.link.EthernetLink;
import io.flowstack.ip.link.NeighborCache;
import io.flowstack.ip.link.NeighborEvents;
import io.flowstack.ip.link.NeighborResolver;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.EthernetFlyweight;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * ARP for IPv4 over Ethernet (RFC 826) on one interface of one core: answers requests for our address, learns
 * from what it hears by the RFC's merge rule, and sends requests and gratuitous announcements. It is the IPv4
 * {@link NeighborResolver} of its interface.
 */
public final class ArpLayer implements NeighborCache.Listener, NeighborResolver
{
    /** Length of an ARP frame without Ethernet padding. */
    public static final int FRAME_LENGTH = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;

    private final IpInterface ifc;
    private final BufferPool pool;
    private final EthernetLink link;
    private final NeighborEvents output;
    private final NeighborCache cache;
    private final NanoClock time;
    private final ArpFlyweight arp = new ArpFlyweight();
    private final AtomicCounter rxFrames;
    private final AtomicCounter rxBad;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxRequestsForUs;
    private final AtomicCounter txReplies;
    private final AtomicCounter txRequests;
    private final AtomicCounter txDrops;
    private final AtomicCounter conflicts;

    /**
     * @param ifc             the interface.
     * @param pool            the core's buffers.
     * @param link            the core's Ethernet.
     * @param output          receives resolved datagrams and learned mappings.
     * @param cacheCapacity   neighbors per interface.
     * @param counters        the core's counters.
     * @param time            the core's clock.
     */
    public ArpLayer(
        final IpInterface ifc,
        final BufferPool pool,
        final EthernetLink link,
        final NeighborEvents output,
        final int cacheCapacity,
        final CounterSet counters,
        final NanoClock time)
    {
        this(ifc, pool, link, output, cacheCapacity, NeighborCache.PENDING_PER_NEIGHBOR, counters, time);
    }

    /**
     * @param ifc                the interface.
     * @param pool               buffers for requests and replies.
     * @param link               the core's Ethernet.
     * @param output             receives resolved datagrams and learned mappings.
     * @param cacheCapacity      neighbors per interface.
     * @param pendingPerNeighbor datagrams held per neighbor while it is resolved.
     * @param counters           the core's counters.
     * @param time               the core's clock.
     */
    public ArpLayer(
        final IpInterface ifc,
        final BufferPool pool,
        final EthernetLink link,
        final NeighborEvents output,
        final int cacheCapacity,
        final int pendingPerNeighbor,
        final CounterSet counters,
        final NanoClock time)
    {
        this.time = time;
        this.ifc = ifc;
        this.pool = pool;
        this.link = link;
        this.output = output;
        this.cache = new NeighborCache(
            cacheCapacity,
            pendingPerNeighbor,
            NeighborCache.DEFAULT_LIFETIME_NS,
            NeighborCache.DEFAULT_RETRY_NS,
            NeighborCache.DEFAULT_MAX_REQUESTS,
            this,
            counters,
            ArpCounter.CACHE);
        rxFrames = counters.counter(ArpCounter.RX_FRAMES);
        rxBad = counters.counter(ArpCounter.RX_BAD);
        rxDrops = counters.counter(StackCounter.RX_DROPS);
        rxRequestsForUs = counters.counter(ArpCounter.RX_REQUESTS_FOR_US);
        txReplies = counters.counter(ArpCounter.TX_REPLIES);
        txRequests = counters.counter(ArpCounter.TX_REQUESTS);
        txDrops = counters.counter(ArpCounter.TX_DROPS);
        conflicts = counters.counter(ArpCounter.RX_ADDRESS_CONFLICTS);
    }

    /**
     * @return this interface's neighbor cache.
     */
    public NeighborCache cache()
    {
        return cache;
    }

    /**
     * Handles one ARP packet; takes ownership.
     *
     * @param frame window just past the Ethernet header.
     */
    public void onFrame(final PacketBuffer frame)
    {
        arp.wrap(frame.buffer(), frame.offset(), frame.length());
        if (!arp.check() || !ifc.hasIpv4())
        {
            rxBad.incrementOrdered();
            rxDrops.incrementOrdered();
            frame.release();
            return;
        }
        rxFrames.incrementOrdered();
        final int senderIp = arp.senderProtocolAddress();
        final long senderMac = arp.senderHardwareAddress();
        final int targetIp = arp.targetProtocolAddress();
        if (senderIp == ifc.address())
        {
            // Someone else claims our address; RFC 5227 2.4 says defend or stop. We only count it.
            if (senderMac != ifc.mac())
            {
                conflicts.incrementOrdered();
            }
            frame.release();
            return;
        }
        final boolean forUs = targetIp == ifc.address();
        // RFC 826 packet reception: merge the sender, add it if the packet was for us. A probe (sender 0) teaches nothing.
        if (senderIp != 0 && (senderMac & 0x0100_0000_0000L) == 0)
        {
            cache.update(0, IpAddress.ipv4Low(senderIp), senderMac, forUs, time.nanoTime());
        }
        if (forUs && arp.operation() == ArpFlyweight.OP_REQUEST)
        {
            rxRequestsForUs.incrementOrdered();
            // Answer in place: swap sender and target, set opcode to reply (RFC 826).
            arp.operation(ArpFlyweight.OP_REPLY)
                .targetHardwareAddress(senderMac)
                .targetProtocolAddress(senderIp)
                .senderHardwareAddress(ifc.mac())
                .senderProtocolAddress(ifc.address());
            frame.window(frame.offset(), ArpFlyweight.LENGTH).ifIndex(ifc.ifIndex());
            txReplies.incrementOrdered();
            link.transmit(frame, EthernetFlyweight.TYPE_ARP, senderMac);
            return;
        }
        frame.release();
    }

    /**
     * @return true if the interface has an IPv4 address (an IPv6-only one has no ARP to speak).
     */
    public boolean hasAddress()
    {
        return ifc.hasIpv4();
    }

    /**
     * Announces our address (gratuitous ARP request, RFC 5227 3), so neighbors update stale caches.
     */
    public void announce()
    {
        sendArp(ArpFlyweight.OP_REQUEST, EthernetFlyweight.BROADCAST, 0, ifc.address());
    }

    @Override
    public void sendRequest(final long high, final long low, final long knownMac)
    {
        txRequests.incrementOrdered();
        sendArp(ArpFlyweight.OP_REQUEST, knownMac == 0 ? EthernetFlyweight.BROADCAST : knownMac, 0, (int)low);
    }

    @Override
    public void sendResolved(final PacketBuffer datagram, final long mac)
    {
        link.transmit(datagram, EthernetFlyweight.TYPE_IPV4, mac);
    }

    @Override
    public int version()
    {
        return cache.version();
    }

    @Override
    public long resolve(final Route route, final long nowNs)
    {
        final int nextHop = (int)route.nextHopLow();
        if (nextHop == -1 || nextHop == ifc.broadcast())
        {
            // RFC 919, RFC 922: broadcasts go to the link's broadcast address; nothing to resolve.
            route.cacheNeighbor(EthernetFlyweight.BROADCAST, cache.version(), Long.MAX_VALUE);
            return EthernetFlyweight.BROADCAST;
        }
        final long mac = cache.lookup(0, route.nextHopLow(), nowNs);
        if (mac >= 0)
        {
            route.cacheNeighbor(mac, cache.version(), cache.lastExpiry());
        }
        return mac;
    }

    @Override
    public void enqueue(final Route route, final PacketBuffer packet, final long nowNs)
    {
        cache.enqueue(0, route.nextHopLow(), packet, nowNs);
    }

    @Override
    public void learned(final long high, final long low, final long mac)
    {
        output.learned(ifc.ifIndex(), high, low, mac);
    }

    @Override
    public void unreachable(final long high, final long low)
    {
        output.unreachable(ifc.ifIndex(), high, low);
    }

    private void sendArp(final int operation, final long destinationMac, final long targetMac, final int targetIp)
    {
        final PacketBuffer frame = pool.acquire();
        if (frame == null)
        {
            txDrops.incrementOrdered();
            return;
        }
        final int at = frame.offset();
        frame.window(at, ArpFlyweight.LENGTH).ifIndex(ifc.ifIndex());
        arp.wrap(frame.buffer(), at, ArpFlyweight.LENGTH)
            .initEthernetIpv4()
            .operation(operation)
            .senderHardwareAddress(ifc.mac())
            .senderProtocolAddress(ifc.address())
            .targetHardwareAddress(targetMac)
            .targetProtocolAddress(targetIp);
        link.transmit(frame, EthernetFlyweight.TYPE_ARP, destinationMac);
    }
}
