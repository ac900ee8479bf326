package io.flowstack.ip.ndp;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;
import io.flowstack.ip.link.NeighborCounters;

/**
 * The counters of Neighbor Discovery (RFC 4861) and its neighbor cache. All are totals.
 */
public enum NdpCounter implements CounterDescriptor
{
    /** Neighbor solicitations received. */
    RX_SOLICITATIONS("ndp.rx.solicitations", "messages"),
    /** Neighbor advertisements received. */
    RX_ADVERTISEMENTS("ndp.rx.advertisements", "messages"),
    /** Messages failing RFC 4861 7.1.1 or 7.1.2 validation. */
    RX_INVALID("ndp.rx.invalid", "messages"),
    /** Neighbor solicitations sent. */
    TX_SOLICITATIONS("ndp.tx.solicitations", "messages"),
    /** Neighbor advertisements sent. */
    TX_ADVERTISEMENTS("ndp.tx.advertisements", "messages"),
    /** Messages that could not be sent. */
    TX_DROPS("ndp.tx.drops", "messages"),
    /** Duplicate address detection found one of our addresses in use. */
    DAD_CONFLICTS("ndp.dad.conflicts", "events"),
    /** Of those, our optimistic addresses given up as duplicates (RFC 4862 5.4.5). */
    DAD_DUPLICATES("ndp.dad.duplicates", "addresses"),
    /** Neighbors resolved. */
    RESOLVED("ndp.resolved", "neighbors"),
    /** Neighbors that never answered (the packets waiting for them were dropped). */
    FAILED("ndp.failed", "neighbors"),
    /** Packets dropped because the queue of a neighbor being resolved was full. */
    PENDING_DROPS("ndp.pending_drops", "packets"),
    /** Times the neighbor cache had no room for a new entry. */
    TABLE_FULL("ndp.table_full", "events");

    /** The neighbor cache's counters, for {@code NeighborCache}. */
    public static final NeighborCounters CACHE = new NeighborCounters(RESOLVED, FAILED, PENDING_DROPS, TABLE_FULL);

    private final String label;
    private final String unit;

    NdpCounter(final String label, final String unit)
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
