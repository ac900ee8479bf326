package io.flowstack.ip.link;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.counter.StackCounter;
import io.flowstack.core.engine.FrameSink;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.wire.EthernetFlyweight;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Ethernet II (RFC 894) for one core's interfaces: takes frames addressed to us, to the broadcast address or to a
 * multicast group an interface joined, hands each to the protocol of its EtherType, and sends packets with the
 * header in front, the next hop's address from the route's cache or its {@link NeighborResolver}.
 */
public final class EthernetLink
{
    private static final int MAX_GROUPS = 8;

    private final IpInterface[] interfaces;
    private final FrameSink sink;
    private final NanoClock time;
    private final EthernetFlyweight eth = new EthernetFlyweight();
    private final long[][] groups;
    private LinkReceiver ipv4;
    private LinkReceiver ipv6;
    private LinkReceiver arp;
    private final AtomicCounter rxFrames;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxTruncated;
    private final AtomicCounter rxNotForUs;
    private final AtomicCounter rxUnknownType;
    private final AtomicCounter rxNoInterface;

    /**
     * @param interfaces the core's interfaces, indexed by ifIndex (gaps are null).
     * @param sink       where frames go.
     * @param counters   the core's counters.
     * @param time       the core's clock.
     */
    public EthernetLink(final IpInterface[] interfaces, final FrameSink sink, final CounterSet counters,
        final NanoClock time)
    {
        this.interfaces = interfaces;
        this.sink = sink;
        this.time = time;
        this.groups = new long[interfaces.length][0];
        rxFrames = counters.counter(EthernetCounter.RX_FRAMES);
        rxDrops = counters.counter(StackCounter.RX_DROPS);
        rxTruncated = counters.counter(EthernetCounter.RX_TRUNCATED);
        rxNotForUs = counters.counter(EthernetCounter.RX_NOT_FOR_US);
        rxUnknownType = counters.counter(EthernetCounter.RX_UNKNOWN_TYPE);
        rxNoInterface = counters.counter(EthernetCounter.RX_NO_INTERFACE);
    }

    /**
     * Registers the protocol of an EtherType (IPv4, IPv6 or ARP). Setup time only.
     *
     * @param etherType {@link EthernetFlyweight#TYPE_IPV4}, {@link EthernetFlyweight#TYPE_IPV6} or
     *                  {@link EthernetFlyweight#TYPE_ARP}.
     * @param receiver  takes the packets.
     */
    public void register(final int etherType, final LinkReceiver receiver)
    {
        switch (etherType)
        {
            case EthernetFlyweight.TYPE_IPV4 -> ipv4 = receiver;
            case EthernetFlyweight.TYPE_IPV6 -> ipv6 = receiver;
            case EthernetFlyweight.TYPE_ARP -> arp = receiver;
            default -> throw new IllegalArgumentException("EtherType " + Integer.toHexString(etherType));
        }
    }

    /**
     * Receives frames sent to a multicast hardware address on an interface (IPv6 maps its groups to 33:33:...,
     * RFC 2464 7). Setup time only.
     *
     * @param ifIndex interface.
     * @param mac     the group's hardware address.
     */
    public void join(final int ifIndex, final long mac)
    {
        final long[] g = groups[ifIndex];
        for (final long m : g)
        {
            if (m == mac)
            {
                return;
            }
        }
        if (g.length == MAX_GROUPS)
        {
            throw new IllegalStateException("more than " + MAX_GROUPS + " multicast groups on interface " + ifIndex);
        }
        groups[ifIndex] = java.util.Arrays.copyOf(g, g.length + 1);
        groups[ifIndex][g.length] = mac;
    }

    /**
     * Input of one frame from a driver; ownership passes here.
     *
     * @param frame window at the Ethernet header, ifIndex set.
     */
    public void onFrame(final PacketBuffer frame)
    {
        rxFrames.incrementOrdered();
        final int ifIndex = frame.ifIndex();
        final IpInterface ifc = ifIndex >= 0 && ifIndex < interfaces.length ? interfaces[ifIndex] : null;
        if (ifc == null)
        {
            drop(frame, rxNoInterface);
            return;
        }
        eth.wrap(frame.buffer(), frame.offset(), frame.length());
        if (!eth.check())
        {
            drop(frame, rxTruncated);
            return;
        }
        final long destination = eth.destination();
        if (destination != ifc.mac() && destination != EthernetFlyweight.BROADCAST && !joined(ifIndex, destination))
        {
            drop(frame, rxNotForUs);
            return;
        }
        final LinkReceiver receiver = switch (eth.etherType())
        {
            case EthernetFlyweight.TYPE_IPV4 -> ipv4;
            case EthernetFlyweight.TYPE_IPV6 -> ipv6;
            case EthernetFlyweight.TYPE_ARP -> arp;
            default -> null;
        };
        if (receiver == null)
        {
            drop(frame, rxUnknownType);
            return;
        }
        frame.advance(EthernetFlyweight.HEADER_LENGTH);
        receiver.onPacket(frame, ifc);
    }

    /**
     * Sends a packet on a route: the next hop's hardware address from the route's cache, else from the resolver,
     * else the packet waits in the resolver's queue.
     *
     * @param packet    window at the network header; ownership passes here.
     * @param route     the route.
     * @param resolver  the neighbor resolver of the route's interface and family.
     * @param etherType EtherType of the packet.
     */
    public void send(final PacketBuffer packet, final Route route, final NeighborResolver resolver, final int etherType)
    {
        packet.ifIndex(route.ifc().ifIndex());
        final long nowNs = time.nanoTime();
        long mac = route.cachedNeighbor(resolver.version(), nowNs);
        if (mac < 0)
        {
            mac = resolver.resolve(route, nowNs);
            if (mac < 0)
            {
                // It waits past this cycle: its payload must not stay in a send ring.
                packet.linearize();
                resolver.enqueue(route, packet, nowNs);
                return;
            }
        }
        transmit(packet, etherType, mac);
    }

    /**
     * Puts the Ethernet header in front of a packet and transmits it.
     *
     * @param packet    window at the network header, ifIndex set; ownership passes here.
     * @param etherType EtherType.
     * @param mac       destination hardware address.
     */
    public void transmit(final PacketBuffer packet, final int etherType, final long mac)
    {
        final IpInterface ifc = interfaces[packet.ifIndex()];
        frame(packet, etherType, mac, ifc.mac());
        sink.transmit(packet);
    }

    /**
     * Puts an Ethernet header in front of a packet without sending it (forwarding between cores carries frames).
     *
     * @param packet      window at the network header; the window grows to the Ethernet header.
     * @param etherType   EtherType.
     * @param destination destination hardware address.
     * @param source      source hardware address.
     */
    public void frame(final PacketBuffer packet, final int etherType, final long destination, final long source)
    {
        final int at = packet.prepend(EthernetFlyweight.HEADER_LENGTH);
        eth.wrap(packet.buffer(), at, packet.length())
            .destination(destination)
            .source(source)
            .etherType(etherType);
    }

    private boolean joined(final int ifIndex, final long mac)
    {
        if ((mac & 0x0100_0000_0000L) == 0)
        {
            return false;
        }
        for (final long m : groups[ifIndex])
        {
            if (m == mac)
            {
                return true;
            }
        }
        return false;
    }

    private void drop(final PacketBuffer frame, final AtomicCounter reason)
    {
        reason.incrementOrdered();
        rxDrops.incrementOrdered();
        frame.release();
    }
}
