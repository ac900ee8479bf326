package io.flowstack.ip.ndp;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.ipv6.Ipv6Layer;
import io.flowstack.ip.link.EthernetLink;
import io.flowstack.ip.link.NeighborCache;
import io.flowstack.ip.link.NeighborEvents;
import io.flowstack.ip.link.NeighborResolver;
import io.flowstack.ip.net.NetworkView;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.Ipv6Flyweight;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;

/**
 * Neighbor Discovery (RFC 4861) on one interface of one core, IPv6's {@link NeighborResolver}: answers neighbor
 * solicitations for our addresses, learns from solicitations and advertisements, solicits unknown neighbors at
 * their solicited-node multicast address (a bounded queue of packets waits meanwhile), probes stale ones by
 * unicast (neighbor unreachability detection, RFC 4861 7.3, in the cache's reachable-then-refresh form), and
 * checks our addresses for duplicates at start (RFC 4862 5.4, optimistically as RFC 4429 allows: the addresses
 * are used at once). While an address is optimistic (the {@value #RETRANS_TIMER_NS} ns after the probe), an
 * advertisement for it or another node's probe for it makes it a duplicate (RFC 4862 5.4.3, 5.4.4): the
 * {@link DuplicateListener} hears of it, and the address is neither answered for nor sent from again
 * (RFC 4862 5.4.5). Later conflicts are counted; the address is defended.
 */
public final class NdpLayer implements NeighborCache.Listener, NeighborResolver
{
    /** ICMPv6 type: neighbor solicitation. */
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    /** ICMPv6 type: neighbor advertisement. */
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;
    /** Option: source link-layer address. */
    public static final int OPTION_SOURCE_LINK_ADDRESS = 1;
    /** Option: target link-layer address. */
    public static final int OPTION_TARGET_LINK_ADDRESS = 2;
    /** RFC 4861 6.1.2, 7.1: Neighbor Discovery messages are sent, and accepted, with hop limit 255 only. */
    public static final int HOP_LIMIT = 255;
    /** Solicitation or advertisement without options: type, code, checksum, flags or reserved, target. */
    public static final int MESSAGE_LENGTH = 24;
    /** NA flags: router, solicited, override (RFC 4861 4.4). */
    public static final int FLAG_SOLICITED = 0x4000_0000;
    /** NA flag: override. */
    public static final int FLAG_OVERRIDE = 0x2000_0000;

    /** RFC 4861 10 RetransTimer: how long one probe (DupAddrDetectTransmits 1, RFC 4862 5.1) waits for a conflict. */
    public static final long RETRANS_TIMER_NS = 1_000_000_000L;

    private static final int PROTO_ICMPV6 = Ipv6Flyweight.PROTO_ICMPV6;

    /** Hears that duplicate address detection found one of our addresses in use by another node. */
    @FunctionalInterface
    public interface DuplicateListener
    {
        /**
         * @param ifc  the interface.
         * @param high the address, first 64 bits.
         * @param low  the address, last 64 bits.
         */
        void duplicate(IpInterface ifc, long high, long low);
    }

    private final IpInterface ifc;
    private final BufferPool pool;
    private final EthernetLink link;
    private final Ipv6Layer ipv6;
    private final NeighborEvents replication;
    private final DuplicateListener duplicates;
    private final NanoClock time;
    private final NeighborCache cache;
    private final Route scratch = new Route();
    private final AtomicCounter rxSolicitations;
    private final AtomicCounter rxAdvertisements;
    private final AtomicCounter rxInvalid;
    private final AtomicCounter txSolicitations;
    private final AtomicCounter txAdvertisements;
    private final AtomicCounter txDrops;
    private final AtomicCounter dadConflicts;
    private final AtomicCounter dadDuplicates;
    /** Until when our addresses are optimistic (RFC 4429): the probe's time plus RetransTimer; 0 before it. */
    private long optimisticUntilNs;
    private boolean probed;

    /**
     * @param ifc           the interface (with IPv6).
     * @param pool          the core's buffers.
     * @param link          the core's Ethernet.
     * @param ipv6          for the IPv6 header of what we send.
     * @param replication   told about mappings learned.
     * @param duplicates    told about our addresses found in use elsewhere.
     * @param cacheCapacity neighbors per interface.
     * @param pendingPerNeighbor packets held per neighbor while it is resolved.
     * @param counters      the core's counters.
     * @param time          the core's clock.
     */
    public NdpLayer(final IpInterface ifc, final BufferPool pool, final EthernetLink link, final Ipv6Layer ipv6,
        final NeighborEvents replication, final DuplicateListener duplicates, final int cacheCapacity,
        final int pendingPerNeighbor, final CounterSet counters, final NanoClock time)
    {
        this.ifc = ifc;
        this.pool = pool;
        this.link = link;
        this.ipv6 = ipv6;
        this.replication = replication;
        this.duplicates = duplicates;
        this.time = time;
        // RFC 4861 10: RETRANS_TIMER 1 s, MAX_MULTICAST_SOLICIT 3, REACHABLE_TIME 30 s (we keep the cache's 60 s).
        this.cache = new NeighborCache(cacheCapacity, pendingPerNeighbor, NeighborCache.DEFAULT_LIFETIME_NS,
            NeighborCache.DEFAULT_RETRY_NS, NeighborCache.DEFAULT_MAX_REQUESTS, this, counters, NdpCounter.CACHE);
        rxSolicitations = counters.counter(NdpCounter.RX_SOLICITATIONS);
        rxAdvertisements = counters.counter(NdpCounter.RX_ADVERTISEMENTS);
        rxInvalid = counters.counter(NdpCounter.RX_INVALID);
        txSolicitations = counters.counter(NdpCounter.TX_SOLICITATIONS);
        txAdvertisements = counters.counter(NdpCounter.TX_ADVERTISEMENTS);
        txDrops = counters.counter(NdpCounter.TX_DROPS);
        dadConflicts = counters.counter(NdpCounter.DAD_CONFLICTS);
        dadDuplicates = counters.counter(NdpCounter.DAD_DUPLICATES);
        // RFC 4861 7.2.1: join all-nodes and the solicited-node group of each of our addresses.
        link.join(ifc.ifIndex(), Ipv6Flyweight.multicastMac(Ipv6Flyweight.SOLICITED_NODE_HIGH,
            Ipv6Flyweight.ALL_NODES_LOW));
        link.join(ifc.ifIndex(), Ipv6Flyweight.multicastMac(0, Ipv6Flyweight.solicitedNodeLow(ifc.ipv6Low())));
        link.join(ifc.ifIndex(), Ipv6Flyweight.multicastMac(0, Ipv6Flyweight.solicitedNodeLow(ifc.linkLocalLow())));
    }

    /**
     * @return this interface's neighbor cache.
     */
    public NeighborCache cache()
    {
        return cache;
    }

    /**
     * Duplicate address detection (RFC 4862 5.4.2): a solicitation for each of our addresses from the unspecified
     * address to its solicited-node group.
     */
    public void probeOwnAddresses()
    {
        probed = true;
        optimisticUntilNs = time.nanoTime() + RETRANS_TIMER_NS;
        solicit(IpInterface.LINK_LOCAL_HIGH, ifc.linkLocalLow(), 0, true);
        solicit(ifc.ipv6High(), ifc.ipv6Low(), 0, true);
    }

    /**
     * @return true while our addresses are optimistic: probed, and the probe's wait not over.
     */
    public boolean optimistic()
    {
        return probed && time.nanoTime() - optimisticUntilNs < 0;
    }

    /** RFC 4862 5.4.5: an optimistic address someone else holds is given up (once); the caller counted the conflict. */
    private void duplicate(final long high, final long low)
    {
        if (ipv6.addresses().markDuplicate(ifc, high, low))
        {
            dadDuplicates.incrementOrdered();
            duplicates.duplicate(ifc, high, low);
        }
    }

    /**
     * Handles a neighbor solicitation or advertisement; the caller keeps the packet.
     *
     * @param packet the packet, window at its IPv6 header.
     * @param net    its view.
     */
    public void onMessage(final PacketBuffer packet, final NetworkView net)
    {
        final MutableDirectBuffer b = packet.buffer();
        final int at = net.transportOffset();
        final int length = net.transportLength();
        // RFC 4861 7.1.1, 7.1.2: hop limit 255 (nobody off-link can forge it), code 0, long enough, target unicast.
        if (net.hopLimit() != HOP_LIMIT || length < MESSAGE_LENGTH || (b.getByte(at + 1) & 0xFF) != 0)
        {
            rxInvalid.incrementOrdered();
            return;
        }
        final long targetHigh = b.getLong(at + 8, ByteOrder.BIG_ENDIAN);
        final long targetLow = b.getLong(at + 16, ByteOrder.BIG_ENDIAN);
        if (Ipv6Flyweight.isMulticast(targetHigh))
        {
            rxInvalid.incrementOrdered();
            return;
        }
        final int type = b.getByte(at) & 0xFF;
        final long linkAddress = linkAddressOption(b, at + MESSAGE_LENGTH, length - MESSAGE_LENGTH,
            type == TYPE_NEIGHBOR_SOLICITATION ? OPTION_SOURCE_LINK_ADDRESS : OPTION_TARGET_LINK_ADDRESS);
        if (linkAddress == -2)
        {
            rxInvalid.incrementOrdered();
            return;
        }
        if (type == TYPE_NEIGHBOR_SOLICITATION)
        {
            onSolicitation(packet, net, targetHigh, targetLow, linkAddress);
        }
        else
        {
            onAdvertisement(net, targetHigh, targetLow, linkAddress, b.getInt(at + 4, ByteOrder.BIG_ENDIAN));
        }
    }

    private void onSolicitation(final PacketBuffer packet, final NetworkView net, final long targetHigh,
        final long targetLow, final long linkAddress)
    {
        rxSolicitations.incrementOrdered();
        final boolean unspecified = net.sourceHigh() == 0 && net.sourceLow() == 0;
        if (unspecified && (linkAddress >= 0 || net.destinationHigh() != Ipv6Flyweight.SOLICITED_NODE_HIGH))
        {
            // RFC 4861 7.1.1: from the unspecified address only to a solicited-node group, and without a SLLA.
            rxInvalid.incrementOrdered();
            return;
        }
        if (!ipv6.addresses().isOwn(ifc, targetHigh, targetLow))
        {
            return;
        }
        if (unspecified && optimistic())
        {
            // RFC 4862 5.4.3: another node probes for our optimistic address at the same time: a duplicate.
            dadConflicts.incrementOrdered();
            duplicate(targetHigh, targetLow);
            return;
        }
        if (unspecified)
        {
            // Another node's duplicate address detection for one of our addresses: we defend it (RFC 4862 5.4.3)
            // by advertising to all nodes.
            advertise(targetHigh, targetLow, Ipv6Flyweight.SOLICITED_NODE_HIGH, Ipv6Flyweight.ALL_NODES_LOW,
                Ipv6Flyweight.multicastMac(0, Ipv6Flyweight.ALL_NODES_LOW), FLAG_OVERRIDE);
            return;
        }
        final long nowNs = time.nanoTime();
        long mac = linkAddress;
        if (mac >= 0)
        {
            // RFC 4861 7.2.3: the solicitation teaches us the sender's link-layer address.
            cache.update(net.sourceHigh(), net.sourceLow(), mac, true, nowNs);
        }
        else
        {
            // A unicast probe carries no option: the sender is known, or the frame names it.
            mac = cache.peek(net.sourceHigh(), net.sourceLow());
            if (mac < 0)
            {
                mac = EthernetFlyweight.getU48(packet.buffer(), packet.offset() - EthernetFlyweight.HEADER_LENGTH
                    + EthernetFlyweight.SOURCE_OFFSET);
            }
        }
        advertise(targetHigh, targetLow, net.sourceHigh(), net.sourceLow(), mac, FLAG_SOLICITED | FLAG_OVERRIDE);
    }

    private void onAdvertisement(final NetworkView net, final long targetHigh, final long targetLow,
        final long linkAddress, final int flags)
    {
        rxAdvertisements.incrementOrdered();
        if (Ipv6Flyweight.isMulticast(net.destinationHigh()) && (flags & FLAG_SOLICITED) != 0)
        {
            rxInvalid.incrementOrdered();
            return;
        }
        if (ifc.isOwnIpv6(targetHigh, targetLow))
        {
            // RFC 4862 5.4.4: someone else answers for our address; while it is optimistic, it is theirs.
            dadConflicts.incrementOrdered();
            if (optimistic())
            {
                duplicate(targetHigh, targetLow);
            }
            return;
        }
        if (linkAddress >= 0)
        {
            // RFC 4861 7.2.5 updates only an existing entry; a solicited answer may reach this core while another
            // core asked (Neighbor Discovery is taken on one core, as ARP is), so a solicited one creates the entry
            // here and the replication hands it to the core that waits.
            cache.update(targetHigh, targetLow, linkAddress, (flags & FLAG_SOLICITED) != 0, time.nanoTime());
        }
    }

    /**
     * @return the link-layer address of the option of the given type, -1 if there is none, -2 if the options are
     *         malformed (a zero length, or past the end: RFC 4861 7.1.1 says discard).
     */
    private static long linkAddressOption(final MutableDirectBuffer b, final int at, final int length, final int type)
    {
        long found = -1;
        int i = 0;
        while (i < length)
        {
            if (length - i < 2)
            {
                return -2;
            }
            final int optionLength = (b.getByte(at + i + 1) & 0xFF) * 8;
            if (optionLength == 0 || optionLength > length - i)
            {
                return -2;
            }
            if ((b.getByte(at + i) & 0xFF) == type && optionLength >= 8)
            {
                found = EthernetFlyweight.getU48(b, at + i + 2);
            }
            i += optionLength;
        }
        return found;
    }

    @Override
    public void sendRequest(final long high, final long low, final long knownMac)
    {
        solicit(high, low, knownMac, false);
    }

    private void solicit(final long targetHigh, final long targetLow, final long knownMac, final boolean dad)
    {
        final PacketBuffer packet = pool.acquire();
        if (packet == null)
        {
            txDrops.incrementOrdered();
            return;
        }
        // RFC 4861 7.2.2: to the solicited-node group, or the neighbor itself when probing a known one (7.3.3).
        final boolean unicast = knownMac != 0;
        final long dh = unicast ? targetHigh : Ipv6Flyweight.SOLICITED_NODE_HIGH;
        final long dl = unicast ? targetLow : Ipv6Flyweight.solicitedNodeLow(targetLow);
        boolean linkLocal = Ipv6Flyweight.isLinkLocal(targetHigh) || !ifc.onLink6(targetHigh, targetLow);
        if (!dad && !ipv6.addresses().isOwn(ifc, linkLocal ? IpInterface.LINK_LOCAL_HIGH : ifc.ipv6High(),
            linkLocal ? ifc.linkLocalLow() : ifc.ipv6Low()))
        {
            // A duplicate is not ours to send from (RFC 4862 5.4.5): the other address, if it is still ours.
            linkLocal = !linkLocal;
            if (!ipv6.addresses().isOwn(ifc, linkLocal ? IpInterface.LINK_LOCAL_HIGH : ifc.ipv6High(),
                linkLocal ? ifc.linkLocalLow() : ifc.ipv6Low()))
            {
                packet.release();
                txDrops.incrementOrdered();
                return;
            }
        }
        final long sh = dad ? 0 : linkLocal ? IpInterface.LINK_LOCAL_HIGH : ifc.ipv6High();
        final long sl = dad ? 0 : linkLocal ? ifc.linkLocalLow() : ifc.ipv6Low();
        final int length = MESSAGE_LENGTH + (dad ? 0 : 8);
        final MutableDirectBuffer b = packet.buffer();
        final int at = packet.offset();
        packet.window(at, length);
        b.putInt(at, TYPE_NEIGHBOR_SOLICITATION << 24, ByteOrder.BIG_ENDIAN);
        b.putInt(at + 4, 0, ByteOrder.BIG_ENDIAN);
        b.putLong(at + 8, targetHigh, ByteOrder.BIG_ENDIAN);
        b.putLong(at + 16, targetLow, ByteOrder.BIG_ENDIAN);
        if (!dad)
        {
            putLinkAddressOption(b, at + MESSAGE_LENGTH, OPTION_SOURCE_LINK_ADDRESS);
        }
        txSolicitations.incrementOrdered();
        send(packet, sh, sl, dh, dl, unicast ? knownMac : Ipv6Flyweight.multicastMac(dh, dl));
    }

    private void advertise(final long targetHigh, final long targetLow, final long dh, final long dl, final long mac,
        final int flags)
    {
        final PacketBuffer packet = pool.acquire();
        if (packet == null)
        {
            txDrops.incrementOrdered();
            return;
        }
        final MutableDirectBuffer b = packet.buffer();
        final int at = packet.offset();
        packet.window(at, MESSAGE_LENGTH + 8);
        b.putInt(at, TYPE_NEIGHBOR_ADVERTISEMENT << 24, ByteOrder.BIG_ENDIAN);
        b.putInt(at + 4, flags, ByteOrder.BIG_ENDIAN);
        b.putLong(at + 8, targetHigh, ByteOrder.BIG_ENDIAN);
        b.putLong(at + 16, targetLow, ByteOrder.BIG_ENDIAN);
        putLinkAddressOption(b, at + MESSAGE_LENGTH, OPTION_TARGET_LINK_ADDRESS);
        txAdvertisements.incrementOrdered();
        // RFC 4861 7.2.4: the source is the target address (one of ours).
        send(packet, targetHigh, targetLow, dh, dl, mac);
    }

    private void putLinkAddressOption(final MutableDirectBuffer b, final int at, final int type)
    {
        b.putByte(at, (byte)type);
        b.putByte(at + 1, (byte)1);
        final long mac = ifc.mac();
        b.putShort(at + 2, (short)(mac >>> 32), ByteOrder.BIG_ENDIAN);
        b.putInt(at + 4, (int)mac, ByteOrder.BIG_ENDIAN);
    }

    private void send(final PacketBuffer packet, final long sh, final long sl, final long dh, final long dl,
        final long mac)
    {
        ipv6.routeVia(scratch, ifc, sh, sl, dh, dl);
        final int at = packet.offset();
        final long sum = InternetChecksum.partial(packet.buffer(), at, packet.length(),
            scratch.pseudoHeaderSum(PROTO_ICMPV6, packet.length()));
        packet.buffer().putShort(at + 2, (short)InternetChecksum.fold(sum), ByteOrder.BIG_ENDIAN);
        ipv6.prependHeader(packet, scratch, PROTO_ICMPV6, HOP_LIMIT);
        packet.ifIndex(ifc.ifIndex());
        link.transmit(packet, EthernetFlyweight.TYPE_IPV6, mac);
    }

    @Override
    public void sendResolved(final PacketBuffer packet, final long mac)
    {
        link.transmit(packet, EthernetFlyweight.TYPE_IPV6, mac);
    }

    @Override
    public void learned(final long high, final long low, final long mac)
    {
        replication.learned(ifc.ifIndex(), high, low, mac);
    }

    @Override
    public void unreachable(final long high, final long low)
    {
        replication.unreachable(ifc.ifIndex(), high, low);
    }

    @Override
    public int version()
    {
        return cache.version();
    }

    @Override
    public long resolve(final Route route, final long nowNs)
    {
        final long high = route.nextHopHigh();
        final long low = route.nextHopLow();
        if (Ipv6Flyweight.isMulticast(high))
        {
            // RFC 2464 7: multicast maps to 33:33 and the group's last 32 bits; nothing to resolve.
            final long mac = Ipv6Flyweight.multicastMac(high, low);
            route.cacheNeighbor(mac, cache.version(), Long.MAX_VALUE);
            return mac;
        }
        final long mac = cache.lookup(high, low, nowNs);
        if (mac >= 0)
        {
            route.cacheNeighbor(mac, cache.version(), cache.lastExpiry());
        }
        return mac;
    }

    @Override
    public void enqueue(final Route route, final PacketBuffer packet, final long nowNs)
    {
        cache.enqueue(route.nextHopHigh(), route.nextHopLow(), packet, nowNs);
    }
}
