package io.flowstack.ip.ipv6;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.ip.wire.Ipv6Flyweight;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;

/**
 * Reassembly of IPv6 fragments (RFC 8200 4.5) on one core, in bounded memory: at most {@value #MAX_PACKETS} packets
 * at once, {@value #MAX_FRAGMENTS} fragments each, {@value #TIMEOUT_NS} ns each (RFC 8200's 60 s). Each packet is
 * assembled in one pool buffer as its fragments arrive; a fragment that overlaps another drops the whole packet
 * (RFC 5722), an exact duplicate is ignored. The reassembled packet is the first fragment's unfragmentable part
 * (the fixed header and the extension headers before the fragment header, at most
 * {@value #MAX_UNFRAGMENTABLE} bytes) followed by the data, without the fragment header.
 */
public final class Ipv6Reassembler
{
    /** Packets reassembled at once. */
    public static final int MAX_PACKETS = 16;
    /** Fragments per packet. */
    public static final int MAX_FRAGMENTS = 64;
    /** RFC 8200 4.5: give up 60 seconds after the first fragment arrived. */
    public static final long TIMEOUT_NS = 60_000_000_000L;
    /** Largest unfragmentable part taken (fixed header and extension headers before the fragment header). */
    public static final int MAX_UNFRAGMENTABLE = 224;
    private static final int DATA_AT = MAX_UNFRAGMENTABLE;
    private static final int MAX_DATA = 65_535;

    private final BufferPool pool;
    private final boolean[] used = new boolean[MAX_PACKETS];
    private final long[] keys = new long[MAX_PACKETS * 4];
    private final int[] ids = new int[MAX_PACKETS];
    private final PacketBuffer[] assembly = new PacketBuffer[MAX_PACKETS];
    private final int[] starts = new int[MAX_PACKETS * MAX_FRAGMENTS];
    private final int[] ends = new int[MAX_PACKETS * MAX_FRAGMENTS];
    private final int[] counts = new int[MAX_PACKETS];
    private final int[] received = new int[MAX_PACKETS];
    private final int[] total = new int[MAX_PACKETS];
    private final int[] unfragmentable = new int[MAX_PACKETS];
    private final long[] deadlines = new long[MAX_PACKETS];
    private final int[] ifIndexes = new int[MAX_PACKETS];
    private final AtomicCounter fragments;
    private final AtomicCounter reassembled;
    private final AtomicCounter overlaps;
    private final AtomicCounter timeouts;
    private final AtomicCounter refused;
    private long earliest = Long.MAX_VALUE;

    /**
     * @param pool     the core's buffers (one per packet being reassembled).
     * @param counters the core's counters.
     */
    public Ipv6Reassembler(final BufferPool pool, final CounterSet counters)
    {
        this.pool = pool;
        fragments = counters.counter(Ipv6ReassemblyCounter.FRAGMENTS);
        reassembled = counters.counter(Ipv6ReassemblyCounter.PACKETS);
        overlaps = counters.counter(Ipv6ReassemblyCounter.OVERLAPS);
        timeouts = counters.counter(Ipv6ReassemblyCounter.TIMEOUTS);
        refused = counters.counter(Ipv6ReassemblyCounter.REFUSED);
    }

    /**
     * Takes one fragment; always releases it (its bytes are copied).
     *
     * @param fragment    the fragment, window at its IPv6 header.
     * @param headerAt    offset of its fragment header in the buffer.
     * @param fieldAt     offset of the next-header field that names the fragment header (fixed header or the
     *                    last extension header before it).
     * @param nowNs       current time.
     * @return the reassembled packet (window at its IPv6 header, ifIndex as the fragment's) when this fragment
     *         completed it, else null.
     */
    public PacketBuffer offer(final PacketBuffer fragment, final int headerAt, final int fieldAt, final long nowNs)
    {
        fragments.incrementOrdered();
        final MutableDirectBuffer b = fragment.buffer();
        final int start = fragment.offset();
        final int end = start + fragment.length();
        final long sh = b.getLong(start + Ipv6Flyweight.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN);
        final long sl = b.getLong(start + Ipv6Flyweight.SOURCE_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        final long dh = b.getLong(start + Ipv6Flyweight.DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN);
        final long dl = b.getLong(start + Ipv6Flyweight.DESTINATION_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        final int id = b.getInt(headerAt + 4, ByteOrder.BIG_ENDIAN);
        final int offsetFlags = b.getShort(headerAt + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int offset = offsetFlags & 0xFFF8;
        final boolean more = (offsetFlags & 1) != 0;
        final int dataAt = headerAt + 8;
        final int length = end - dataAt;
        final int unfragLength = headerAt - start;
        int slot = find(sh, sl, dh, dl, id);
        if (slot < 0)
        {
            slot = open(sh, sl, dh, dl, id, nowNs);
            if (slot < 0)
            {
                refused.incrementOrdered();
                fragment.release();
                return null;
            }
        }
        final int base = slot * MAX_FRAGMENTS;
        for (int i = 0; i < counts[slot]; i++)
        {
            if (starts[base + i] == offset && ends[base + i] == offset + length)
            {
                fragment.release();
                return null;
            }
            if (offset < ends[base + i] && starts[base + i] < offset + length)
            {
                overlaps.incrementOrdered();
                close(slot);
                fragment.release();
                return null;
            }
        }
        if (counts[slot] == MAX_FRAGMENTS || (!more && total[slot] >= 0) || (more && total[slot] >= 0
            && offset + length > total[slot]) || (total[slot] < 0 && !more && offset + length < maxEnd(slot))
            || (offset == 0 && unfragLength > MAX_UNFRAGMENTABLE))
        {
            refused.incrementOrdered();
            close(slot);
            fragment.release();
            return null;
        }
        final PacketBuffer whole = assembly[slot];
        final MutableDirectBuffer w = whole.buffer();
        w.putBytes(DATA_AT + offset, b, dataAt, length);
        starts[base + counts[slot]] = offset;
        ends[base + counts[slot]] = offset + length;
        counts[slot]++;
        received[slot] += length;
        if (!more)
        {
            total[slot] = offset + length;
        }
        ifIndexes[slot] = fragment.ifIndex();
        if (offset == 0)
        {
            // The unfragmentable part, with the field that named the fragment header now naming what it carried.
            unfragmentable[slot] = unfragLength;
            w.putBytes(DATA_AT - unfragLength, b, start, unfragLength);
            w.putByte(DATA_AT - unfragLength + (fieldAt - start), b.getByte(headerAt));
        }
        final int ifIndex = fragment.ifIndex();
        fragment.release();
        if (total[slot] < 0 || received[slot] != total[slot] || unfragmentable[slot] < 0)
        {
            return null;
        }
        final int unfrag = unfragmentable[slot];
        whole.window(DATA_AT - unfrag, unfrag + total[slot]).ifIndex(ifIndex);
        w.putShort(DATA_AT - unfrag + Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET,
            (short)(unfrag - Ipv6Flyweight.HEADER_LENGTH + total[slot]), ByteOrder.BIG_ENDIAN);
        assembly[slot] = null;
        close(slot);
        reassembled.incrementOrdered();
        return whole;
    }

    /**
     * @return true if the data of a fragment at this offset and length could ever fit a reassembled packet (RFC 8200
     *         4.5: beyond 65,535 bytes of payload it is a parameter problem).
     */
    static boolean fits(final int unfragLength, final int offset, final int length)
    {
        return unfragLength - Ipv6Flyweight.HEADER_LENGTH + offset + length <= MAX_DATA;
    }

    /**
     * Drops packets whose time ran out; for those whose first fragment came, ICMPv6 time exceeded goes to the
     * source (RFC 8200 4.5), quoting the unfragmentable part and the data that arrived from offset 0 on.
     *
     * @param nowNs  current time.
     * @param errors sends the error, or null.
     * @return packets dropped.
     */
    public int expire(final long nowNs, final Ipv6Errors errors)
    {
        if (nowNs - earliest < 0)
        {
            return 0;
        }
        int work = 0;
        long next = Long.MAX_VALUE;
        for (int slot = 0; slot < MAX_PACKETS; slot++)
        {
            if (!used[slot])
            {
                continue;
            }
            if (nowNs - deadlines[slot] >= 0)
            {
                timeouts.incrementOrdered();
                if (errors != null && unfragmentable[slot] >= 0)
                {
                    final int unfrag = unfragmentable[slot];
                    assembly[slot].window(DATA_AT - unfrag, unfrag + firstRun(slot)).ifIndex(ifIndexes[slot]);
                    errors.timeExceeded(assembly[slot], Ipv6Errors.CODE_REASSEMBLY_TIME_EXCEEDED);
                }
                close(slot);
                work++;
            }
            else
            {
                next = Math.min(next, deadlines[slot]);
            }
        }
        earliest = next;
        return work;
    }

    /**
     * @return the earliest deadline.
     */
    public long nextDeadline()
    {
        return earliest;
    }

    /**
     * @return packets being reassembled.
     */
    public int active()
    {
        int n = 0;
        for (final boolean u : used)
        {
            n += u ? 1 : 0;
        }
        return n;
    }

    /** @return how many bytes from offset 0 arrived without a gap. */
    private int firstRun(final int slot)
    {
        int end = 0;
        boolean grew = true;
        while (grew)
        {
            grew = false;
            for (int i = 0; i < counts[slot]; i++)
            {
                final int at = slot * MAX_FRAGMENTS + i;
                if (starts[at] <= end && ends[at] > end)
                {
                    end = ends[at];
                    grew = true;
                }
            }
        }
        return end;
    }

    private int maxEnd(final int slot)
    {
        int max = 0;
        for (int i = 0; i < counts[slot]; i++)
        {
            max = Math.max(max, ends[slot * MAX_FRAGMENTS + i]);
        }
        return max;
    }

    private int find(final long sh, final long sl, final long dh, final long dl, final int id)
    {
        for (int slot = 0; slot < MAX_PACKETS; slot++)
        {
            if (used[slot] && ids[slot] == id && keys[slot * 4] == sh && keys[slot * 4 + 1] == sl
                && keys[slot * 4 + 2] == dh && keys[slot * 4 + 3] == dl)
            {
                return slot;
            }
        }
        return -1;
    }

    private int open(final long sh, final long sl, final long dh, final long dl, final int id, final long nowNs)
    {
        for (int slot = 0; slot < MAX_PACKETS; slot++)
        {
            if (!used[slot])
            {
                final PacketBuffer buffer = pool.acquire();
                if (buffer == null || buffer.capacity() < DATA_AT + MAX_DATA)
                {
                    if (buffer != null)
                    {
                        buffer.release();
                    }
                    return -1;
                }
                used[slot] = true;
                keys[slot * 4] = sh;
                keys[slot * 4 + 1] = sl;
                keys[slot * 4 + 2] = dh;
                keys[slot * 4 + 3] = dl;
                ids[slot] = id;
                assembly[slot] = buffer;
                counts[slot] = 0;
                received[slot] = 0;
                total[slot] = -1;
                unfragmentable[slot] = -1;
                deadlines[slot] = nowNs + TIMEOUT_NS;
                earliest = Math.min(earliest, deadlines[slot]);
                return slot;
            }
        }
        return -1;
    }

    private void close(final int slot)
    {
        if (assembly[slot] != null)
        {
            assembly[slot].release();
            assembly[slot] = null;
        }
        used[slot] = false;
    }
}
