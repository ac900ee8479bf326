package io.flowstack.core.flow;

import io.flowstack.core.wire.AddressBits;

/**
 * Flows kept with the core that holds their state when the indirection table moves their bucket elsewhere: an
 * exact-match exception to the table for one inbound tuple (protocol, source, destination, source port,
 * destination port) of either family. {@link FlowOwnership} consults them, before the table, for flows with ports.
 * Addresses are two longs each ({@link AddressBits}: an IPv4 address as its IPv4-mapped form), so one table holds
 * both families and a lookup allocates nothing.
 * <p>
 * An open-addressing table with linear probing over primitive arrays (no allocation per lookup or change),
 * deletion by backward shift (no tombstones), sized at construction.
 * <p>
 * Not thread-safe: each core holds its own copy, changed by messages like the table itself.
 */
public final class FlowPins
{
    /** Default number of pins a table holds. */
    public static final int DEFAULT_CAPACITY = 1 << 14;

    private final int capacity;
    private final int mask;
    private final long[] sourceHigh;
    private final long[] sourceLow;
    private final long[] destinationHigh;
    private final long[] destinationLow;
    private final int[] ports;
    /** {@code protocol << 16 | core + 1}; 0 marks a free slot. */
    private final int[] values;
    private int size;

    /** Receives the pins one by one. */
    @FunctionalInterface
    public interface Visitor
    {
        /**
         * @param protocol        IP protocol.
         * @param sourceHigh      source address (the remote side), first 64 bits.
         * @param sourceLow       source address, last 64 bits.
         * @param destinationHigh destination address (ours), first 64 bits.
         * @param destinationLow  destination address, last 64 bits.
         * @param sourcePort      source port.
         * @param destinationPort destination port.
         * @param core            the core the flow stays with.
         */
        void pin(int protocol, long sourceHigh, long sourceLow, long destinationHigh, long destinationLow,
            int sourcePort, int destinationPort, int core);
    }

    /**
     * @param capacity most pins held (the slots are twice as many, a power of two).
     */
    public FlowPins(final int capacity)
    {
        if (capacity < 1 || capacity > 1 << 24)
        {
            throw new IllegalArgumentException("pin capacity must be 1.." + (1 << 24) + ", got " + capacity);
        }
        this.capacity = capacity;
        final int slots = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.mask = slots - 1;
        this.sourceHigh = new long[slots];
        this.sourceLow = new long[slots];
        this.destinationHigh = new long[slots];
        this.destinationLow = new long[slots];
        this.ports = new int[slots];
        this.values = new int[slots];
    }

    /**
     * @return pins held.
     */
    public int size()
    {
        return size;
    }

    /**
     * @return most pins held.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Pins an IPv4 flow to a core, or moves an existing pin.
     *
     * @param protocol        IP protocol.
     * @param source          source address.
     * @param destination     destination address.
     * @param sourcePort      source port.
     * @param destinationPort destination port.
     * @param core            the core, 0..65534.
     * @return false when the table is full (the flow is not pinned).
     */
    public boolean pin(final int protocol, final int source, final int destination, final int sourcePort,
        final int destinationPort, final int core)
    {
        return pin(protocol, 0, AddressBits.ipv4Low(source), 0, AddressBits.ipv4Low(destination), sourcePort,
            destinationPort, core);
    }

    /**
     * Pins a flow of either family to a core, or moves an existing pin.
     *
     * @param protocol        IP protocol.
     * @param sh              source address, first 64 bits.
     * @param sl              source address, last 64 bits.
     * @param dh              destination address, first 64 bits.
     * @param dl              destination address, last 64 bits.
     * @param sourcePort      source port.
     * @param destinationPort destination port.
     * @param core            the core, 0..65534.
     * @return false when the table is full (the flow is not pinned).
     */
    public boolean pin(final int protocol, final long sh, final long sl, final long dh, final long dl,
        final int sourcePort, final int destinationPort, final int core)
    {
        if (core < 0 || core > 0xFFFE)
        {
            throw new IllegalArgumentException("core must be 0..65534, got " + core);
        }
        final int portPair = portPair(sourcePort, destinationPort);
        final int slot = find(protocol, sh, sl, dh, dl, portPair);
        final int value = (protocol & 0xFF) << 16 | (core + 1);
        if (values[slot] != 0)
        {
            values[slot] = value;
            return true;
        }
        if (size == capacity)
        {
            return false;
        }
        sourceHigh[slot] = sh;
        sourceLow[slot] = sl;
        destinationHigh[slot] = dh;
        destinationLow[slot] = dl;
        ports[slot] = portPair;
        values[slot] = value;
        size++;
        return true;
    }

    /**
     * Removes a pin.
     *
     * @param protocol        IP protocol.
     * @param sh              source address, first 64 bits.
     * @param sl              source address, last 64 bits.
     * @param dh              destination address, first 64 bits.
     * @param dl              destination address, last 64 bits.
     * @param sourcePort      source port.
     * @param destinationPort destination port.
     * @return false when the flow was not pinned.
     */
    public boolean unpin(final int protocol, final long sh, final long sl, final long dh, final long dl,
        final int sourcePort, final int destinationPort)
    {
        int slot = find(protocol, sh, sl, dh, dl, portPair(sourcePort, destinationPort));
        if (values[slot] == 0)
        {
            return false;
        }
        values[slot] = 0;
        size--;
        // Backward shift: move later entries of the run into the hole when their home allows it.
        int next = (slot + 1) & mask;
        while (values[next] != 0)
        {
            final int home = home(values[next] >>> 16, sourceHigh[next], sourceLow[next], destinationHigh[next],
                destinationLow[next], ports[next]);
            if (((next - home) & mask) >= ((next - slot) & mask))
            {
                sourceHigh[slot] = sourceHigh[next];
                sourceLow[slot] = sourceLow[next];
                destinationHigh[slot] = destinationHigh[next];
                destinationLow[slot] = destinationLow[next];
                ports[slot] = ports[next];
                values[slot] = values[next];
                values[next] = 0;
                slot = next;
            }
            next = (next + 1) & mask;
        }
        return true;
    }

    /**
     * @param protocol        IP protocol.
     * @param source          IPv4 source address.
     * @param destination     IPv4 destination address.
     * @param sourcePort      source port.
     * @param destinationPort destination port.
     * @return the core the flow is pinned to, or -1.
     */
    public int core(final int protocol, final int source, final int destination, final int sourcePort,
        final int destinationPort)
    {
        return core(protocol, 0, AddressBits.ipv4Low(source), 0, AddressBits.ipv4Low(destination), sourcePort,
            destinationPort);
    }

    /**
     * @param protocol        IP protocol.
     * @param sh              source address, first 64 bits.
     * @param sl              source address, last 64 bits.
     * @param dh              destination address, first 64 bits.
     * @param dl              destination address, last 64 bits.
     * @param sourcePort      source port.
     * @param destinationPort destination port.
     * @return the core the flow is pinned to, or -1.
     */
    public int core(final int protocol, final long sh, final long sl, final long dh, final long dl,
        final int sourcePort, final int destinationPort)
    {
        if (size == 0)
        {
            return -1;
        }
        final int slot = find(protocol, sh, sl, dh, dl, portPair(sourcePort, destinationPort));
        return values[slot] == 0 ? -1 : (values[slot] & 0xFFFF) - 1;
    }

    /**
     * Visits every pin (order unspecified). Do not change the pins from the visitor.
     *
     * @param visitor receives each pin.
     */
    public void forEach(final Visitor visitor)
    {
        for (int slot = 0; slot <= mask; slot++)
        {
            final int value = values[slot];
            if (value != 0)
            {
                visitor.pin(value >>> 16, sourceHigh[slot], sourceLow[slot], destinationHigh[slot],
                    destinationLow[slot], ports[slot] >>> 16, ports[slot] & 0xFFFF, (value & 0xFFFF) - 1);
            }
        }
    }

    /**
     * Removes every pin.
     */
    public void clear()
    {
        java.util.Arrays.fill(values, 0);
        size = 0;
    }

    private static int portPair(final int sourcePort, final int destinationPort)
    {
        return (sourcePort & 0xFFFF) << 16 | (destinationPort & 0xFFFF);
    }

    /** The slot holding the tuple, or the free slot where it would go. */
    private int find(final int protocol, final long sh, final long sl, final long dh, final long dl,
        final int portPair)
    {
        int slot = home(protocol & 0xFF, sh, sl, dh, dl, portPair);
        while (true)
        {
            final int value = values[slot];
            if (value == 0 || (sourceLow[slot] == sl && destinationLow[slot] == dl && ports[slot] == portPair
                && sourceHigh[slot] == sh && destinationHigh[slot] == dh && value >>> 16 == (protocol & 0xFF)))
            {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private int home(final int protocol, final long sh, final long sl, final long dh, final long dl,
        final int portPair)
    {
        long h = (sh * 0x9E3779B97F4A7C15L ^ sl) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ dh) * 0x9E3779B97F4A7C15L ^ dl;
        h = (h ^ portPair) * 0xC2B2AE3D27D4EB4FL ^ protocol;
        h ^= h >>> 29;
        h *= 0x94D049BB133111EBL;
        return (int)(h ^ h >>> 32) & mask;
    }
}
