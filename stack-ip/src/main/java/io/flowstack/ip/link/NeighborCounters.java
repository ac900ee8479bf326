package io.flowstack.ip.link;

import io.flowstack.core.counter.CounterDescriptor;

/**
 * The counters a {@link NeighborCache} keeps, as its resolver (ARP, Neighbor Discovery) declares them.
 *
 * @param resolved     neighbors resolved.
 * @param failed       neighbors that never answered.
 * @param pendingDrops packets dropped because a neighbor's queue was full.
 * @param tableFull    times the cache had no room for a new entry.
 */
public record NeighborCounters(CounterDescriptor resolved, CounterDescriptor failed, CounterDescriptor pendingDrops,
    CounterDescriptor tableFull)
{
}
