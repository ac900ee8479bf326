package io.flowstack.ip;

import io.flowstack.ip.ipv4.ReassemblyCounter;
import io.flowstack.ip.ipv6.Ipv6ReassemblyCounter;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.engine.CoreEngine;
import io.flowstack.core.engine.CoreServices;
import io.flowstack.core.engine.CoreStack;
import io.flowstack.core.engine.TimerSource;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.core.flow.SteeringRules;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.ip.flow.FlowClassifier;
import io.flowstack.ip.net.Redispatch;
import io.flowstack.ip.link.EthernetLink;
import io.flowstack.ip.link.LinkReceiver;
import io.flowstack.ip.link.NeighborCache;
import io.flowstack.ip.link.NeighborEvents;
import io.flowstack.ip.link.NeighborResolver;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.net.Network;
import io.flowstack.ip.net.Transport;
import java.util.Arrays;

import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import io.flowstack.core.engine.FrameSink;
import io.flowstack.ip.arp.ArpLayer;
import io.flowstack.ip.icmp.IcmpLayer;
import io.flowstack.core.time.RateLimiter;
import io.flowstack.ip.ipv4.Ipv4Layer;
import io.flowstack.ip.ipv4.Reassembler;
import io.flowstack.ip.icmp6.Icmpv6Layer;
import io.flowstack.ip.ipv6.Ipv6Layer;
import io.flowstack.ip.ndp.NdpLayer;
import io.flowstack.ip.wire.Ipv6Flyweight;
import io.flowstack.ip.udp.UdpLayer;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One core's network stack below TCP, and the root that assembles it: the link ({@link EthernetLink}), its neighbor
 * resolvers (ARP per interface), the networks (IPv4 with fragmentation and reassembly), and the transports they
 * feed (ICMP, UDP; TCP registers with {@link #register}), as a {@link CoreStack}. Transports send through
 * {@link #network()}.
 */
public final class IpStack implements CoreStack, NeighborEvents, Redispatch, NdpLayer.DuplicateListener
{
    /** Control message: a neighbor learned on one core (ifIndex int, address high and low longs, mac long). */
    public static final int MSG_NEIGHBOR = 1;
    /** Control message: one of our IPv6 addresses is a duplicate (ifIndex int, address high and low longs). */
    public static final int MSG_DUPLICATE_ADDRESS = 2;
    private static final int MSG_DUPLICATE_ADDRESS_LENGTH = 20;
    /** How often flow tables are swept and the owned-flows counter refreshed. */
    public static final long FLOW_SWEEP_NS = 1_000_000_000L;
    private static final int MSG_NEIGHBOR_LENGTH = 28;

    /** ICMP errors per second (Linux: about 1000/s with a burst of 50; we are more frugal). */
    public static final int ICMP_ERRORS_PER_SECOND = 100;
    /** ICMP error burst. */
    public static final int ICMP_ERROR_BURST = 20;

    private final IpInterface[] interfaces;
    private final EthernetLink link;
    private final ArpLayer[] arp;
    private final NdpLayer[] ndp;
    private final Ipv4Layer ipv4;
    private final Ipv6Layer ipv6;
    private final Icmpv6Layer icmp6;
    private final IpNetworks network;
    private final IcmpLayer icmp;
    private final UdpLayer udp;
    private final LinkReceiver arpReceiver = this::onArp;
    private final Redispatch redispatch6 = this::redispatch6;
    private final CounterSet counters;
    private final CoreServices services;
    private final FlowClassifier classifier;
    private final AtomicCounter redispatched;
    private final AtomicCounter redispatched6;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[MSG_NEIGHBOR_LENGTH]);
    private boolean applyingControl;
    private TimerSource[] timerSources = new TimerSource[0];
    /** The transports above both networks, told of neighbors that never answered. */
    private Transport[] transports = new Transport[0];
    private long nextFlowSweep;
    private Consumer<String> notices = line -> System.err.println("flowstack: " + line);

    /**
     * A stack for a single core that owns everything (tests, simple embedding).
     *
     * @param interfaces interfaces, each at the index of its ifIndex.
     * @param pool       the core's buffers.
     * @param engine     the core's engine (frame sink and core services).
     * @param counters   the core's counters.
     */
    public IpStack(final IpInterface[] interfaces, final BufferPool pool, final CoreEngine engine, final CounterSet counters)
    {
        this(engine, engine, interfaces, pool, singleCore(interfaces), FlowOwnership.ALL_CLASSES, counters);
    }

    /**
     * @param services        the core's engine services (identity, forwarding, broadcast).
     * @param sink            where frames go.
     * @param interfaces      interfaces, each at the index of its ifIndex.
     * @param pool            the core's buffers.
     * @param ownership       this core's copy of the ownership function.
     * @param protocolClasses the protocol classes this core runs ({@link FlowOwnership#CLASS_ICMP} etc. as bits).
     * @param counters        the core's counters.
     */
    public IpStack(
        final CoreServices services,
        final FrameSink sink,
        final IpInterface[] interfaces,
        final BufferPool pool,
        final FlowOwnership ownership,
        final int protocolClasses,
        final CounterSet counters)
    {
        this(services, sink, interfaces, pool, ownership, protocolClasses, IpConfig.DEFAULT, counters);
    }

    /**
     * @param services        the core's engine services (identity, forwarding, broadcast).
     * @param sink            where frames go.
     * @param interfaces      interfaces, each at the index of its ifIndex.
     * @param pool            the core's buffers.
     * @param ownership       this core's copy of the ownership function.
     * @param protocolClasses the protocol classes this core runs ({@link FlowOwnership#CLASS_ICMP} etc. as bits).
     * @param config          the IP layer's bounds.
     * @param counters        the core's counters.
     */
    public IpStack(
        final CoreServices services,
        final FrameSink sink,
        final IpInterface[] interfaces,
        final BufferPool pool,
        final FlowOwnership ownership,
        final int protocolClasses,
        final IpConfig config,
        final CounterSet counters)
    {
        int maxIndex = -1;
        for (final IpInterface ifc : interfaces)
        {
            maxIndex = Math.max(maxIndex, ifc.ifIndex());
        }
        this.services = services;
        this.classifier = new FlowClassifier(ownership);
        this.interfaces = new IpInterface[maxIndex + 1];
        this.arp = new ArpLayer[maxIndex + 1];
        for (final IpInterface ifc : interfaces)
        {
            if (this.interfaces[ifc.ifIndex()] != null)
            {
                throw new IllegalArgumentException("two interfaces with index " + ifc.ifIndex());
            }
            this.interfaces[ifc.ifIndex()] = ifc;
        }
        this.link = new EthernetLink(this.interfaces, sink, counters, services.time());
        final NeighborResolver[] resolvers = new NeighborResolver[maxIndex + 1];
        final NeighborResolver[] resolvers6 = new NeighborResolver[maxIndex + 1];
        this.ndp = new NdpLayer[maxIndex + 1];
        this.ipv6 = new Ipv6Layer(this.interfaces, resolvers6, pool, link, services.coreId(), services.cores(),
            counters, services.time());
        for (final IpInterface ifc : interfaces)
        {
            arp[ifc.ifIndex()] = new ArpLayer(ifc, pool, link, this, config.neighbors(),
                config.pendingPerNeighbor(), counters, services.time());
            resolvers[ifc.ifIndex()] = arp[ifc.ifIndex()];
            if (ifc.hasIpv6())
            {
                ndp[ifc.ifIndex()] = new NdpLayer(ifc, pool, link, ipv6, this, this, config.neighbors(),
                    config.pendingPerNeighbor(), counters,
                    services.time());
                resolvers6[ifc.ifIndex()] = ndp[ifc.ifIndex()];
            }
        }
        this.counters = counters;
        final Reassembler reassembler = new Reassembler(
            pool,
            config.reassemblyDatagrams(),
            config.fragmentsPerDatagram(),
            config.reassemblyTimeoutNs(),
            counters);
        this.ipv4 = new Ipv4Layer(this.interfaces, resolvers, pool, link, reassembler, services.coreId(),
            services.cores(), counters, services.time());
        this.network = new IpNetworks(ipv4, ipv6);
        link.register(EthernetFlyweight.TYPE_IPV4, ipv4);
        link.register(EthernetFlyweight.TYPE_IPV6, ipv6);
        link.register(EthernetFlyweight.TYPE_ARP, arpReceiver);
        this.icmp = new IcmpLayer(ipv4, pool, new RateLimiter(ICMP_ERRORS_PER_SECOND, ICMP_ERROR_BURST), counters);
        this.udp = new UdpLayer(network, pool, counters, ownership);
        this.icmp6 = new Icmpv6Layer(ipv6, ndp, pool, new RateLimiter(ICMP_ERRORS_PER_SECOND, ICMP_ERROR_BURST),
            counters);
        ipv6.errors(icmp6);
        if ((protocolClasses & (1 << FlowOwnership.CLASS_ICMP)) != 0)
        {
            ipv4.register(Ipv4Flyweight.PROTO_ICMP, icmp);
            ipv6.register(Ipv6Flyweight.PROTO_ICMPV6, icmp6);
        }
        if ((protocolClasses & (1 << FlowOwnership.CLASS_UDP)) != 0)
        {
            register(Ipv4Flyweight.PROTO_UDP, udp);
        }
        ipv4.unreachable(icmp);
        ipv4.reassemblyTimeoutHandler(icmp.reassemblyTimeoutHandler());
        if (services.cores() > 1)
        {
            ipv4.redispatch(this);
            ipv6.redispatch(redispatch6);
        }
        redispatched = counters.counter(ReassemblyCounter.REDISPATCHED);
        redispatched6 = counters.counter(Ipv6ReassemblyCounter.REDISPATCHED);
    }

    /**
     * @param interfaces the interfaces.
     * @return an ownership function for one core.
     */
    public static FlowOwnership singleCore(final IpInterface[] interfaces)
    {
        int maxIndex = 0;
        for (final IpInterface ifc : interfaces)
        {
            maxIndex = Math.max(maxIndex, ifc.ifIndex());
        }
        final int[] designated = new int[maxIndex + 1];
        Arrays.fill(designated, FlowOwnership.HASHED);
        return new FlowOwnership(1, new ToeplitzHash(ToeplitzHash.microsoftKey()),
            IndirectionTable.uniform(IndirectionTable.DEFAULT_SIZE, 1), new SteeringRules(), designated,
            new int[]{FlowOwnership.ALL_CLASSES});
    }

    /**
     * @return the classifier built on this core's ownership function (the engine dispatches with it).
     */
    public FlowClassifier classifier()
    {
        return classifier;
    }

    @Override
    public void onStart()
    {
        for (final ArpLayer a : arp)
        {
            if (a != null && a.hasAddress())
            {
                a.announce();
            }
        }
        for (final NdpLayer n : ndp)
        {
            if (n != null)
            {
                n.probeOwnAddresses();
            }
        }
    }

    @Override
    public void onFrame(final PacketBuffer frame)
    {
        link.onFrame(frame);
    }

    private void onArp(final PacketBuffer packet, final IpInterface ifc)
    {
        arp[ifc.ifIndex()].onFrame(packet);
    }

    @Override
    public int onTime()
    {
        final long nowNs = services.time().nanoTime();
        int work = ipv4.onTime() + ipv6.onTime();
        for (final TimerSource t : timerSources)
        {
            work += t.onTime();
        }
        if (nowNs - nextFlowSweep >= 0)
        {
            nextFlowSweep = nowNs + FLOW_SWEEP_NS;
            udp.expireFlows();
        }
        for (final ArpLayer a : arp)
        {
            if (a != null)
            {
                work += a.cache().onTime(nowNs);
            }
        }
        for (final NdpLayer n : ndp)
        {
            if (n != null)
            {
                work += n.cache().onTime(nowNs);
            }
        }
        return work;
    }

    @Override
    public long nextDeadline()
    {
        long next = Math.min(ipv4.nextDeadline(), ipv6.nextDeadline());
        for (final TimerSource t : timerSources)
        {
            next = Math.min(next, t.nextDeadline());
        }
        for (final ArpLayer a : arp)
        {
            if (a != null)
            {
                next = Math.min(next, a.cache().nextDeadline());
            }
        }
        for (final NdpLayer n : ndp)
        {
            if (n != null)
            {
                next = Math.min(next, n.cache().nextDeadline());
            }
        }
        return next;
    }

    @Override
    public void unreachable(final int ifIndex, final long high, final long low)
    {
        for (final Transport t : transports)
        {
            t.onUnreachable(high, low);
        }
    }

    @Override
    public void learned(final int ifIndex, final long high, final long low, final long mac)
    {
        if (applyingControl || services.cores() == 1)
        {
            return;
        }
        // Neighbors are replicated, never shared: tell the other cores (DESIGN.md, "The per-core engine").
        message.putInt(0, ifIndex);
        message.putLong(4, high);
        message.putLong(12, low);
        message.putLong(20, mac);
        services.broadcast(MSG_NEIGHBOR, message, 0, MSG_NEIGHBOR_LENGTH);
    }

    /**
     * @param sink receives one-line notices, such as an address given up as a duplicate (default: stderr).
     */
    public void notices(final Consumer<String> sink)
    {
        this.notices = sink;
    }

    @Override
    public void duplicate(final IpInterface ifc, final long high, final long low)
    {
        notices.accept("interface " + ifc.ifIndex() + ": " + IpAddress.toString(high, low)
            + " is in use by another node (duplicate address detection, RFC 4862 5.4.5): no longer used");
        if (services.cores() > 1)
        {
            message.putInt(0, ifc.ifIndex());
            message.putLong(4, high);
            message.putLong(12, low);
            services.broadcast(MSG_DUPLICATE_ADDRESS, message, 0, MSG_DUPLICATE_ADDRESS_LENGTH);
        }
    }

    /**
     * @param ifIndex an interface.
     * @param address one of its IPv6 addresses.
     * @return true if duplicate address detection gave the address up on this core (RFC 4862 5.4.5).
     */
    public boolean isDuplicate(final int ifIndex, final IpAddress address)
    {
        final IpInterface ifc = ifIndex >= 0 && ifIndex < interfaces.length ? interfaces[ifIndex] : null;
        return ifc != null && ipv6.addresses().isDuplicate(ifc, address.high(), address.low());
    }

    @Override
    public void onControl(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == MSG_DUPLICATE_ADDRESS && length == MSG_DUPLICATE_ADDRESS_LENGTH)
        {
            final int ifIndex = buffer.getInt(offset);
            if (ifIndex >= 0 && ifIndex < interfaces.length && interfaces[ifIndex] != null)
            {
                ipv6.addresses().markDuplicate(interfaces[ifIndex], buffer.getLong(offset + 4), buffer.getLong(offset + 12));
            }
            return;
        }
        if (type == MSG_NEIGHBOR && length == MSG_NEIGHBOR_LENGTH)
        {
            final long high = buffer.getLong(offset + 4);
            final long low = buffer.getLong(offset + 12);
            final NeighborCache cache = cache(buffer.getInt(offset), IpAddress.isIpv4(high, low));
            if (cache != null)
            {
                applyingControl = true;
                try
                {
                    cache.update(high, low, buffer.getLong(offset + 20), true, services.time().nanoTime());
                }
                finally
                {
                    applyingControl = false;
                }
            }
        }
    }

    @Override
    public boolean redispatch(final PacketBuffer datagram, final IpInterface ifc)
    {
        final int owner = classifier.ownerOfDatagram(datagram.buffer(), datagram.offset(), datagram.length(), ifc.ifIndex());
        if (owner == services.coreId())
        {
            return false;
        }
        // Forwarding carries Ethernet frames: put a header back in front of the reassembled datagram.
        link.frame(datagram, EthernetFlyweight.TYPE_IPV4, ifc.mac(), 0);
        redispatched.incrementOrdered();
        services.forward(datagram, owner);
        return true;
    }

    private boolean redispatch6(final PacketBuffer packet, final IpInterface ifc)
    {
        final int owner = classifier.ownerOfPacket6(packet.buffer(), packet.offset(), packet.length(), ifc.ifIndex());
        if (owner == services.coreId())
        {
            return false;
        }
        link.frame(packet, EthernetFlyweight.TYPE_IPV6, ifc.mac(), 0);
        redispatched6.incrementOrdered();
        services.forward(packet, owner);
        return true;
    }

    /**
     * Adds the timers of a layer above (TCP) to this core's duty cycle. Setup time only.
     *
     * @param source the timers.
     */
    public void addTimerSource(final TimerSource source)
    {
        timerSources = Arrays.copyOf(timerSources, timerSources.length + 1);
        timerSources[timerSources.length - 1] = source;
    }

    /**
     * @return this core's services (identity, forwarding).
     */
    public CoreServices services()
    {
        return services;
    }

    /**
     * Registers a transport above both networks (TCP). Setup time only.
     *
     * @param protocol  protocol number.
     * @param transport the transport.
     */
    public void register(final int protocol, final Transport transport)
    {
        ipv4.register(protocol, transport);
        ipv6.register(protocol, transport);
        transports = Arrays.copyOf(transports, transports.length + 1);
        transports[transports.length - 1] = transport;
    }

    /**
     * @param listener told of ICMPv6 Packet Too Big about our packets (TCP). Setup time only.
     */
    public void packetTooBig(final io.flowstack.ip.net.PacketTooBig listener)
    {
        icmp6.packetTooBig(listener);
    }

    /**
     * @return the network layer transports send through (both families).
     */
    public Network network()
    {
        return network;
    }

    /**
     * @return the IPv4 layer.
     */
    public Ipv4Layer ipv4()
    {
        return ipv4;
    }

    /**
     * @return the link layer.
     */
    public EthernetLink link()
    {
        return link;
    }

    /**
     * @return the IPv6 layer.
     */
    public Ipv6Layer ipv6()
    {
        return ipv6;
    }

    /**
     * @param ifIndex interface.
     * @return its Neighbor Discovery, or null (no IPv6 there).
     */
    public NdpLayer ndp(final int ifIndex)
    {
        return ifIndex >= 0 && ifIndex < ndp.length ? ndp[ifIndex] : null;
    }

    /**
     * @return the ICMP layer.
     */
    public IcmpLayer icmp()
    {
        return icmp;
    }

    /**
     * @return the UDP layer (bind endpoints here).
     */
    public UdpLayer udp()
    {
        return udp;
    }

    /**
     * @param ifIndex interface.
     * @return its ARP layer, or null.
     */
    public ArpLayer arp(final int ifIndex)
    {
        return ifIndex >= 0 && ifIndex < arp.length ? arp[ifIndex] : null;
    }

    private NeighborCache cache(final int ifIndex, final boolean ipv4)
    {
        if (ipv4)
        {
            final ArpLayer a = arp(ifIndex);
            return a != null ? a.cache() : null;
        }
        return ifIndex >= 0 && ifIndex < ndp.length && ndp[ifIndex] != null ? ndp[ifIndex].cache() : null;
    }

    /**
     * @return the counters of this core.
     */
    public CounterSet counters()
    {
        return counters;
    }
}
