package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

import static io.flowstack.ip.ipv4.FragmentFields.CHECKSUM_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.FLAGS_FRAGMENT_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.FLAG_DF;
import static io.flowstack.ip.ipv4.FragmentFields.FLAG_MF;
import static io.flowstack.ip.ipv4.FragmentFields.FLAG_RESERVED;
import static io.flowstack.ip.ipv4.FragmentFields.MAX_DATAGRAM_LENGTH;
import static io.flowstack.ip.ipv4.FragmentFields.MIN_HEADER_LENGTH;
import static io.flowstack.ip.ipv4.FragmentFields.MIN_MTU;
import static io.flowstack.ip.ipv4.FragmentFields.OFFSET_MASK;
import static io.flowstack.ip.ipv4.FragmentFields.OPTIONS_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.OPTION_COPIED;
import static io.flowstack.ip.ipv4.FragmentFields.OPTION_EOOL;
import static io.flowstack.ip.ipv4.FragmentFields.OPTION_NOP;
import static io.flowstack.ip.ipv4.FragmentFields.TOTAL_LENGTH_OFFSET;
import static io.flowstack.ip.ipv4.FragmentFields.VERSION_IHL_OFFSET;

/**
 * IPv4 fragmentation (RFC 791 2.3 and 3.2). Stateless and allocation-free: each fragment is written into a fresh
 * pool buffer, at the pool's default headroom so that a link header can be prepended, and handed to a
 * {@link FragmentSink}.
 * <p>
 * Options (RFC 791 3.1): fragment zero carries the original header with all its options; the other fragments
 * carry only the options whose copied flag is set, padded with End of Option List to a 32-bit boundary. Data is
 * cut into the largest multiple of 8 bytes that fits the MTU after each fragment's own header, so later fragments
 * may carry more data than the first one.
 */
public final class Fragmenter
{
    /**
     * DF is set and the datagram does not fit: nothing was done and the caller still owns the datagram, so that it
     * can quote it in ICMP Destination Unreachable, Fragmentation Needed (RFC 792, RFC 1191).
     */
    public static final int FRAGMENTATION_NEEDED = -1;
    /**
     * The pool has too few buffers (or too small ones) for all fragments. The datagram has been released. Nothing
     * reached the sink unless the sink itself took buffers from the pool while fragments were being made.
     */
    public static final int NO_BUFFER = -2;
    /** The header is inconsistent (bad IHL, malformed options, offset plus length beyond 65535); released. */
    public static final int MALFORMED = -3;

    private static final ByteOrder NET = ByteOrder.BIG_ENDIAN;

    private Fragmenter()
    {
    }

    /**
     * Splits a datagram into fragments that fit {@code mtu}.
     * <p>
     * Ownership: on a positive result the datagram has been consumed (released, or passed to the sink itself if it
     * already fit); on {@link #NO_BUFFER} and {@link #MALFORMED} it has been released; only on
     * {@link #FRAGMENTATION_NEEDED} does the caller keep it.
     *
     * @param datagram a complete IPv4 datagram, window starting at the IP header and exactly its total length;
     *                 may itself be a fragment (its offset and MF are carried over).
     * @param mtu      largest IP datagram the link carries, at least 68 (RFC 791 3.2).
     * @param pool     where fragment buffers come from.
     * @param sink     takes each fragment, in order of increasing offset.
     * @return the number of fragments passed to the sink (1 if the datagram already fit and was passed on
     *         unchanged), or {@link #FRAGMENTATION_NEEDED}, {@link #NO_BUFFER} or {@link #MALFORMED}.
     * @throws IllegalArgumentException if {@code mtu} is below 68: a configuration error, checked before anything
     *                                  else, so the caller still owns the datagram.
     */
    public static int fragment(
        final PacketBuffer datagram, final int mtu, final BufferPool pool, final FragmentSink sink)
    {
        if (mtu < MIN_MTU)
        {
            throw new IllegalArgumentException("MTU below 68: " + mtu);
        }
        final UnsafeBuffer in = datagram.buffer();
        final int at = datagram.offset();
        final int length = datagram.length();
        if (length < MIN_HEADER_LENGTH)
        {
            datagram.release();
            return MALFORMED;
        }
        final int headerLength = (in.getByte(at + VERSION_IHL_OFFSET) & 0x0F) << 2;
        if (headerLength < MIN_HEADER_LENGTH || headerLength > length)
        {
            datagram.release();
            return MALFORMED;
        }
        if (length <= mtu)
        {
            sink.onFragment(datagram);
            return 1;
        }
        final int flagsOffset = in.getShort(at + FLAGS_FRAGMENT_OFFSET, NET) & 0xFFFF;
        if ((flagsOffset & FLAG_DF) != 0)
        {
            // RFC 791 3.2: a datagram marked don't fragment is not fragmented; the caller reports it.
            return FRAGMENTATION_NEEDED;
        }
        final int originalOffset = (flagsOffset & OFFSET_MASK) << 3;
        final int laterHeaderLength = copiedHeaderLength(in, at, headerLength);
        if (laterHeaderLength < 0 || originalOffset + length > MAX_DATAGRAM_LENGTH)
        {
            datagram.release();
            return MALFORMED;
        }

        // mtu >= 68 and header <= 60 leave at least 8 data bytes per fragment.
        final int firstChunk = (mtu - headerLength) & ~7;
        final int laterChunk = (mtu - laterHeaderLength) & ~7;
        final int dataLength = length - headerLength;
        final int count = 1 + (dataLength - firstChunk + laterChunk - 1) / laterChunk;
        if (pool.available() < count || pool.slotSize() - pool.headroom() < mtu)
        {
            datagram.release();
            return NO_BUFFER;
        }

        final int versionIhlLater = (in.getByte(at + VERSION_IHL_OFFSET) & 0xF0) | (laterHeaderLength >> 2);
        final int keptFlags = flagsOffset & FLAG_RESERVED;
        // RFC 791 3.2: the last fragment keeps the original MF, so re-fragmenting a fragment stays correct.
        final int lastMore = flagsOffset & FLAG_MF;
        final int ifIndex = datagram.ifIndex();
        int position = 0;
        int produced = 0;
        while (position < dataLength)
        {
            final boolean first = position == 0;
            final int fragmentHeaderLength = first ? headerLength : laterHeaderLength;
            final int chunk = Math.min(first ? firstChunk : laterChunk, dataLength - position);
            final boolean last = position + chunk == dataLength;
            final PacketBuffer fragment = pool.acquire();
            if (fragment == null)
            {
                datagram.release();
                return NO_BUFFER;
            }
            final UnsafeBuffer out = fragment.buffer();
            final int header = fragment.offset();
            final int fragmentLength = fragmentHeaderLength + chunk;
            fragment.window(header, fragmentLength).ifIndex(ifIndex);
            if (first)
            {
                out.putBytes(header, in, at, headerLength);
            }
            else
            {
                out.putBytes(header, in, at, MIN_HEADER_LENGTH);
                out.putByte(header + VERSION_IHL_OFFSET, (byte)versionIhlLater);
                copyCopiedOptions(in, at, headerLength, out, header, laterHeaderLength);
            }
            out.putShort(header + TOTAL_LENGTH_OFFSET, (short)fragmentLength, NET);
            final int flags = keptFlags | (last ? lastMore : FLAG_MF) | ((originalOffset + position) >> 3);
            out.putShort(header + FLAGS_FRAGMENT_OFFSET, (short)flags, NET);
            out.putShort(header + CHECKSUM_OFFSET, (short)0, NET);
            out.putShort(
                header + CHECKSUM_OFFSET, (short)InternetChecksum.checksum(out, header, fragmentHeaderLength), NET);
            out.putBytes(header + fragmentHeaderLength, in, at + headerLength + position, chunk);

            sink.onFragment(fragment);
            produced++;
            position += chunk;
        }
        datagram.release();
        return produced;
    }

    /**
     * @return the header length of a non-first fragment (20 plus the copied options, padded to 4 bytes), or -1 if
     *         the options are malformed.
     */
    static int copiedHeaderLength(final DirectBuffer buffer, final int offset, final int headerLength)
    {
        int copied = 0;
        int i = OPTIONS_OFFSET;
        while (i < headerLength)
        {
            final int type = buffer.getByte(offset + i) & 0xFF;
            if (type == OPTION_EOOL)
            {
                break;
            }
            if (type == OPTION_NOP)
            {
                i++;
                continue;
            }
            if (i + 1 >= headerLength)
            {
                return -1;
            }
            final int optionLength = buffer.getByte(offset + i + 1) & 0xFF;
            if (optionLength < 2 || i + optionLength > headerLength)
            {
                return -1;
            }
            if ((type & OPTION_COPIED) != 0)
            {
                copied += optionLength;
            }
            i += optionLength;
        }
        return MIN_HEADER_LENGTH + ((copied + 3) & ~3);
    }

    private static void copyCopiedOptions(
        final DirectBuffer in,
        final int inOffset,
        final int headerLength,
        final MutableDirectBuffer out,
        final int outOffset,
        final int outHeaderLength)
    {
        int o = OPTIONS_OFFSET;
        int i = OPTIONS_OFFSET;
        // The options were validated by copiedHeaderLength, so every length here is in range.
        while (i < headerLength)
        {
            final int type = in.getByte(inOffset + i) & 0xFF;
            if (type == OPTION_EOOL)
            {
                break;
            }
            if (type == OPTION_NOP)
            {
                i++;
                continue;
            }
            final int optionLength = in.getByte(inOffset + i + 1) & 0xFF;
            if ((type & OPTION_COPIED) != 0)
            {
                out.putBytes(outOffset + o, in, inOffset + i, optionLength);
                o += optionLength;
            }
            i += optionLength;
        }
        // RFC 791 3.1: the header is padded with zeros (End of Option List) to a 32-bit boundary.
        out.setMemory(outOffset + o, outHeaderLength - o, (byte)OPTION_EOOL);
    }
}
