package io.flowstack.ip.flow;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.engine.FrameClassifier;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.ip.ipv4.Reassembler;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.Ipv6Flyweight;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Finds a received frame's flow and asks the {@link FlowOwnership} which core owns it: the engine's dispatch
 * step. It reads only what it needs (Ethernet type, addresses, protocol, fragment field, ports; for IPv6 the
 * extension headers up to the transport, at most {@link io.flowstack.ip.ipv6.Ipv6Layer#MAX_EXTENSION_HEADERS}) and leaves
 * every validity check to the owning core, which drops and counts bad input: a frame too short to classify is
 * processed where it arrived.
 */
public final class FlowClassifier implements FrameClassifier
{
    private static final int ETH = EthernetFlyweight.HEADER_LENGTH;

    private final FlowOwnership ownership;

    /**
     * @param ownership the ownership function of this core.
     */
    public FlowClassifier(final FlowOwnership ownership)
    {
        this.ownership = ownership;
    }

    @Override
    public int owner(final PacketBuffer frame)
    {
        final MutableDirectBuffer b = frame.buffer();
        final int at = frame.offset();
        final int length = frame.length();
        if (length < ETH)
        {
            return HERE;
        }
        final int etherType = b.getShort(at + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        if (etherType == EthernetFlyweight.TYPE_IPV6)
        {
            return length < ETH + Ipv6Flyweight.HEADER_LENGTH ? HERE
                : ownerOfPacket6(b, at + ETH, length - ETH, frame.ifIndex());
        }
        if (etherType != EthernetFlyweight.TYPE_IPV4)
        {
            return ownership.ownerOfNonIp(frame.ifIndex());
        }
        if (length < ETH + Ipv4Flyweight.MIN_HEADER_LENGTH)
        {
            return HERE;
        }
        return ownerOfDatagram(b, at + ETH, length - ETH, frame.ifIndex());
    }

    /**
     * @param b       buffer.
     * @param ip      offset of the IPv4 header.
     * @param length  bytes available from there.
     * @param ifIndex interface.
     * @return the owner of the datagram, by its full tuple when it has ports and is not a fragment.
     */
    public int ownerOfDatagram(final MutableDirectBuffer b, final int ip, final int length, final int ifIndex)
    {
        final int headerLength = (b.getByte(ip) & 0x0F) * 4;
        final int protocol = b.getByte(ip + 9) & 0xFF;
        final int source = b.getInt(ip + 12, ByteOrder.BIG_ENDIAN);
        final int destination = b.getInt(ip + 16, ByteOrder.BIG_ENDIAN);
        final int flagsFragment = b.getShort(ip + 6, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final boolean hasPorts = protocol == Ipv4Flyweight.PROTO_TCP || protocol == Ipv4Flyweight.PROTO_UDP;
        if (!hasPorts || Reassembler.isFragment(flagsFragment) || headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH
            || length < headerLength + 4)
        {
            return ownership.ownerOfAddresses(ifIndex, protocol, source, destination);
        }
        final int sourcePort = b.getShort(ip + headerLength, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int destinationPort = b.getShort(ip + headerLength + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        return ownership.ownerOfFlow(ifIndex, protocol, source, destination, sourcePort, destinationPort);
    }

    /**
     * @param b       buffer.
     * @param ip      offset of the IPv6 header.
     * @param length  bytes available from there (at least the fixed header).
     * @param ifIndex interface.
     * @return the owner of the packet: by its full tuple for TCP and UDP, on addresses for fragments and other
     *         protocols; Neighbor Discovery goes where ARP goes (its answers are replicated from there).
     */
    public int ownerOfPacket6(final MutableDirectBuffer b, final int ip, final int length, final int ifIndex)
    {
        final long sh = b.getLong(ip + Ipv6Flyweight.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN);
        final long sl = b.getLong(ip + Ipv6Flyweight.SOURCE_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        final long dh = b.getLong(ip + Ipv6Flyweight.DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN);
        final long dl = b.getLong(ip + Ipv6Flyweight.DESTINATION_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        int next = b.getByte(ip + Ipv6Flyweight.NEXT_HEADER_OFFSET) & 0xFF;
        int at = ip + Ipv6Flyweight.HEADER_LENGTH;
        final int end = ip + length;
        for (int i = 0; i < io.flowstack.ip.ipv6.Ipv6Layer.MAX_EXTENSION_HEADERS && end - at >= 8; i++)
        {
            if (next != Ipv6Flyweight.HOP_BY_HOP && next != Ipv6Flyweight.DESTINATION_OPTIONS
                && next != Ipv6Flyweight.ROUTING)
            {
                break;
            }
            next = b.getByte(at) & 0xFF;
            at += ((b.getByte(at + 1) & 0xFF) + 1) * 8;
        }
        if ((next == Ipv4Flyweight.PROTO_TCP || next == Ipv4Flyweight.PROTO_UDP) && end - at >= 4)
        {
            return ownership.ownerOfFlow6(ifIndex, next, sh, sl, dh, dl, b.getShort(at, ByteOrder.BIG_ENDIAN) & 0xFFFF,
                b.getShort(at + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF);
        }
        if (next == Ipv6Flyweight.PROTO_ICMPV6 && end - at >= 1)
        {
            final int type = b.getByte(at) & 0xFF;
            if (type >= 133 && type <= 137)
            {
                return ownership.ownerOfNonIp(ifIndex);
            }
        }
        return ownership.ownerOfAddresses6(ifIndex, next, sh, sl, dh, dl);
    }

    /**
     * @return the ownership function.
     */
    public FlowOwnership ownership()
    {
        return ownership;
    }
}
