package io.flowstack.ip.ipv6;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.ip.ipv4.FragmentSink;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.wire.Ipv6Flyweight;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Fragmentation at the source (RFC 8200 4.5, 5): the fixed header is the unfragmentable part (we send no extension
 * headers); the rest goes in pieces of a multiple of 8 bytes that fit the route's path MTU, each behind a copy of
 * the header and a fragment header with one identification.
 */
final class Ipv6Fragmenter
{
    private Ipv6Fragmenter()
    {
    }

    /**
     * @param packet window at the IPv6 header, larger than the route's MTU; always consumed.
     * @param route  its route (the path MTU).
     * @param pool   where fragment buffers come from.
     * @param id     the identification.
     * @param sink   takes each fragment, in order.
     * @return the number of fragments, or -1 if the pool could not hold them all (nothing sent).
     */
    static int fragment(final PacketBuffer packet, final Route route, final BufferPool pool, final int id,
        final FragmentSink sink)
    {
        final int mtu = route.mtu();
        final MutableDirectBuffer in = packet.buffer();
        final int at = packet.offset();
        final int dataLength = packet.length() - Ipv6Flyweight.HEADER_LENGTH;
        final int chunk = (mtu - Ipv6Flyweight.HEADER_LENGTH - 8) & ~7;
        final int pieces = (dataLength + chunk - 1) / chunk;
        if (pool.available() < pieces)
        {
            packet.release();
            return -1;
        }
        // A partial checksum is finished first: the device sees only fragments.
        VirtioNetHeader.completeChecksum(packet);
        final int nextHeader = in.getByte(at + Ipv6Flyweight.NEXT_HEADER_OFFSET) & 0xFF;
        for (int position = 0; position < dataLength; position += chunk)
        {
            final int n = Math.min(chunk, dataLength - position);
            final PacketBuffer f = pool.acquire();
            final MutableDirectBuffer out = f.buffer();
            final int o = f.offset();
            f.window(o, Ipv6Flyweight.HEADER_LENGTH + 8 + n).ifIndex(packet.ifIndex());
            out.putBytes(o, in, at, Ipv6Flyweight.HEADER_LENGTH);
            out.putShort(o + Ipv6Flyweight.PAYLOAD_LENGTH_OFFSET, (short)(8 + n), ByteOrder.BIG_ENDIAN);
            out.putByte(o + Ipv6Flyweight.NEXT_HEADER_OFFSET, (byte)Ipv6Flyweight.FRAGMENT);
            final int h = o + Ipv6Flyweight.HEADER_LENGTH;
            out.putByte(h, (byte)nextHeader);
            out.putByte(h + 1, (byte)0);
            final boolean more = position + n < dataLength;
            out.putShort(h + 2, (short)(position | (more ? 1 : 0)), ByteOrder.BIG_ENDIAN);
            out.putInt(h + 4, id, ByteOrder.BIG_ENDIAN);
            out.putBytes(h + 8, in, at + Ipv6Flyweight.HEADER_LENGTH + position, n);
            sink.onFragment(f);
        }
        packet.release();
        return pieces;
    }
}
