package io.flowstack.core.flow;

import io.flowstack.core.wire.AddressBits;

/**
 * The one ownership function (DESIGN.md, "Ownership and steering"): which core owns a flow. Every path asks it:
 * receive dispatch, re-dispatch after reassembly, the choice of a local port for an outgoing flow, tests.
 * <p>
 * In order: an exact-match {@link SteeringRules steering rule}; the core an interface is designated to
 * (interface per core); a {@link FlowPins pin} that keeps a flow with the core holding its state after a
 * reprogramming moved its bucket; otherwise the Toeplitz hash of the inbound tuple through the indirection table. Cores
 * may run different protocol sets: a core that does not run a protocol takes no hashed flows of it (its buckets
 * go round-robin to the cores that do), though a rule may still steer flows of it there.
 * <p>
 * Each core holds its own copy (built from the same key, table and rules) and is reprogrammed by message, so
 * nothing here is shared between threads.
 */
public final class FlowOwnership
{
    /** An interface whose flows are hashed over the cores rather than designated to one. */
    public static final int HASHED = -1;
    /** Protocol classes that may be enabled per core. */
    public static final int CLASS_ICMP = 0;
    /** UDP. */
    public static final int CLASS_UDP = 1;
    /** TCP. */
    public static final int CLASS_TCP = 2;
    /** Any other IP protocol. */
    public static final int CLASS_OTHER = 3;
    /** Number of protocol classes. */
    public static final int CLASSES = 4;
    /** A core that runs everything. */
    public static final int ALL_CLASSES = (1 << CLASSES) - 1;

    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;

    private final int cores;
    private final ToeplitzHash hash;
    private final IndirectionTable table;
    private final SteeringRules rules;
    private final int[] interfaceCore;
    private final int[] coreClasses;
    private final IndirectionTable[] classTables = new IndirectionTable[CLASSES];
    private final LocalPortSelector[] selectors = new LocalPortSelector[CLASSES];
    private final LocalPortSelector[] selectors6 = new LocalPortSelector[CLASSES];
    private final FlowPins pins;
    private final PinnedOrInUse pinnedOrInUse = new PinnedOrInUse();

    /**
     * @param cores         number of cores.
     * @param hash          the Toeplitz hash (its key).
     * @param table         the indirection table (copied).
     * @param rules         steering rules checked first.
     * @param interfaceCore per ifIndex: the designated core, or {@link #HASHED}.
     * @param coreClasses   per core: bit mask of the protocol classes it runs ({@link #ALL_CLASSES} for all).
     */
    public FlowOwnership(
        final int cores,
        final ToeplitzHash hash,
        final IndirectionTable table,
        final SteeringRules rules,
        final int[] interfaceCore,
        final int[] coreClasses)
    {
        this(cores, hash, table, rules, interfaceCore, coreClasses, FlowPins.DEFAULT_CAPACITY);
    }

    private FlowOwnership(
        final int cores,
        final ToeplitzHash hash,
        final IndirectionTable table,
        final SteeringRules rules,
        final int[] interfaceCore,
        final int[] coreClasses,
        final int pinCapacity)
    {
        if (coreClasses.length != cores)
        {
            throw new IllegalArgumentException("need protocol classes for " + cores + " cores");
        }
        for (int k = 0; k < CLASSES; k++)
        {
            boolean someone = false;
            for (final int c : coreClasses)
            {
                someone |= (c & (1 << k)) != 0;
            }
            if (!someone)
            {
                throw new IllegalArgumentException("no core runs protocol class " + className(k));
            }
        }
        this.cores = cores;
        this.hash = hash;
        this.table = table.copy();
        this.rules = rules;
        this.interfaceCore = interfaceCore.clone();
        this.coreClasses = coreClasses.clone();
        this.pins = new FlowPins(pinCapacity);
        for (int k = 0; k < CLASSES; k++)
        {
            classTables[k] = new IndirectionTable(table.size());
        }
        rebuildClassTables();
    }

    /**
     * @param k a protocol class.
     * @return its name.
     */
    public static String className(final int k)
    {
        return switch (k)
        {
            case CLASS_ICMP -> "icmp";
            case CLASS_UDP -> "udp";
            case CLASS_TCP -> "tcp";
            default -> "other";
        };
    }

    /**
     * @param protocol IP protocol number.
     * @return its protocol class.
     */
    public static int classOf(final int protocol)
    {
        return switch (protocol)
        {
            case PROTO_ICMP -> CLASS_ICMP;
            case PROTO_UDP -> CLASS_UDP;
            case PROTO_TCP -> CLASS_TCP;
            default -> CLASS_OTHER;
        };
    }

    /**
     * Owner of an inbound flow with ports (TCP, UDP), or of a reassembled datagram on its full tuple.
     *
     * @param ifIndex         interface it arrived on.
     * @param protocol        IP protocol.
     * @param source          source address (the remote side).
     * @param destination     destination address (ours).
     * @param sourcePort      source port.
     * @param destinationPort destination port.
     * @return the owning core.
     */
    public int ownerOfFlow(
        final int ifIndex,
        final int protocol,
        final int source,
        final int destination,
        final int sourcePort,
        final int destinationPort)
    {
        final int steered = rules.match(protocol, 0, AddressBits.ipv4Low(destination), destinationPort);
        if (steered >= 0)
        {
            return steered;
        }
        final int designated = designated(ifIndex);
        if (designated >= 0)
        {
            return designated;
        }
        if (pins.size() != 0)
        {
            final int pinned = pins.core(protocol, source, destination, sourcePort, destinationPort);
            if (pinned >= 0)
            {
                return pinned;
            }
        }
        return classTables[classOf(protocol)].core(hash.hashIpv4(source, destination, sourcePort, destinationPort));
    }

    /**
     * Owner of an IPv6 flow by its 4-tuple (addresses as two longs each), in the same order as
     * {@link #ownerOfFlow}: steering rules, the designated core, pins, the hash.
     *
     * @param ifIndex         interface it arrived on.
     * @param protocol        upper-layer protocol.
     * @param sh              source (the remote side), first 64 bits.
     * @param sl              source, last 64 bits.
     * @param dh              destination (ours), first 64 bits.
     * @param dl              destination, last 64 bits.
     * @param sourcePort      source port.
     * @param destinationPort destination port.
     * @return the owning core.
     */
    public int ownerOfFlow6(final int ifIndex, final int protocol, final long sh, final long sl, final long dh,
        final long dl, final int sourcePort, final int destinationPort)
    {
        final int steered = rules.match(protocol, dh, dl, destinationPort);
        if (steered >= 0)
        {
            return steered;
        }
        final int designated = designated(ifIndex);
        if (designated >= 0)
        {
            return designated;
        }
        if (pins.size() != 0)
        {
            final int pinned = pins.core(protocol, sh, sl, dh, dl, sourcePort, destinationPort);
            if (pinned >= 0)
            {
                return pinned;
            }
        }
        return classTables[classOf(protocol)].core(hash.hashIpv6(sh, sl, dh, dl, sourcePort, destinationPort));
    }

    /**
     * Owner of an IPv6 packet hashed on its addresses only (fragments, protocols without ports).
     *
     * @param ifIndex  interface it arrived on.
     * @param protocol upper-layer protocol.
     * @param sh       source, first 64 bits.
     * @param sl       source, last 64 bits.
     * @param dh       destination, first 64 bits.
     * @param dl       destination, last 64 bits.
     * @return the owning core.
     */
    public int ownerOfAddresses6(final int ifIndex, final int protocol, final long sh, final long sl, final long dh,
        final long dl)
    {
        final int steered = rules.match(protocol, dh, dl, -1);
        if (steered >= 0)
        {
            return steered;
        }
        final int designated = designated(ifIndex);
        if (designated >= 0)
        {
            return designated;
        }
        return classTables[classOf(protocol)].core(hash.hashIpv6(sh, sl, dh, dl));
    }

    /**
     * As {@link #selectLocalPort}, for an IPv6 flow (addresses as two longs each).
     *
     * @param core       the connecting core.
     * @param ifIndex    interface the flow leaves by.
     * @param protocol   UDP or TCP.
     * @param localHigh  our address, first 64 bits.
     * @param localLow   our address, last 64 bits.
     * @param remoteHigh the peer's address, first 64 bits.
     * @param remoteLow  the peer's address, last 64 bits.
     * @param remotePort the peer's port.
     * @param minPort    lowest port to use.
     * @param maxPort    highest port to use.
     * @param start      where to start looking.
     * @param inUse      says which ports are taken.
     * @return a port, or -1 if none is free.
     */
    public int selectLocalPort6(final int core, final int ifIndex, final int protocol, final long localHigh,
        final long localLow, final long remoteHigh, final long remoteLow, final int remotePort, final int minPort,
        final int maxPort, final int start, final LocalPortSelector.PortInUse inUse)
    {
        final int designated = designated(ifIndex);
        if (designated >= 0 || cores == 1)
        {
            return designated >= 0 && designated != core ? -1 : scan(minPort, maxPort, start, inUse);
        }
        final LocalPortSelector.PortInUse taken = pins.size() == 0 ? inUse
            : pinnedOrInUse.of(protocol, localHigh, localLow, remoteHigh, remoteLow, remotePort, inUse);
        final int port = selectors6[classOf(protocol)].select6(core, localHigh, localLow, remoteHigh, remoteLow,
            remotePort, minPort, maxPort, start, taken);
        return ruledElsewhere(core, protocol, localHigh, localLow, port) ? -1 : port;
    }

    /**
     * Owner of a datagram hashed on addresses only: every fragment (first included, so that one core holds all
     * of a datagram's fragments) and protocols without ports.
     *
     * @param ifIndex     interface it arrived on.
     * @param protocol    IP protocol.
     * @param source      source address.
     * @param destination destination address.
     * @return the owning core.
     */
    public int ownerOfAddresses(final int ifIndex, final int protocol, final int source, final int destination)
    {
        final int steered = rules.match(protocol, 0, AddressBits.ipv4Low(destination), -1);
        if (steered >= 0)
        {
            return steered;
        }
        final int designated = designated(ifIndex);
        if (designated >= 0)
        {
            return designated;
        }
        return classTables[classOf(protocol)].core(hash.hashIpv4(source, destination));
    }

    /**
     * Owner of non-IP traffic (ARP) on an interface: its designated core, or core 0. What that core learns it
     * broadcasts to the others.
     *
     * @param ifIndex interface.
     * @return the owning core.
     */
    public int ownerOfNonIp(final int ifIndex)
    {
        final int designated = designated(ifIndex);
        return designated >= 0 ? designated : 0;
    }

    /**
     * Chooses a local port for an outgoing flow so that the peer's replies come back to {@code core}.
     *
     * @param core          the connecting core.
     * @param ifIndex       interface the flow leaves by.
     * @param protocol      IP protocol (UDP or TCP).
     * @param localAddress  our address.
     * @param remoteAddress the peer's address.
     * @param remotePort    the peer's port.
     * @param minPort       lowest port to use.
     * @param maxPort       highest port to use.
     * @param start         where to start looking (randomize it per connect).
     * @param inUse         says which ports are taken.
     * @return a port, or -1 if none is free.
     */
    public int selectLocalPort(
        final int core,
        final int ifIndex,
        final int protocol,
        final int localAddress,
        final int remoteAddress,
        final int remotePort,
        final int minPort,
        final int maxPort,
        final int start,
        final LocalPortSelector.PortInUse inUse)
    {
        final int designated = designated(ifIndex);
        if (designated >= 0 || cores == 1)
        {
            // Every port of this interface comes back to its designated core.
            return designated >= 0 && designated != core ? -1 : scan(minPort, maxPort, start, inUse);
        }
        // A pinned tuple belongs to a live flow of some core: never hand out its port again.
        final LocalPortSelector.PortInUse taken = pins.size() == 0 ? inUse
            : pinnedOrInUse.of(protocol, 0, AddressBits.ipv4Low(localAddress), 0, AddressBits.ipv4Low(remoteAddress),
                remotePort, inUse);
        final int port = selectors[classOf(protocol)].select(
            core, localAddress, remoteAddress, remotePort, minPort, maxPort, start, taken);
        return ruledElsewhere(core, protocol, 0, AddressBits.ipv4Low(localAddress), port) ? -1 : port;
    }

    /** A rule on the local port would override the hash: such ports are not ours to hand out. */
    private boolean ruledElsewhere(final int core, final int protocol, final long localHigh, final long localLow,
        final int port)
    {
        if (port < 0)
        {
            return false;
        }
        final int steered = rules.match(protocol, localHigh, localLow, port);
        return steered >= 0 && steered != core;
    }

    private static int scan(final int minPort, final int maxPort, final int start, final LocalPortSelector.PortInUse inUse)
    {
        final int span = maxPort - minPort + 1;
        for (int i = 0; i < span; i++)
        {
            final int port = minPort + Math.floorMod(start + i, span);
            if (!inUse.test(port))
            {
                return port;
            }
        }
        return -1;
    }

    /**
     * Replaces the indirection table (run-time reprogramming); flows of moved buckets move to their new cores.
     *
     * @param newTable the new table, same size.
     */
    public void reprogram(final IndirectionTable newTable)
    {
        table.copyFrom(newTable);
        rebuildClassTables();
    }

    /**
     * The same function with another table and no pins: what ownership would be after a reprogramming. The copy
     * is never changed, so any thread may read it.
     *
     * @param newTable the table, same size.
     * @return the copy.
     */
    public FlowOwnership withTable(final IndirectionTable newTable)
    {
        if (newTable.size() != table.size())
        {
            throw new IllegalArgumentException("indirection table sizes differ: " + table.size() + " and " + newTable.size());
        }
        return new FlowOwnership(cores, hash, newTable, rules, interfaceCore, coreClasses, 1);
    }

    /**
     * @return this copy's pins (change them only on the thread that owns this copy).
     */
    public FlowPins pins()
    {
        return pins;
    }

    /**
     * @return the steering rules, checked first.
     */
    public SteeringRules rules()
    {
        return rules;
    }

    /**
     * @param ifIndex an interface.
     * @return the core it is designated to, or {@link #HASHED}.
     */
    public int designatedCore(final int ifIndex)
    {
        return designated(ifIndex);
    }

    /**
     * @return buckets in the indirection table.
     */
    public int tableSize()
    {
        return table.size();
    }

    /**
     * The table a protocol class is hashed through: the indirection table, with the buckets of cores that do not
     * run the class given round-robin to cores that do.
     *
     * @param protocolClass one of the {@code CLASS_*} values.
     * @param bucket        a bucket.
     * @return the core that owns hashed flows of that class in that bucket.
     */
    public int coreOfBucket(final int protocolClass, final int bucket)
    {
        return classTables[protocolClass].coreOfBucket(bucket);
    }

    /**
     * @return a copy of the current table.
     */
    public IndirectionTable table()
    {
        return table.copy();
    }

    /**
     * @return the hash.
     */
    public ToeplitzHash hash()
    {
        return hash;
    }

    /**
     * @return number of cores.
     */
    public int cores()
    {
        return cores;
    }

    /**
     * @param core a core.
     * @param protocol an IP protocol.
     * @return true if the core runs that protocol.
     */
    public boolean runs(final int core, final int protocol)
    {
        return (coreClasses[core] & (1 << classOf(protocol))) != 0;
    }

    private int designated(final int ifIndex)
    {
        return ifIndex >= 0 && ifIndex < interfaceCore.length ? interfaceCore[ifIndex] : HASHED;
    }

    private void rebuildClassTables()
    {
        final int size = table.size();
        for (int k = 0; k < CLASSES; k++)
        {
            final int[] runners = new int[cores];
            int n = 0;
            for (int c = 0; c < cores; c++)
            {
                if ((coreClasses[c] & (1 << k)) != 0)
                {
                    runners[n++] = c;
                }
            }
            int next = 0;
            for (int b = 0; b < size; b++)
            {
                final int c = table.coreOfBucket(b);
                if ((coreClasses[c] & (1 << k)) != 0)
                {
                    classTables[k].set(b, c);
                }
                else
                {
                    classTables[k].set(b, runners[next++ % n]);
                }
            }
            selectors[k] = new LocalPortSelector(hash, classTables[k]);
            selectors6[k] = new LocalPortSelector(hash, classTables[k], true);
        }
    }

    /** {@code inUse} plus the ports of pinned tuples; reused so that choosing a port allocates nothing. */
    private final class PinnedOrInUse implements LocalPortSelector.PortInUse
    {
        private int protocol;
        private long localHigh;
        private long localLow;
        private long remoteHigh;
        private long remoteLow;
        private int remotePort;
        private LocalPortSelector.PortInUse inUse;

        LocalPortSelector.PortInUse of(final int protocol, final long localHigh, final long localLow,
            final long remoteHigh, final long remoteLow, final int remotePort, final LocalPortSelector.PortInUse inUse)
        {
            this.protocol = protocol;
            this.localHigh = localHigh;
            this.localLow = localLow;
            this.remoteHigh = remoteHigh;
            this.remoteLow = remoteLow;
            this.remotePort = remotePort;
            this.inUse = inUse;
            return this;
        }

        @Override
        public boolean test(final int port)
        {
            return inUse.test(port) ||
                pins.core(protocol, remoteHigh, remoteLow, localHigh, localLow, remotePort, port) >= 0;
        }
    }
}
