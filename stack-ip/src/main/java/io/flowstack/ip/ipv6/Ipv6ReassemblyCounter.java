package io.flowstack.ip.ipv6;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of IPv6 reassembly (RFC 8200 4.5, RFC 5722). All are totals.
 */
public enum Ipv6ReassemblyCounter implements CounterDescriptor
{
    /** Fragments received. */
    FRAGMENTS("ipv6.reasm.fragments", "fragments"),
    /** Packets reassembled. */
    PACKETS("ipv6.reasm.packets", "packets"),
    /** Fragments overlapping data already held (the packet is dropped with them, RFC 5722). */
    OVERLAPS("ipv6.reasm.overlaps", "fragments"),
    /** Packets given up after 60 s incomplete. */
    TIMEOUTS("ipv6.reasm.timeouts", "packets"),
    /**
     * Fragments refused: no slot free, more than a packet may hold, lengths that contradict the others, or an
     * unfragmentable part too long (the packet is dropped with it).
     */
    REFUSED("ipv6.reasm.refused", "fragments"),
    /** Reassembled packets handed to the core that owns their flow (the hash needs the transport header). */
    REDISPATCHED("ipv6.reasm.redispatched", "packets");

    private final String label;
    private final String unit;

    Ipv6ReassemblyCounter(final String label, final String unit)
    {
        this.label = label;
        this.unit = unit;
    }

    @Override
    public String label()
    {
        return label;
    }

    @Override
    public CounterKind kind()
    {
        return CounterKind.TOTAL;
    }

    @Override
    public String unit()
    {
        return unit;
    }
}
