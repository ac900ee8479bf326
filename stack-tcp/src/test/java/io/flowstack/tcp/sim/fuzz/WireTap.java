package io.flowstack.tcp.sim.fuzz;

import io.flowstack.core.sim.FrameReceiver;
import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.TcpFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.nio.ByteOrder;

/**
 * Sits at the end of a simulated link, just before a host's port, and learns what the fuzzer needs to aim TCP
 * segments as an on-path attacker would: for each direction of each connection, the ISN, how far the sender's data
 * reaches, the highest ACK and the latest timestamps it sent. Frames go on to the port unchanged, in the order
 * they arrive; a frame the fuzzer injects afterwards at the same instant lands behind them. Frames whose checksums
 * fail (the link corrupts some) teach nothing: the host drops them.
 */
final class WireTap implements FrameReceiver
{
    private static final ByteOrder NET = ByteOrder.BIG_ENDIAN;

    /** What one sender has shown of its side of a connection. Sequence numbers are raw 32-bit values. */
    static final class Direction
    {
        boolean synSeen;
        int isn;
        int dataEnd;
        boolean ackSeen;
        int highestAck;
        boolean timestamps;
        int tsVal;
        int tsEcr;
        int window;
    }

    private final FrameReceiver port;
    private final Long2ObjectHashMap<Direction> directions = new Long2ObjectHashMap<>();
    private long frames;

    WireTap(final FrameReceiver port)
    {
        this.port = port;
    }

    /** The key of one direction: the hosts differ only in the last byte of their addresses. */
    static long key(final int sourceIp, final int sourcePort, final int destinationIp, final int destinationPort)
    {
        return (long)(sourceIp & 0xFF) << 40 | (long)(destinationIp & 0xFF) << 32 | (long)sourcePort << 16
            | destinationPort;
    }

    /** @return what the sender of that direction has shown, or null if nothing yet. */
    Direction direction(final int sourceIp, final int sourcePort, final int destinationIp, final int destinationPort)
    {
        return directions.get(key(sourceIp, sourcePort, destinationIp, destinationPort));
    }

    long frames()
    {
        return frames;
    }

    @Override
    public void onFrame(final long nowNs, final DirectBuffer buffer, final int offset, final int length)
    {
        frames++;
        learn(buffer, offset, length);
        port.onFrame(nowNs, buffer, offset, length);
    }

    private void learn(final DirectBuffer b, final int at, final int length)
    {
        final int ip = at + EthernetFlyweight.HEADER_LENGTH;
        if (length < EthernetFlyweight.HEADER_LENGTH + 40
            || (b.getShort(at + 12, NET) & 0xFFFF) != EthernetFlyweight.TYPE_IPV4
            || (b.getByte(ip + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF) != Ipv4Flyweight.PROTO_TCP)
        {
            return;
        }
        final int ihl = (b.getByte(ip) & 0x0F) * 4;
        final int total = b.getShort(ip + Ipv4Flyweight.TOTAL_LENGTH_OFFSET, NET) & 0xFFFF;
        final int tcp = ip + ihl;
        final int dataOffset = ((b.getByte(tcp + TcpFlyweight.DATA_OFFSET_OFFSET) & 0xFF) >>> 4) * 4;
        if (total > length - EthernetFlyweight.HEADER_LENGTH || ihl < Ipv4Flyweight.MIN_HEADER_LENGTH
            || dataOffset < TcpFlyweight.HEADER_LENGTH || ihl + dataOffset > total || !intact(b, ip, ihl, total))
        {
            return;
        }
        final long key = key(b.getInt(ip + Ipv4Flyweight.SOURCE_OFFSET, NET), b.getShort(tcp, NET) & 0xFFFF,
            b.getInt(ip + Ipv4Flyweight.DESTINATION_OFFSET, NET), b.getShort(tcp + 2, NET) & 0xFFFF);
        Direction d = directions.get(key);
        final int flags = b.getByte(tcp + TcpFlyweight.FLAGS_OFFSET) & 0xFF;
        final int seq = b.getInt(tcp + TcpFlyweight.SEQUENCE_NUMBER_OFFSET, NET);
        if ((flags & TcpFlyweight.SYN) != 0)
        {
            // A new connection on these ports (the previous one's TIME-WAIT may have been cut short): start over.
            if (d == null || !d.synSeen || d.isn != seq)
            {
                d = new Direction();
                directions.put(key, d);
            }
            d.synSeen = true;
            d.isn = seq;
            d.dataEnd = seq + 1;
        }
        if (d == null)
        {
            return;
        }
        final int end = seq + (total - ihl - dataOffset);
        if (end - d.dataEnd > 0)
        {
            d.dataEnd = end;
        }
        if ((flags & TcpFlyweight.ACK) != 0)
        {
            final int ack = b.getInt(tcp + TcpFlyweight.ACKNOWLEDGMENT_NUMBER_OFFSET, NET);
            if (!d.ackSeen || ack - d.highestAck > 0)
            {
                d.highestAck = ack;
                d.ackSeen = true;
            }
        }
        d.window = b.getShort(tcp + TcpFlyweight.WINDOW_OFFSET, NET) & 0xFFFF;
        learnTimestamps(b, tcp + TcpFlyweight.HEADER_LENGTH, dataOffset - TcpFlyweight.HEADER_LENGTH, d);
    }

    /**
     * Whether the checksums hold: a frame the link corrupted (a bit flipped, say the SYN flag or a sequence number)
     * is one the host drops, and must not teach the fuzzer anything.
     */
    private static boolean intact(final DirectBuffer b, final int ip, final int ihl, final int total)
    {
        if (InternetChecksum.checksum(b, ip, ihl) != 0)
        {
            return false;
        }
        final long pseudo = InternetChecksum.pseudoHeaderIpv4(b.getInt(ip + Ipv4Flyweight.SOURCE_OFFSET, NET),
            b.getInt(ip + Ipv4Flyweight.DESTINATION_OFFSET, NET), Ipv4Flyweight.PROTO_TCP, total - ihl);
        return InternetChecksum.fold(InternetChecksum.partial(b, ip + ihl, total - ihl, pseudo)) == 0;
    }

    private static void learnTimestamps(final DirectBuffer b, final int at, final int length, final Direction d)
    {
        int i = 0;
        while (i < length)
        {
            final int kind = b.getByte(at + i) & 0xFF;
            if (kind == 0)
            {
                return;
            }
            if (kind == 1)
            {
                i++;
                continue;
            }
            if (i + 1 >= length)
            {
                return;
            }
            final int len = b.getByte(at + i + 1) & 0xFF;
            if (len < 2 || i + len > length)
            {
                return;
            }
            if (kind == 8 && len == 10)
            {
                d.timestamps = true;
                d.tsVal = b.getInt(at + i + 2, NET);
                d.tsEcr = b.getInt(at + i + 6, NET);
            }
            i += len;
        }
    }
}
