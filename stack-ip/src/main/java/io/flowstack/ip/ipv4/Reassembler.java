package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.counter.StackCounter;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;

import static io.flowstack.ip.ipv4.FragmentFields.CHECKSUM_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.DESTINATION_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.FLAGS_FRAGMENT_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.FLAG_DF;
import static io.flowstack.ip.ipv4.FragmentFields.FLAG_MF;
import static io.flowstack.ip.ipv4.FragmentFields.IDENTIFICATION_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.MAX_DATAGRAM_LENGTH;
import static io.flowstack.ip.ipv4.FragmentFields.MAX_HEADER_LENGTH;
import static io.flowstack.ip.ipv4.FragmentFields.MIN_HEADER_LENGTH;
import static io.flowstack.ip.ipv4.FragmentFields.OFFSET_MASK;
import static io.flowstack.ip.ipv4.FragmentFields.PROTOCOL_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.SOURCE_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.TOTAL_LENGTH_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.VERSION_IHL_OFFSET;

/**
 * IPv4 fragment reassembly (RFC 791 3.2) for one core: single-threaded, bounded memory, no allocation after
 * construction.
 * <p>
 * Each datagram in progress owns one pool buffer. Fragment data is copied into it at a fixed base plus the
 * fragment offset as it arrives, and fragment zero's header is copied right in front of that base, so the
 * finished datagram is contiguous and is handed up in the same buffer without a final copy. A datagram is
 * identified by (source, destination, protocol, identification), RFC 791's BUFID. Instead of RFC 791's bit table
 * or RFC 815's hole list, each datagram keeps a small sorted array of the received {@code [start, end)} data
 * ranges: with overlaps forbidden the ranges never merge, so the array both proves completion (received bytes
 * equal the total) and finds overlaps and exact duplicates by binary search.
 * <p>
 * Policy, chosen for safety on hostile input (everything dropped is counted, nothing throws):
 * <ul>
 * <li>Overlap: a fragment that overlaps data already received, other than an exact duplicate, discards the whole
 *     datagram and everything about it (RFC 5722 section 4, applied to IPv4): reassembling overlaps is how
 *     fragment attacks slip past filters, and which copy of the bytes wins would be ambiguous.</li>
 * <li>Exact duplicate (same range and same data bytes): dropped alone, the reassembly goes on (RFC 5722 erratum
 *     3089); links that duplicate packets then cost nothing. Same range with different bytes is ambiguous and
 *     counts as an overlap.</li>
 * <li>No free slot: the oldest datagram in progress is evicted and its buffer reused. The oldest is the one most
 *     likely to be dead already (a lost fragment), and a few spoofed fragments cannot block reassembly for a
 *     whole timeout the way "drop the newcomer" would allow.</li>
 * <li>Oversize (data would end beyond what a 16-bit total length can describe, or beyond the pool slot), second
 *     last fragment with a different end, data beyond the end fixed by the last fragment, more than
 *     {@code maxFragmentsPerDatagram} fragments: the whole datagram is discarded. A non-last fragment whose data
 *     is not a multiple of 8 bytes, or an empty fragment: that fragment alone is dropped.</li>
 * </ul>
 * Timeouts run from a datagram's first fragment and are not extended by later ones nor set from the TTL
 * (RFC 1122 3.3.2: the timeout SHOULD be a fixed value). Call {@link #expire(long)} from the core's timer.
 * <p>
 * Counters: {@code ipv4.reasm.fragments} (every fragment offered), {@code .reassembled}, {@code .timeouts}, {@code .overlaps}
 * (datagrams discarded for an overlap), {@code .duplicates} (exact duplicates dropped alone), {@code .oversize},
 * {@code .no_slot} (evictions of the oldest datagram), {@code .no_buffer} (pool empty, fragment dropped) and
 * {@code .bad_fragment} (malformed or inconsistent fragments, too many fragments): events, one per datagram or
 * fragment given up. Frame by frame: {@code .fragments_dropped} (fragments given up, on arrival or later with
 * their datagram; each also in the core's {@code rx.drops}) and {@code .fragments_reassembled} (fragments in a
 * finished datagram), so that fragments = dropped + reassembled + {@link #heldFragments()}.
 */
public final class Reassembler
{
    /** Default number of datagrams reassembled at once per core; each pins one pool buffer. */
    public static final int DEFAULT_MAX_DATAGRAMS = 16;
    /**
     * Default fragment limit per datagram. 64 fragments carry a 64 KiB datagram over links down to an MTU of about
     * 1050 bytes (45 over Ethernet); more than that is rare on real paths and common in fragment floods.
     */
    public static final int DEFAULT_MAX_FRAGMENTS_PER_DATAGRAM = 64;
    /**
     * Default reassembly timeout, 30 s. RFC 791 3.2 recommends 15 s as the initial (lower-bound) timer, raised to
     * the fragments' TTL; RFC 1122 3.3.2 asks for a fixed value and suggests 60 to 120 s. We take Linux's 30 s
     * (ipfrag_time): fragments of one datagram arrive within milliseconds on any real path, so waiting longer only
     * keeps a scarce 64 KiB buffer pinned and widens the window for IP identification wrap-around to splice
     * fragments of two different datagrams together.
     */
    public static final long DEFAULT_TIMEOUT_NS = 30_000_000_000L;

    private static final ByteOrder NET = ByteOrder.BIG_ENDIAN;

    private final BufferPool pool;
    private final int maxDatagrams;
    private final int maxFragments;
    private final long timeoutNs;
    /** Where data byte 0 of a datagram goes in its slot buffer; fragment zero's header sits just in front. */
    private final int dataBase;
    /** Largest data end a slot buffer holds. */
    private final int maxDataEnd;

    /** Slot buffer, or null when the slot is free. */
    private final PacketBuffer[] slotBuffer;
    /** Source address in the high 32 bits, destination in the low 32 bits. */
    private final long[] slotAddresses;
    /** Protocol in bits 16..23, identification in the low 16 bits. */
    private final int[] slotProtocolId;
    private final long[] slotFirstNs;
    /** Fragment zero's header length, or -1 until it arrives. */
    private final int[] slotHeaderLength;
    /** Data length fixed by the fragment with MF clear, or -1 until it arrives. */
    private final int[] slotTotalEnd;
    private final int[] slotMaxEnd;
    private final int[] slotReceived;
    private final int[] slotRangeCount;
    /** Received ranges of slot s at {@code s * maxFragments ..}, sorted by start, never overlapping. */
    private final int[] rangeStart;
    private final int[] rangeEnd;
    private int active;

    private final AtomicCounter fragments;
    private final AtomicCounter reassembled;
    private final AtomicCounter timeouts;
    private final AtomicCounter overlaps;
    private final AtomicCounter duplicates;
    private final AtomicCounter oversize;
    private final AtomicCounter noSlot;
    private final AtomicCounter noBuffer;
    private final AtomicCounter badFragment;
    private final AtomicCounter fragmentsDropped;
    private final AtomicCounter fragmentsReassembled;
    private final AtomicCounter rxDrops;

    /**
     * @param pool                    where datagram buffers come from; its slots should hold headroom + 60 + 65515
     *                                bytes (the default geometry does), smaller slots cap the datagram size.
     * @param maxDatagrams            datagrams reassembled at once.
     * @param maxFragmentsPerDatagram fragments accepted per datagram.
     * @param timeoutNs               time from a datagram's first fragment until it is given up.
     * @param counters                where the {@code ipv4.reasm.*} counters are allocated.
     */
    public Reassembler(
        final BufferPool pool,
        final int maxDatagrams,
        final int maxFragmentsPerDatagram,
        final long timeoutNs,
        final CounterSet counters)
    {
        if (maxDatagrams <= 0 || maxFragmentsPerDatagram <= 0 || timeoutNs <= 0)
        {
            throw new IllegalArgumentException(
                "bad reassembly limits " + maxDatagrams + "/" + maxFragmentsPerDatagram + "/" + timeoutNs);
        }
        this.pool = pool;
        this.maxDatagrams = maxDatagrams;
        this.maxFragments = maxFragmentsPerDatagram;
        this.timeoutNs = timeoutNs;
        this.dataBase = pool.headroom() + MAX_HEADER_LENGTH;
        this.maxDataEnd = Math.min(MAX_DATAGRAM_LENGTH - MIN_HEADER_LENGTH, pool.slotSize() - dataBase);
        if (maxDataEnd < 8)
        {
            throw new IllegalArgumentException("pool slots of " + pool.slotSize() + " bytes cannot hold fragments");
        }
        slotBuffer = new PacketBuffer[maxDatagrams];
        slotAddresses = new long[maxDatagrams];
        slotProtocolId = new int[maxDatagrams];
        slotFirstNs = new long[maxDatagrams];
        slotHeaderLength = new int[maxDatagrams];
        slotTotalEnd = new int[maxDatagrams];
        slotMaxEnd = new int[maxDatagrams];
        slotReceived = new int[maxDatagrams];
        slotRangeCount = new int[maxDatagrams];
        rangeStart = new int[maxDatagrams * maxFragmentsPerDatagram];
        rangeEnd = new int[maxDatagrams * maxFragmentsPerDatagram];

        fragments = counters.counter(ReassemblyCounter.FRAGMENTS);
        reassembled = counters.counter(ReassemblyCounter.REASSEMBLED);
        timeouts = counters.counter(ReassemblyCounter.TIMEOUTS);
        overlaps = counters.counter(ReassemblyCounter.OVERLAPS);
        duplicates = counters.counter(ReassemblyCounter.DUPLICATES);
        oversize = counters.counter(ReassemblyCounter.OVERSIZE);
        noSlot = counters.counter(ReassemblyCounter.NO_SLOT);
        noBuffer = counters.counter(ReassemblyCounter.NO_BUFFER);
        badFragment = counters.counter(ReassemblyCounter.BAD_FRAGMENT);
        fragmentsDropped = counters.counter(ReassemblyCounter.FRAGMENTS_DROPPED);
        fragmentsReassembled = counters.counter(ReassemblyCounter.FRAGMENTS_REASSEMBLED);
        rxDrops = counters.counter(StackCounter.RX_DROPS);
    }

    /**
     * @param pool     where datagram buffers come from.
     * @param counters where the counters are allocated.
     * @return a reassembler with the default limits.
     */
    public static Reassembler withDefaults(final BufferPool pool, final CounterSet counters)
    {
        return new Reassembler(
            pool, DEFAULT_MAX_DATAGRAMS, DEFAULT_MAX_FRAGMENTS_PER_DATAGRAM, DEFAULT_TIMEOUT_NS, counters);
    }

    /**
     * @param flagsFragmentOffset the raw 16-bit flags and fragment offset word of an IPv4 header.
     * @return true if the datagram is a fragment: MF set or a non-zero offset (RFC 791 3.2).
     */
    public static boolean isFragment(final int flagsFragmentOffset)
    {
        return (flagsFragmentOffset & (FLAG_MF | OFFSET_MASK)) != 0;
    }

    /**
     * Adds one fragment. Always takes ownership of {@code fragment}: it is released, or (when it is not a fragment
     * at all) handed back as the result.
     *
     * @param fragment an IPv4 fragment whose header has been validated (version, checksum); the window starts at
     *                 the IP header and is exactly the total length long.
     * @param nowNs    current time, starts the timeout of a new datagram.
     * @return null while the datagram is incomplete or when the fragment was dropped; otherwise the whole datagram
     *         in a pool buffer, window at the IP header: fragment zero's header (options included) with total
     *         length set, MF and offset cleared (DF kept), checksum recomputed, followed by all the data.
     *         A datagram that is not a fragment comes back unchanged.
     */
    public PacketBuffer offer(final PacketBuffer fragment, final long nowNs)
    {
        final UnsafeBuffer in = fragment.buffer();
        final int at = fragment.offset();
        final int length = fragment.length();
        if (length < MIN_HEADER_LENGTH)
        {
            fragments.incrementOrdered();
            return drop(fragment, badFragment);
        }
        final int headerLength = (in.getByte(at + VERSION_IHL_OFFSET) & 0x0F) << 2;
        if (headerLength < MIN_HEADER_LENGTH || headerLength > length)
        {
            fragments.incrementOrdered();
            return drop(fragment, badFragment);
        }

        final int flagsOffset = in.getShort(at + FLAGS_FRAGMENT_OFFSET, NET) & 0xFFFF;
        final long addresses =
            ((long)in.getInt(at + SOURCE_OFFSET, NET) << 32) | (in.getInt(at + DESTINATION_OFFSET, NET) & 0xFFFF_FFFFL);
        final int protocolId =
            ((in.getByte(at + PROTOCOL_OFFSET) & 0xFF) << 16) | (in.getShort(at + IDENTIFICATION_OFFSET, NET) & 0xFFFF);
        int slot = find(addresses, protocolId);

        if (!isFragment(flagsOffset))
        {
            // RFC 791 3.2 reassembly procedure steps (2)-(5): a whole datagram flushes any reassembly under the same
            // buffer identifier and goes on as it is. The flushed one overlapped it, so it counts as an overlap.
            if (slot >= 0)
            {
                discard(slot, overlaps);
            }
            return fragment;
        }
        fragments.incrementOrdered();

        final int fragmentOffset = (flagsOffset & OFFSET_MASK) << 3;
        final int dataLength = length - headerLength;
        final int end = fragmentOffset + dataLength;
        final boolean more = (flagsOffset & FLAG_MF) != 0;
        if (dataLength == 0 || (more && (dataLength & 7) != 0))
        {
            // RFC 791 3.2: every fragment but the last carries a multiple of 8 data octets; an empty one adds nothing.
            return drop(fragment, badFragment);
        }
        if (headerLength + end > MAX_DATAGRAM_LENGTH || end > maxDataEnd)
        {
            // Offset plus length beyond 65535 ("ping of death") can only be corruption or an attack.
            if (slot >= 0)
            {
                discard(slot, null);
            }
            return drop(fragment, oversize);
        }

        if (slot < 0)
        {
            slot = open(addresses, protocolId, nowNs);
            if (slot < 0)
            {
                return drop(fragment, null);
            }
        }

        final int totalEnd = slotTotalEnd[slot];
        final int maxEnd = slotMaxEnd[slot];
        if ((totalEnd >= 0 && (end > totalEnd || (!more && end != totalEnd))) || (!more && end < maxEnd))
        {
            // RFC 791 3.2: the fragment with MF clear fixes the data length. Data beyond it, or a second last
            // fragment with another end, cannot belong to the same datagram.
            return discard(slot, fragment, badFragment);
        }
        final int firstHeaderLength = fragmentOffset == 0 ? headerLength : slotHeaderLength[slot];
        if (firstHeaderLength >= 0 && firstHeaderLength + Math.max(end, maxEnd) > MAX_DATAGRAM_LENGTH)
        {
            return discard(slot, fragment, oversize);
        }

        final int base = slot * maxFragments;
        final int count = slotRangeCount[slot];
        final int i = insertionPoint(base, count, fragmentOffset);
        if (i > base && rangeEnd[i - 1] > fragmentOffset)
        {
            return discard(slot, fragment, overlaps);
        }
        if (i < base + count && rangeStart[i] < end)
        {
            if (rangeStart[i] == fragmentOffset && rangeEnd[i] == end &&
                sameBytes(in, at + headerLength, slotBuffer[slot].buffer(), dataBase + fragmentOffset, dataLength))
            {
                // RFC 5722 erratum 3089: duplicates are dropped, the reassembly goes on.
                return drop(fragment, duplicates);
            }
            // RFC 5722 section 4: an overlapping fragment discards the whole datagram.
            return discard(slot, fragment, overlaps);
        }
        if (count == maxFragments)
        {
            return discard(slot, fragment, badFragment);
        }

        final int tail = base + count - i;
        System.arraycopy(rangeStart, i, rangeStart, i + 1, tail);
        System.arraycopy(rangeEnd, i, rangeEnd, i + 1, tail);
        rangeStart[i] = fragmentOffset;
        rangeEnd[i] = end;
        slotRangeCount[slot] = count + 1;
        slotReceived[slot] += dataLength;
        if (end > maxEnd)
        {
            slotMaxEnd[slot] = end;
        }
        if (!more)
        {
            slotTotalEnd[slot] = end;
        }

        final UnsafeBuffer out = slotBuffer[slot].buffer();
        out.putBytes(dataBase + fragmentOffset, in, at + headerLength, dataLength);
        if (fragmentOffset == 0)
        {
            // RFC 791 3.2: the header of fragment zero becomes the datagram's header (options included).
            out.putBytes(dataBase - headerLength, in, at, headerLength);
            slotHeaderLength[slot] = headerLength;
        }
        final int ifIndex = fragment.ifIndex();
        fragment.release();

        if (slotHeaderLength[slot] >= 0 && slotTotalEnd[slot] >= 0 && slotReceived[slot] == slotTotalEnd[slot])
        {
            return complete(slot, ifIndex);
        }
        return null;
    }

    /**
     * Gives up on every datagram whose first fragment arrived {@code timeoutNs} or longer ago.
     *
     * @param nowNs current time.
     * @return number of datagrams expired.
     */
    public int expire(final long nowNs)
    {
        return expire(nowNs, null);
    }

    /**
     * Gives up on every datagram whose first fragment arrived {@code timeoutNs} or longer ago, and tells
     * {@code handler} about each one whose fragment zero had arrived, so that it may send ICMP Time Exceeded.
     *
     * @param nowNs   current time.
     * @param handler told before each such buffer is released; may be null.
     * @return number of datagrams expired.
     */
    public int expire(final long nowNs, final ReassemblyTimeoutHandler handler)
    {
        if (active == 0)
        {
            return 0;
        }
        int expired = 0;
        for (int s = 0; s < maxDatagrams; s++)
        {
            final PacketBuffer buffer = slotBuffer[s];
            if (buffer != null && nowNs - slotFirstNs[s] >= timeoutNs)
            {
                final int headerLength = slotHeaderLength[s];
                if (handler != null && headerLength >= 0)
                {
                    // Fragment zero of a fragmented datagram has MF set, so it carries at least 8 data bytes.
                    handler.onTimeout(buffer.buffer(), dataBase - headerLength, headerLength + 8);
                }
                discard(s, timeouts);
                expired++;
            }
        }
        return expired;
    }

    /**
     * @return when the next datagram times out, or {@link Long#MAX_VALUE} when none is in progress.
     */
    public long nextDeadline()
    {
        if (active == 0)
        {
            return Long.MAX_VALUE;
        }
        long deadline = Long.MAX_VALUE;
        for (int s = 0; s < maxDatagrams; s++)
        {
            if (slotBuffer[s] != null)
            {
                deadline = Math.min(deadline, slotFirstNs[s] + timeoutNs);
            }
        }
        return deadline;
    }

    /**
     * @return datagrams in progress; each holds one pool buffer.
     */
    public int active()
    {
        return active;
    }

    /**
     * Drops every datagram in progress and returns their buffers, e.g. when the core shuts down.
     */
    public void clear()
    {
        for (int s = 0; s < maxDatagrams; s++)
        {
            if (slotBuffer[s] != null)
            {
                discard(s, null);
            }
        }
    }

    private int find(final long addresses, final int protocolId)
    {
        if (active == 0)
        {
            return -1;
        }
        for (int s = 0; s < maxDatagrams; s++)
        {
            if (slotBuffer[s] != null && slotAddresses[s] == addresses && slotProtocolId[s] == protocolId)
            {
                return s;
            }
        }
        return -1;
    }

    private int open(final long addresses, final int protocolId, final long nowNs)
    {
        int slot = -1;
        PacketBuffer buffer;
        if (active < maxDatagrams)
        {
            buffer = pool.acquire();
            if (buffer == null)
            {
                noBuffer.incrementOrdered();
                return -1;
            }
            for (int s = 0; s < maxDatagrams; s++)
            {
                if (slotBuffer[s] == null)
                {
                    slot = s;
                    break;
                }
            }
            active++;
        }
        else
        {
            // No free slot: evict the oldest datagram and reuse its buffer (see the class comment for why).
            long oldest = Long.MAX_VALUE;
            for (int s = 0; s < maxDatagrams; s++)
            {
                final long age = nowNs - slotFirstNs[s];
                if (slot < 0 || age > oldest)
                {
                    oldest = age;
                    slot = s;
                }
            }
            buffer = slotBuffer[slot];
            noSlot.incrementOrdered();
            dropHeld(slot);
        }
        slotBuffer[slot] = buffer;
        slotAddresses[slot] = addresses;
        slotProtocolId[slot] = protocolId;
        slotFirstNs[slot] = nowNs;
        slotHeaderLength[slot] = -1;
        slotTotalEnd[slot] = -1;
        slotMaxEnd[slot] = 0;
        slotReceived[slot] = 0;
        slotRangeCount[slot] = 0;
        return slot;
    }

    private PacketBuffer complete(final int slot, final int ifIndex)
    {
        final PacketBuffer datagram = slotBuffer[slot];
        final UnsafeBuffer out = datagram.buffer();
        final int headerLength = slotHeaderLength[slot];
        final int totalLength = headerLength + slotTotalEnd[slot];
        final int header = dataBase - headerLength;

        out.putShort(header + TOTAL_LENGTH_OFFSET, (short)totalLength, NET);
        // Reassembled: no MF, no offset; DF as fragment zero had it, the reserved bit cleared (RFC 791 3.1).
        final int flags = out.getShort(header + FLAGS_FRAGMENT_OFFSET, NET) & FLAG_DF;
        out.putShort(header + FLAGS_FRAGMENT_OFFSET, (short)flags, NET);
        out.putShort(header + CHECKSUM_OFFSET, (short)0, NET);
        out.putShort(header + CHECKSUM_OFFSET, (short)InternetChecksum.checksum(out, header, headerLength), NET);
        datagram.window(header, totalLength).ifIndex(ifIndex);

        slotBuffer[slot] = null;
        active--;
        reassembled.incrementOrdered();
        fragmentsReassembled.getAndAddOrdered(slotRangeCount[slot]);
        return datagram;
    }

    /** Gives up one fragment on arrival; {@code reason} null when it was counted already (no buffer). */
    private PacketBuffer drop(final PacketBuffer fragment, final AtomicCounter reason)
    {
        if (reason != null)
        {
            reason.incrementOrdered();
        }
        fragmentsDropped.incrementOrdered();
        rxDrops.incrementOrdered();
        fragment.release();
        return null;
    }

    /** Gives up a datagram because of the fragment that just arrived, and that fragment: one event, counted once. */
    private PacketBuffer discard(final int slot, final PacketBuffer fragment, final AtomicCounter reason)
    {
        discard(slot, reason);
        return drop(fragment, null);
    }

    private void discard(final int slot, final AtomicCounter reason)
    {
        if (reason != null)
        {
            reason.incrementOrdered();
        }
        dropHeld(slot);
        slotBuffer[slot].release();
        slotBuffer[slot] = null;
        active--;
    }

    /** The fragments a datagram held are lost with it. */
    private void dropHeld(final int slot)
    {
        final int held = slotRangeCount[slot];
        fragmentsDropped.getAndAddOrdered(held);
        rxDrops.getAndAddOrdered(held);
    }

    /**
     * @return fragments kept in datagrams still in progress.
     */
    public int heldFragments()
    {
        int held = 0;
        for (int s = 0; s < maxDatagrams; s++)
        {
            if (slotBuffer[s] != null)
            {
                held += slotRangeCount[s];
            }
        }
        return held;
    }

    /**
     * @return the index in {@code base..base+count} of the first range starting at or after {@code start}.
     */
    private int insertionPoint(final int base, final int count, final int start)
    {
        int low = base;
        int high = base + count;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (rangeStart[mid] < start)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    private static boolean sameBytes(
        final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset, final int length)
    {
        int i = 0;
        // Byte order does not matter for equality, so the native-order long read is fine here.
        for (; i + 8 <= length; i += 8)
        {
            if (a.getLong(aOffset + i) != b.getLong(bOffset + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return false;
            }
        }
        return true;
    }
}
