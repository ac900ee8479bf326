package io.flowstack.ip.arp;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;
import io.flowstack.ip.link.NeighborCache;
import io.flowstack.ip.link.NeighborCounters;

/**
 * The counters of ARP (RFC 826) and the neighbor cache. All are totals.
 */
public enum ArpCounter implements CounterDescriptor
{
    /** ARP frames received. */
    RX_FRAMES("arp.rx.frames", "frames"),
    /** ARP frames that are malformed or not Ethernet/IPv4. */
    RX_BAD("arp.rx.bad", "frames"),
    /** Requests for one of our addresses. */
    RX_REQUESTS_FOR_US("arp.rx.requests_for_us", "frames"),
    /** Frames from another host claiming one of our addresses. */
    RX_ADDRESS_CONFLICTS("arp.rx.address_conflicts", "frames"),
    /** Replies sent. */
    TX_REPLIES("arp.tx.replies", "frames"),
    /** Requests sent. */
    TX_REQUESTS("arp.tx.requests", "frames"),
    /** ARP frames that could not be sent (no buffer). */
    TX_DROPS("arp.tx.drops", "frames"),
    /** Neighbors resolved. */
    RESOLVED("arp.resolved", "neighbors"),
    /** Neighbors that never answered (the datagrams waiting for them were dropped). */
    FAILED("arp.failed", "neighbors"),
    /** Datagrams dropped because the queue of a neighbor being resolved was full. */
    PENDING_DROPS("arp.pending_drops", "datagrams"),
    /** Times the neighbor cache had no room for a new entry. */
    TABLE_FULL("arp.table_full", "events");

    /** The neighbor cache's counters, for {@link NeighborCache}. */
    public static final NeighborCounters CACHE = new NeighborCounters(RESOLVED, FAILED, PENDING_DROPS, TABLE_FULL);

    private final String label;
    private final String unit;

    ArpCounter(final String label, final String unit)
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
