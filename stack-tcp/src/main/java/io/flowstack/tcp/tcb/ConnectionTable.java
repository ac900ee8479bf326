package io.flowstack.tcp.tcb;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.function.Consumer;

/**
 * The connections of one core, keyed on the whole 4-tuple (local address and port, remote address and port). The
 * tuple is folded into a 64-bit key for a primitive map; tuples that fold to the same key are chained through
 * {@link Tcb#nextInTable} and told apart by comparing the tuple. Nothing is allocated per lookup.
 */
final class ConnectionTable
{
    private final Long2ObjectHashMap<Tcb> buckets = new Long2ObjectHashMap<>();
    private int size;

    static long key(final int localAddress, final int localPort, final int remoteAddress, final int remotePort)
    {
        // Remote address and both ports fill the 64 bits; the local address is mixed in (hosts with several
        // addresses are rare, so collisions are too, and the chain resolves them).
        final long ports = (long)(remotePort & 0xFFFF) << 16 | localPort & 0xFFFF;
        return ((remoteAddress & 0xFFFF_FFFFL) << 32 | ports) ^ (localAddress & 0xFFFF_FFFFL) * 0x9E37_79B9_7F4A_7C15L;
    }

    Tcb get(final int localAddress, final int localPort, final int remoteAddress, final int remotePort)
    {
        Tcb t = buckets.get(key(localAddress, localPort, remoteAddress, remotePort));
        while (t != null && !t.matches(localAddress, localPort, remoteAddress, remotePort))
        {
            t = t.nextInTable;
        }
        return t;
    }

    void put(final Tcb tcb)
    {
        final long key = key(tcb.localAddress, tcb.localPort, tcb.remoteAddress, tcb.remotePort);
        tcb.nextInTable = buckets.get(key);
        buckets.put(key, tcb);
        size++;
    }

    void remove(final Tcb tcb)
    {
        final long key = key(tcb.localAddress, tcb.localPort, tcb.remoteAddress, tcb.remotePort);
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
