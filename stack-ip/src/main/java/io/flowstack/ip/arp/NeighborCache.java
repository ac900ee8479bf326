package io.flowstack.ip.arp;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The IPv4 neighbor cache of one interface on one core (RFC 826, RFC 1122 2.3.2): a fixed table of entries
 * with a bounded queue of datagrams waiting for each unresolved neighbor.
 * <p>
 * An entry is INCOMPLETE while a request is outstanding (retried every {@code retryNs}, given up after
 * {@code maxRequests}), then REACHABLE until {@code lifetimeNs} after its last confirmation. Past that it is
 * still used while a refresh request goes out (like Linux's STALE), and removed if nobody answers. The cache
 * itself sends nothing: it tells its {@link Listener} what to send and which waiting datagrams to release.
 */
public final class NeighborCache
{
    /** Default lifetime of a confirmed entry. */
    public static final long DEFAULT_LIFETIME_NS = 60_000_000_000L;
    /** Default interval between requests for one neighbor (RFC 1122 2.3.2.1: at most one per second). */
    public static final long DEFAULT_RETRY_NS = 1_000_000_000L;
    /** Default number of requests before giving up. */
    public static final int DEFAULT_MAX_REQUESTS = 3;
    /** Datagrams held per unresolved neighbor (RFC 1122 2.3.2.2 asks for at least one). */
    public static final int PENDING_PER_NEIGHBOR = 32;

    private static final int FREE = 0;
    private static final int INCOMPLETE = 1;
    private static final int REACHABLE = 2;
    private static final int MISSING = -1;

    /** What the cache asks its owner to do. */
    public interface Listener
    {
        /**
         * Send an ARP request for the address.
         *
         * @param address the neighbor's IPv4 address.
         * @param knownMac the last known MAC to ask by unicast, or 0 to broadcast.
         */
        void sendRequest(int address, long knownMac);

        /**
         * A waiting datagram can go now.
         *
         * @param datagram window at its IP header, as it was queued.
         * @param mac the resolved hardware address.
         */
        void sendResolved(PacketBuffer datagram, long mac);

        /**
         * The mapping of an address was learned, changed or confirmed (for replication to other cores).
         *
         * @param address IPv4 address.
         * @param mac hardware address.
         */
        void learned(int address, long mac);

        /**
         * Nobody answered the requests for an address: its waiting datagrams were dropped (RFC 1122 2.3.2.2).
         *
         * @param address the neighbor's IPv4 address.
         */
        void unreachable(int address);
    }

    private final int capacity;
    private final long lifetimeNs;
    private final long retryNs;
    private final int maxRequests;
    private final Listener listener;
    private final Int2IntHashMap index;
    private final int[] addresses;
    private final long[] macs;
    private final int[] states;
    private final long[] expires;
    private final long[] nextRequest;
    private final int[] requests;
    private final PacketBuffer[] pending;
    private final int[] pendingCount;
    private final AtomicCounter resolved;
    private final AtomicCounter failed;
    private final AtomicCounter pendingDrops;
    private final AtomicCounter tableFull;
    private int size;
    private long earliest = Long.MAX_VALUE;

    /**
     * @param capacity    number of neighbors.
     * @param lifetimeNs  lifetime of a confirmed entry.
     * @param retryNs     interval between requests.
     * @param maxRequests requests before giving up.
     * @param listener    receives the cache's decisions.
     * @param counters    where counters are allocated.
     */
    public NeighborCache(
        final int capacity,
        final long lifetimeNs,
        final long retryNs,
        final int maxRequests,
        final Listener listener,
        final CounterSet counters)
    {
        this.capacity = capacity;
        this.lifetimeNs = lifetimeNs;
        this.retryNs = retryNs;
        this.maxRequests = maxRequests;
        this.listener = listener;
        this.index = new Int2IntHashMap(capacity * 2, 0.5f, MISSING);
        this.addresses = new int[capacity];
        this.macs = new long[capacity];
        this.states = new int[capacity];
        this.expires = new long[capacity];
        this.nextRequest = new long[capacity];
        this.requests = new int[capacity];
        this.pending = new PacketBuffer[capacity * PENDING_PER_NEIGHBOR];
        this.pendingCount = new int[capacity];
        this.resolved = counters.counter("arp.resolved");
        this.failed = counters.counter("arp.failed");
        this.pendingDrops = counters.counter("arp.pending_drops");
        this.tableFull = counters.counter("arp.table_full");
    }

    /**
     * Looks a neighbor up for sending.
     *
     * @param address IPv4 address of the next hop.
     * @param nowNs   current time.
     * @return its MAC, or -1 if unknown (then call {@link #enqueue}).
     */
    public long lookup(final int address, final long nowNs)
    {
        final int slot = index.get(address);
        if (slot == MISSING || states[slot] != REACHABLE)
        {
            return -1;
        }
        if (nowNs - expires[slot] > 0 && nowNs - nextRequest[slot] >= 0 && requests[slot] == 0)
        {
            // Stale: keep using it, but ask once by unicast (RFC 1122 2.3.2.1 suggests unicast poll).
            requests[slot] = 1;
            nextRequest[slot] = nowNs + retryNs;
            earliest = Math.min(earliest, nextRequest[slot]);
            listener.sendRequest(address, macs[slot]);
        }
        return macs[slot];
    }

    /**
     * Holds a datagram until its next hop is resolved, and asks for it if nobody has yet. When the per-neighbor
     * queue is full, the oldest datagram is dropped.
     *
     * @param address  IPv4 address of the next hop.
     * @param datagram window at its IP header; the cache takes ownership.
     * @param nowNs    current time.
     */
    public void enqueue(final int address, final PacketBuffer datagram, final long nowNs)
    {
        int slot = index.get(address);
        if (slot == MISSING)
        {
            slot = allocate(address);
            if (slot == MISSING)
            {
                tableFull.incrementOrdered();
                datagram.release();
                return;
            }
            states[slot] = INCOMPLETE;
            requests[slot] = 1;
            nextRequest[slot] = nowNs + retryNs;
            earliest = Math.min(earliest, nextRequest[slot]);
            listener.sendRequest(address, 0);
        }
        final int base = slot * PENDING_PER_NEIGHBOR;
        if (pendingCount[slot] == PENDING_PER_NEIGHBOR)
        {
            pendingDrops.incrementOrdered();
            pending[base].release();
            System.arraycopy(pending, base + 1, pending, base, PENDING_PER_NEIGHBOR - 1);
            pendingCount[slot]--;
        }
        pending[base + pendingCount[slot]++] = datagram;
    }

    /**
     * Records a mapping heard on the wire (RFC 826 "merge"): updates an existing entry, or creates one when
     * {@code create} is set (the packet was meant for us). Releases the datagrams waiting for it, and tells the
     * listener (which replicates the mapping to the other cores) every time.
     *
     * @param address IPv4 address.
     * @param mac     hardware address.
     * @param create  add the neighbor if it is not known yet.
     * @param nowNs   current time.
     */
    public void update(final int address, final long mac, final boolean create, final long nowNs)
    {
        int slot = index.get(address);
        if (slot == MISSING)
        {
            if (!create)
            {
                return;
            }
            slot = allocate(address);
            if (slot == MISSING)
            {
                tableFull.incrementOrdered();
                return;
            }
        }
        final boolean changed = states[slot] != REACHABLE || macs[slot] != mac;
        states[slot] = REACHABLE;
        macs[slot] = mac;
        expires[slot] = nowNs + lifetimeNs;
        requests[slot] = 0;
        nextRequest[slot] = nowNs;
        if (changed)
        {
            resolved.incrementOrdered();
        }
        // Every confirmation, not only a change: another core whose entry expired may be the one that asked, and
        // the answer reaches only the core that takes ARP (the listener does not pass on what came by message).
        listener.learned(address, mac);
        final int base = slot * PENDING_PER_NEIGHBOR;
        final int n = pendingCount[slot];
        pendingCount[slot] = 0;
        for (int i = 0; i < n; i++)
        {
            final PacketBuffer d = pending[base + i];
            pending[base + i] = null;
            listener.sendResolved(d, mac);
        }
    }

    /**
     * Retries outstanding requests and removes entries that nobody confirmed.
     *
     * @param nowNs current time.
     * @return work done.
     */
    public int onTime(final long nowNs)
    {
        if (earliest == Long.MAX_VALUE || nowNs - earliest < 0)
        {
            return 0;
        }
        int work = 0;
        long next = Long.MAX_VALUE;
        for (int slot = 0; slot < capacity; slot++)
        {
            if (states[slot] == FREE || requests[slot] == 0)
            {
                continue;
            }
            if (nowNs - nextRequest[slot] < 0)
            {
                next = Math.min(next, nextRequest[slot]);
                continue;
            }
            work++;
            if (requests[slot] >= maxRequests)
            {
                failed.incrementOrdered();
                final int address = addresses[slot];
                remove(slot);
                listener.unreachable(address);
                continue;
            }
            requests[slot]++;
            nextRequest[slot] = nowNs + retryNs;
            next = Math.min(next, nextRequest[slot]);
            listener.sendRequest(addresses[slot], states[slot] == REACHABLE ? macs[slot] : 0);
        }
        earliest = next;
        return work;
    }

    /**
     * @return the earliest time {@link #onTime} has something to do.
     */
    public long nextDeadline()
    {
        return earliest;
    }

    /**
     * @param address IPv4 address.
     * @return the known MAC, or -1; for inspection (no refresh, unlike {@link #lookup}).
     */
    public long peek(final int address)
    {
        final int slot = index.get(address);
        return slot == MISSING || states[slot] != REACHABLE ? -1 : macs[slot];
    }

    /**
     * @return number of entries in use.
     */
    public int size()
    {
        return size;
    }

    private int allocate(final int address)
    {
        if (size == capacity)
        {
            return MISSING;
        }
        for (int slot = 0; slot < capacity; slot++)
        {
            if (states[slot] == FREE)
            {
                addresses[slot] = address;
                index.put(address, slot);
                size++;
                return slot;
            }
        }
        return MISSING;
    }

    private void remove(final int slot)
    {
        final int base = slot * PENDING_PER_NEIGHBOR;
        for (int i = 0; i < pendingCount[slot]; i++)
        {
            pending[base + i].release();
            pending[base + i] = null;
            pendingDrops.incrementOrdered();
        }
        pendingCount[slot] = 0;
        index.remove(addresses[slot]);
        states[slot] = FREE;
        requests[slot] = 0;
        size--;
    }
}
