package io.flowstack.ip.ipv6;

/**
 * Path MTUs per destination learned from Packet Too Big (RFC 8201) for what has no route of its own to lower: UDP
 * datagrams, ICMPv6 echo replies, and the first route of a new connection. One core's, bounded: open addressing
 * over primitive arrays, a destination looked up in at most {@value #PROBES} slots; when they are all taken, the
 * entry that expires first gives way. An entry expires {@link #LIFETIME_NS} after the last Packet Too Big that
 * lowered it, so that a path that grew is used again (RFC 8201 4 asks for at least 5 minutes; Linux's default is
 * 10). No allocation per lookup or update.
 */
final class PathMtuCache
{
    /** Destinations held. */
    static final int CAPACITY = 256;
    /** How long a learned path MTU holds (RFC 8201 4: not less than 5 minutes; 10, as Linux's mtu_expires). */
    static final long LIFETIME_NS = 600_000_000_000L;
    private static final int PROBES = 8;
    private static final int MASK = CAPACITY - 1;

    private final long[] highs = new long[CAPACITY];
    private final long[] lows = new long[CAPACITY];
    private final int[] mtus = new int[CAPACITY];
    private final long[] expiries = new long[CAPACITY];
    private int used;

    /**
     * @param high  destination, first 64 bits.
     * @param low   destination, last 64 bits.
     * @param nowNs the core's time.
     * @return the path MTU learned for the destination, or 0 if none holds.
     */
    int get(final long high, final long low, final long nowNs)
    {
        if (used == 0)
        {
            return 0;
        }
        int slot = home(high, low);
        for (int i = 0; i < PROBES && mtus[slot] != 0; i++)
        {
            if (highs[slot] == high && lows[slot] == low)
            {
                return expiries[slot] - nowNs > 0 ? mtus[slot] : 0;
            }
            slot = (slot + 1) & MASK;
        }
        return 0;
    }

    /**
     * Records a lower path MTU for a destination (a higher one than held only once the held one expired: RFC 8201 4,
     * a Packet Too Big never raises the estimate).
     *
     * @param high  destination, first 64 bits.
     * @param low   destination, last 64 bits.
     * @param mtu   the path MTU.
     * @param nowNs the core's time.
     * @return true if the destination's path MTU went down.
     */
    boolean lower(final long high, final long low, final int mtu, final long nowNs)
    {
        int slot = home(high, low);
        int victim = slot;
        for (int i = 0; i < PROBES; i++)
        {
            if (mtus[slot] == 0)
            {
                used++;
                return store(slot, high, low, mtu, nowNs);
            }
            if (highs[slot] == high && lows[slot] == low)
            {
                if (expiries[slot] - nowNs > 0 && mtus[slot] <= mtu)
                {
                    return false;
                }
                return store(slot, high, low, mtu, nowNs);
            }
            if (expiries[slot] - expiries[victim] < 0)
            {
                victim = slot;
            }
            slot = (slot + 1) & MASK;
        }
        return store(victim, high, low, mtu, nowNs);
    }

    /**
     * @return destinations held (expired ones included until they are replaced).
     */
    int size()
    {
        return used;
    }

    private boolean store(final int slot, final long high, final long low, final int mtu, final long nowNs)
    {
        highs[slot] = high;
        lows[slot] = low;
        mtus[slot] = mtu;
        expiries[slot] = nowNs + LIFETIME_NS;
        return true;
    }

    private static int home(final long high, final long low)
    {
        long h = (high * 0x9E3779B97F4A7C15L ^ low) * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        return (int)h & MASK;
    }
}
