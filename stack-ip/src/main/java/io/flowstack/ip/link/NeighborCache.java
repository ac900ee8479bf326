package io.flowstack.ip.link;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The neighbor cache of one interface and family on one core, for ARP (RFC 826, RFC 1122 2.3.2) and Neighbor
 * Discovery (RFC 4861 7.3): a fixed table of entries keyed on addresses of either family (two longs,
 * {@link io.flowstack.ip.addr.IpAddress}) with a bounded queue of packets waiting for each unresolved neighbor.
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
         * Send a request (ARP request, neighbor solicitation) for the address.
         *
         * @param high     the neighbor's address, first 64 bits.
         * @param low      the neighbor's address, last 64 bits.
         * @param knownMac the last known MAC to ask by unicast, or 0 to ask the whole link.
         */
        void sendRequest(long high, long low, long knownMac);

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
         * @param high address, first 64 bits.
         * @param low  address, last 64 bits.
         * @param mac  hardware address.
         */
        void learned(long high, long low, long mac);

        /**
         * Nobody answered the requests for an address: its waiting datagrams were dropped (RFC 1122 2.3.2.2,
         * RFC 4861 7.3.3).
         *
         * @param high the neighbor's address, first 64 bits.
         * @param low  the neighbor's address, last 64 bits.
         */
        void unreachable(long high, long low);
    }

    private final int capacity;
    private final int pendingPerNeighbor;
    private final long lifetimeNs;
    private final long retryNs;
    private final int maxRequests;
    private final Listener listener;
    /** Open addressing over slots: slot + 1, 0 for empty; linear probing, backward-shift deletion. */
    private final int[] index;
    private final int indexMask;
    private final long[] highs;
    private final long[] lows;
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
    private int version;
    private long lastExpiry;

    /**
     * @param capacity    number of neighbors.
     * @param lifetimeNs  lifetime of a confirmed entry.
     * @param retryNs     interval between requests.
     * @param maxRequests requests before giving up.
     * @param listener    receives the cache's decisions.
     * @param counters    where counters are allocated.
     * @param declared    the cache's counters as its resolver declares them.
     */
    public NeighborCache(
        final int capacity,
        final long lifetimeNs,
        final long retryNs,
        final int maxRequests,
        final Listener listener,
        final CounterSet counters,
        final NeighborCounters declared)
    {
        this(capacity, PENDING_PER_NEIGHBOR, lifetimeNs, retryNs, maxRequests, listener, counters, declared);
    }

    /**
     * @param capacity           number of neighbors.
     * @param pendingPerNeighbor datagrams held per neighbor while it is resolved.
     * @param lifetimeNs         lifetime of a confirmed entry.
     * @param retryNs            interval between requests.
     * @param maxRequests        requests before giving up.
     * @param listener           receives the cache's decisions.
     * @param counters           where counters are allocated.
     * @param declared           the cache's counters as its resolver declares them.
     */
    public NeighborCache(
        final int capacity,
        final int pendingPerNeighbor,
        final long lifetimeNs,
        final long retryNs,
        final int maxRequests,
        final Listener listener,
        final CounterSet counters,
        final NeighborCounters declared)
    {
        if (capacity <= 0 || pendingPerNeighbor <= 0)
        {
            throw new IllegalArgumentException("bad neighbor limits " + capacity + "/" + pendingPerNeighbor);
        }
        this.capacity = capacity;
        this.pendingPerNeighbor = pendingPerNeighbor;
        this.lifetimeNs = lifetimeNs;
        this.retryNs = retryNs;
        this.maxRequests = maxRequests;
        this.listener = listener;
        this.index = new int[Integer.highestOneBit(Math.max(2, capacity) * 4 - 1)];
        this.indexMask = index.length - 1;
        this.highs = new long[capacity];
        this.lows = new long[capacity];
        this.macs = new long[capacity];
        this.states = new int[capacity];
        this.expires = new long[capacity];
        this.nextRequest = new long[capacity];
        this.requests = new int[capacity];
        this.pending = new PacketBuffer[capacity * pendingPerNeighbor];
        this.pendingCount = new int[capacity];
        this.resolved = counters.counter(declared.resolved());
        this.failed = counters.counter(declared.failed());
        this.pendingDrops = counters.counter(declared.pendingDrops());
        this.tableFull = counters.counter(declared.tableFull());
    }

    /**
     * Looks a neighbor up for sending.
     *
     * @param high  the next hop's address, first 64 bits.
     * @param low   the next hop's address, last 64 bits.
     * @param nowNs current time.
     * @return its MAC, or -1 if unknown (then call {@link #enqueue}).
     */
    public long lookup(final long high, final long low, final long nowNs)
    {
        final int slot = find(high, low);
        if (slot == MISSING || states[slot] != REACHABLE)
        {
            return -1;
        }
        lastExpiry = expires[slot];
        if (nowNs - expires[slot] > 0 && nowNs - nextRequest[slot] >= 0 && requests[slot] == 0)
        {
            // Stale: keep using it, but ask once by unicast (RFC 1122 2.3.2.1 suggests unicast poll).
            requests[slot] = 1;
            nextRequest[slot] = nowNs + retryNs;
            earliest = Math.min(earliest, nextRequest[slot]);
            listener.sendRequest(high, low, macs[slot]);
        }
        return macs[slot];
    }

    /**
     * Holds a datagram until its next hop is resolved, and asks for it if nobody has yet. When the per-neighbor
     * queue is full, the oldest datagram is dropped.
     *
     * @param high     the next hop's address, first 64 bits.
     * @param low      the next hop's address, last 64 bits.
     * @param datagram window at its IP header; the cache takes ownership.
     * @param nowNs    current time.
     */
    public void enqueue(final long high, final long low, final PacketBuffer datagram, final long nowNs)
    {
        int slot = find(high, low);
        if (slot == MISSING)
        {
            slot = allocate(high, low);
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
            listener.sendRequest(high, low, 0);
        }
        final int base = slot * pendingPerNeighbor;
        if (pendingCount[slot] == pendingPerNeighbor)
        {
            pendingDrops.incrementOrdered();
            pending[base].release();
            System.arraycopy(pending, base + 1, pending, base, pendingPerNeighbor - 1);
            pendingCount[slot]--;
        }
        pending[base + pendingCount[slot]++] = datagram;
    }

    /**
     * Records a mapping heard on the wire (RFC 826 "merge"): updates an existing entry, or creates one when
     * {@code create} is set (the packet was meant for us). Releases the datagrams waiting for it, and tells the
     * listener (which replicates the mapping to the other cores) every time.
     *
     * @param high   address, first 64 bits.
     * @param low    address, last 64 bits.
     * @param mac    hardware address.
     * @param create add the neighbor if it is not known yet.
     * @param nowNs  current time.
     */
    public void update(final long high, final long low, final long mac, final boolean create, final long nowNs)
    {
        int slot = find(high, low);
        if (slot == MISSING)
        {
            if (!create)
            {
                return;
            }
            slot = allocate(high, low);
            if (slot == MISSING)
            {
                tableFull.incrementOrdered();
                return;
            }
        }
        final boolean changed = states[slot] != REACHABLE || macs[slot] != mac;
        if (changed)
        {
            version++;
        }
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
        listener.learned(high, low, mac);
        final int base = slot * pendingPerNeighbor;
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
                final long high = highs[slot];
                final long low = lows[slot];
                remove(slot);
                listener.unreachable(high, low);
                continue;
            }
            requests[slot]++;
            nextRequest[slot] = nowNs + retryNs;
            next = Math.min(next, nextRequest[slot]);
            listener.sendRequest(highs[slot], lows[slot], states[slot] == REACHABLE ? macs[slot] : 0);
        }
        earliest = next;
        return work;
    }

    /**
     * @return a number that changes whenever a mapping changes or goes (routes cache answers while it stays).
     */
    public int version()
    {
        return version;
    }

    /**
     * @return until when the entry the last successful {@link #lookup} found is confirmed.
     */
    public long lastExpiry()
    {
        return lastExpiry;
    }

    /**
     * @return the earliest time {@link #onTime} has something to do.
     */
    public long nextDeadline()
    {
        return earliest;
    }

    /**
     * @param high address, first 64 bits.
     * @param low  address, last 64 bits.
     * @return the known MAC, or -1; for inspection (no refresh, unlike {@link #lookup}).
     */
    public long peek(final long high, final long low)
    {
        final int slot = find(high, low);
        return slot == MISSING || states[slot] != REACHABLE ? -1 : macs[slot];
    }

    /**
     * @return number of entries in use.
     */
    public int size()
    {
        return size;
    }

    private int allocate(final long high, final long low)
    {
        if (size == capacity)
        {
            return MISSING;
        }
        for (int slot = 0; slot < capacity; slot++)
        {
            if (states[slot] == FREE)
            {
                highs[slot] = high;
                lows[slot] = low;
                int i = hash(high, low);
                while (index[i] != 0)
                {
                    i = (i + 1) & indexMask;
                }
                index[i] = slot + 1;
                size++;
                return slot;
            }
        }
        return MISSING;
    }

    private int find(final long high, final long low)
    {
        for (int i = hash(high, low); index[i] != 0; i = (i + 1) & indexMask)
        {
            final int slot = index[i] - 1;
            if (lows[slot] == low && highs[slot] == high)
            {
                return slot;
            }
        }
        return MISSING;
    }

    private void unindex(final int slot)
    {
        int i = hash(highs[slot], lows[slot]);
        while (index[i] != slot + 1)
        {
            i = (i + 1) & indexMask;
        }
        // Backward-shift deletion: move later entries of the run into the hole when their home allows it.
        int hole = i;
        for (int j = (i + 1) & indexMask; index[j] != 0; j = (j + 1) & indexMask)
        {
            final int other = index[j] - 1;
            final int home = hash(highs[other], lows[other]);
            if (((j - home) & indexMask) >= ((j - hole) & indexMask))
            {
                index[hole] = index[j];
                hole = j;
            }
        }
        index[hole] = 0;
    }

    private int hash(final long high, final long low)
    {
        final long h = (high * 0xC2B2_AE3D_27D4_EB4FL ^ low) * 0x9E37_79B9_7F4A_7C15L;
        return (int)(h >>> 40) & indexMask;
    }

    private void remove(final int slot)
    {
        final int base = slot * pendingPerNeighbor;
        for (int i = 0; i < pendingCount[slot]; i++)
        {
            pending[base + i].release();
            pending[base + i] = null;
            pendingDrops.incrementOrdered();
        }
        pendingCount[slot] = 0;
        unindex(slot);
        version++;
        states[slot] = FREE;
        requests[slot] = 0;
        size--;
    }
}
