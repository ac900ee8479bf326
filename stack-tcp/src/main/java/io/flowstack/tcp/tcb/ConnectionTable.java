package io.flowstack.tcp.tcb;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.function.Consumer;

/**
 * The connections of one core, keyed on the whole 4-tuple (local address and port, remote address and port), the
 * addresses of either family as {@link io.flowstack.ip.addr.IpAddress}'s two longs. The tuple is folded into a
 * 64-bit key for a primitive map; tuples that fold to the same key are chained through {@link Tcb#nextInTable}
 * and told apart by comparing the tuple. Nothing is allocated per lookup.
 */
final class ConnectionTable
{
    private final Long2ObjectHashMap<Tcb> buckets = new Long2ObjectHashMap<>();
    private int size;

    static long key(final long localHigh, final long localLow, final int localPort, final long remoteHigh,
        final long remoteLow, final int remotePort)
    {
        // The remote address's low 32 bits (all of an IPv4 address, the interface identifier's end for IPv6) and
        // both ports fill the 64 bits; the rest of both addresses is mixed in by multiplication (collisions are
        // rare, and the chain resolves them).
        final long ports = (long)(remotePort & 0xFFFF) << 16 | localPort & 0xFFFF;
        final long rest = (remoteLow >>> 32 ^ remoteHigh * 0xC2B2_AE3D_27D4_EB4FL ^ localHigh * 0x1656_67B1_9E37_79F9L
            ^ localLow) * 0x9E37_79B9_7F4A_7C15L;
        return ((remoteLow & 0xFFFF_FFFFL) << 32 | ports) ^ rest;
    }

    Tcb get(final long localHigh, final long localLow, final int localPort, final long remoteHigh, final long remoteLow,
        final int remotePort)
    {
        Tcb t = buckets.get(key(localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort));
        while (t != null && !t.matches(localHigh, localLow, localPort, remoteHigh, remoteLow, remotePort))
        {
            t = t.nextInTable;
        }
        return t;
    }

    private static long key(final Tcb tcb)
    {
        return key(tcb.route.sourceHigh(), tcb.route.sourceLow(), tcb.localPort, tcb.route.destinationHigh(),
            tcb.route.destinationLow(), tcb.remotePort);
    }

    void put(final Tcb tcb)
    {
        final long key = key(tcb);
        tcb.nextInTable = buckets.get(key);
        buckets.put(key, tcb);
        size++;
    }

    void remove(final Tcb tcb)
    {
        final long key = key(tcb);
        Tcb t = buckets.get(key);
        Tcb previous = null;
        while (t != null && t != tcb)
        {
            previous = t;
            t = t.nextInTable;
        }
        if (t == null)
        {
            return;
        }
        if (previous == null)
        {
            if (tcb.nextInTable == null)
            {
                buckets.remove(key);
            }
            else
            {
                buckets.put(key, tcb.nextInTable);
            }
        }
        else
        {
            previous.nextInTable = tcb.nextInTable;
        }
        tcb.nextInTable = null;
        size--;
    }

    int size()
    {
        return size;
    }

    void forEach(final Consumer<Tcb> visitor)
    {
        for (final Tcb first : buckets.values())
        {
            for (Tcb t = first; t != null; t = t.nextInTable)
            {
                visitor.accept(t);
            }
        }
    }
}
