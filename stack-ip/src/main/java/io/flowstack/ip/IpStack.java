package io.flowstack.ip;

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
import io.flowstack.ip.ipv4.Redispatch;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import io.flowstack.core.engine.FrameSink;
import io.flowstack.ip.arp.ArpLayer;
import io.flowstack.ip.arp.NeighborCache;
import io.flowstack.ip.icmp.IcmpLayer;
import io.flowstack.core.time.RateLimiter;
import io.flowstack.ip.ipv4.Ipv4Layer;
import io.flowstack.ip.ipv4.Reassembler;
import io.flowstack.ip.udp.UdpLayer;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * One core's network stack below TCP: Ethernet, ARP, IPv4 with fragmentation and reassembly, ICMP and UDP,
 * assembled as a {@link CoreStack}. Transports above (TCP) register with {@link #ipv4()}.
 */
public final class IpStack implements CoreStack, ArpLayer.Output, Redispatch
{
    /** Control message: a neighbor learned on one core (ifIndex int, address int, mac long). */
    public static final int MSG_NEIGHBOR = 1;
    /** How often flow tables are swept and the owned-flows counter refreshed. */
    public static final long FLOW_SWEEP_NS = 1_000_000_000L;

    /** Neighbors remembered per interface. */
    public static final int NEIGHBOR_CAPACITY = 256;
    /** ICMP errors per second (Linux: about 1000/s with a burst of 50; we are more frugal). */
    public static final int ICMP_ERRORS_PER_SECOND = 100;
    /** ICMP error burst. */
    public static final int ICMP_ERROR_BURST = 20;

    private final IpInterface[] interfaces;
    private final ArpLayer[] arp;
    private final Ipv4Layer ipv4;
    private final IcmpLayer icmp;
    private final UdpLayer udp;
    private final EthernetFlyweight eth = new EthernetFlyweight();
    private final AtomicCounter rxFrames;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxTruncated;
    private final AtomicCounter rxNotForUs;
    private final AtomicCounter rxUnknownType;
    private final AtomicCounter rxNoInterface;
    private final CounterSet counters;
    private final CoreServices services;
    private final FlowClassifier classifier;
    private final AtomicCounter redispatched;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
    private final EthernetFlyweight redispatchEth = new EthernetFlyweight();
    private boolean applyingControl;
    private TimerSource[] timerSources = new TimerSource[0];
    private long nextFlowSweep;

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
        int maxIndex = -1;
        for (final IpInterface ifc : interfaces)
        {
            maxIndex = Math.max(maxIndex, ifc.ifIndex());
        }
        this.services = services;
        this.classifier = new FlowClassifier(ownership);
        this.interfaces = new IpInterface[maxIndex + 1];
        this.arp = new ArpLayer[maxIndex + 1];
        final NeighborCache[] caches = new NeighborCache[maxIndex + 1];
        for (final IpInterface ifc : interfaces)
        {
            if (this.interfaces[ifc.ifIndex()] != null)
            {
                throw new IllegalArgumentException("two interfaces with index " + ifc.ifIndex());
            }
            this.interfaces[ifc.ifIndex()] = ifc;
            arp[ifc.ifIndex()] = new ArpLayer(ifc, pool, sink, this, NEIGHBOR_CAPACITY, counters, services.time());
            caches[ifc.ifIndex()] = arp[ifc.ifIndex()].cache();
        }
        this.counters = counters;
        final Reassembler reassembler = new Reassembler(
            pool,
            Reassembler.DEFAULT_MAX_DATAGRAMS,
            Reassembler.DEFAULT_MAX_FRAGMENTS_PER_DATAGRAM,
            Reassembler.DEFAULT_TIMEOUT_NS,
            counters);
        this.ipv4 = new Ipv4Layer(this.interfaces, caches, pool, sink, reassembler, services.coreId(),
            services.cores(), counters, services.time());
        this.icmp = new IcmpLayer(ipv4, pool, new RateLimiter(ICMP_ERRORS_PER_SECOND, ICMP_ERROR_BURST), counters);
        this.udp = new UdpLayer(ipv4, icmp, pool, counters, ownership);
        if ((protocolClasses & (1 << FlowOwnership.CLASS_ICMP)) != 0)
        {
            ipv4.register(Ipv4Flyweight.PROTO_ICMP, icmp);
        }
        if ((protocolClasses & (1 << FlowOwnership.CLASS_UDP)) != 0)
        {
            ipv4.register(Ipv4Flyweight.PROTO_UDP, udp);
        }
        ipv4.unknownProtocolHandler(icmp.protocolUnreachableHandler());
        ipv4.reassemblyTimeoutHandler(icmp.reassemblyTimeoutHandler());
        if (services.cores() > 1)
        {
            ipv4.redispatch(this);
        }
        rxFrames = counters.counter("eth.rx.frames");
        rxDrops = counters.counter(CounterSet.RX_DROPS);
        rxTruncated = counters.counter("eth.rx.truncated");
        rxNotForUs = counters.counter("eth.rx.not_for_us");
        rxUnknownType = counters.counter("eth.rx.unknown_type");
        rxNoInterface = counters.counter("eth.rx.no_interface");
        redispatched = counters.counter("ipv4.reasm.redispatched");
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
        java.util.Arrays.fill(designated, FlowOwnership.HASHED);
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
            if (a != null)
            {
                a.announce();
            }
        }
    }

    @Override
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
        if (destination != ifc.mac() && destination != EthernetFlyweight.BROADCAST)
        {
            drop(frame, rxNotForUs);
            return;
        }
        switch (eth.etherType())
        {
            case EthernetFlyweight.TYPE_IPV4 ->
            {
                frame.advance(EthernetFlyweight.HEADER_LENGTH);
                ipv4.onDatagram(frame, ifc);
            }
            case EthernetFlyweight.TYPE_ARP -> arp[ifIndex].onFrame(frame);
            default -> drop(frame, rxUnknownType);
        }
    }

    @Override
    public int onTime()
    {
        final long nowNs = services.time().nanoTime();
        int work = ipv4.onTime();
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
        return work;
    }

    @Override
    public long nextDeadline()
    {
        long next = ipv4.nextDeadline();
        for (final TimerSource t : timerSources)
        {
            next = Math.min(next, t.nextDeadline());
        }
        for (final ArpLayer a : arp)
        {
            if (a != null)
            {
                final long d = a.cache().nextDeadline();
                if (d < next)
                {
                    next = d;
                }
            }
        }
        return next;
    }

    @Override
    public void sendResolved(final PacketBuffer datagram, final long mac)
    {
        ipv4.transmitTo(datagram, mac);
    }

    @Override
    public void unreachable(final int ifIndex, final int address)
    {
        ipv4.unreachable(address);
    }

    @Override
    public void learned(final int ifIndex, final int address, final long mac)
    {
        if (applyingControl || services.cores() == 1)
        {
            return;
        }
        // Neighbors are replicated, never shared: tell the other cores (DESIGN.md, "The per-core engine").
        message.putInt(0, ifIndex);
        message.putInt(4, address);
        message.putLong(8, mac);
        services.broadcast(MSG_NEIGHBOR, message, 0, 16);
    }

    @Override
    public void onControl(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == MSG_NEIGHBOR && length == 16)
        {
            final ArpLayer a = arp(buffer.getInt(offset));
            if (a != null)
            {
                applyingControl = true;
                try
                {
                    a.cache().update(buffer.getInt(offset + 4), buffer.getLong(offset + 8), true, services.time().nanoTime());
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
        final int at = datagram.prepend(EthernetFlyweight.HEADER_LENGTH);
        redispatchEth.wrap(datagram.buffer(), at, datagram.length())
            .destination(ifc.mac())
            .source(0)
            .etherType(EthernetFlyweight.TYPE_IPV4);
        redispatched.incrementOrdered();
        services.forward(datagram, owner);
        return true;
    }

    /**
     * Adds the timers of a layer above (TCP) to this core's duty cycle. Setup time only.
     *
     * @param source the timers.
     */
    public void addTimerSource(final TimerSource source)
    {
        timerSources = java.util.Arrays.copyOf(timerSources, timerSources.length + 1);
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
     * @return the IPv4 layer (transports register here).
     */
    public Ipv4Layer ipv4()
    {
        return ipv4;
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

    /**
     * @return the counters of this core.
     */
    public CounterSet counters()
    {
        return counters;
    }

    private void drop(final PacketBuffer frame, final AtomicCounter reason)
    {
        reason.incrementOrdered();
        rxDrops.incrementOrdered();
        frame.release();
    }
}
