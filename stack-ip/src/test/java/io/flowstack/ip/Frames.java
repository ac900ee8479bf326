package io.flowstack.ip;

import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.ArpRepr;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.EthernetRepr;
import io.flowstack.ip.wire.IcmpFlyweight;
import io.flowstack.ip.wire.IcmpRepr;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.Ipv4Repr;
import io.flowstack.ip.wire.UdpFlyweight;
import io.flowstack.ip.wire.UdpRepr;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds test frames as a kernel peer would send them, from the wire value forms.
 */
public final class Frames
{
    private Frames()
    {
    }

    /**
     * @return an ARP request from the peer for the target address.
     */
    public static byte[] arpRequest(final long srcMac, final int srcIp, final int targetIp)
    {
        final byte[] frame = new byte[EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH];
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        new EthernetRepr(EthernetFlyweight.BROADCAST, srcMac, EthernetFlyweight.TYPE_ARP)
            .emit(new EthernetFlyweight().wrap(b, 0, frame.length));
        new ArpRepr(ArpFlyweight.OP_REQUEST, srcMac, srcIp, 0, targetIp)
            .emit(new ArpFlyweight().wrap(b, EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH));
        return frame;
    }

    /**
     * @return an IPv4 datagram in an Ethernet frame.
     */
    public static byte[] ipv4(
        final long dstMac, final long srcMac, final int src, final int dst, final int protocol,
        final int identification, final int flagsFragment, final byte[] payload)
    {
        final int total = Ipv4Flyweight.MIN_HEADER_LENGTH + payload.length;
        final byte[] frame = new byte[EthernetFlyweight.HEADER_LENGTH + total];
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        new EthernetRepr(dstMac, srcMac, EthernetFlyweight.TYPE_IPV4).emit(new EthernetFlyweight().wrap(b, 0, frame.length));
        b.putBytes(EthernetFlyweight.HEADER_LENGTH + Ipv4Flyweight.MIN_HEADER_LENGTH, payload);
        new Ipv4Repr(0, total, identification, flagsFragment, 64, protocol, src, dst)
            .emit(new Ipv4Flyweight().wrap(b, EthernetFlyweight.HEADER_LENGTH, total));
        return frame;
    }

    /**
     * @return an ICMP echo request message (no IP header).
     */
    public static byte[] icmpEcho(final int type, final int identifier, final int sequence, final byte[] data)
    {
        final byte[] msg = new byte[IcmpFlyweight.HEADER_LENGTH + data.length];
        final UnsafeBuffer b = new UnsafeBuffer(msg);
        b.putBytes(IcmpFlyweight.HEADER_LENGTH, data);
        new IcmpRepr(type, 0, identifier << 16 | sequence).emit(new IcmpFlyweight().wrap(b, 0, msg.length), msg.length);
        return msg;
    }

    /**
     * @return a UDP datagram (header and payload, no IP header) with its checksum.
     */
    public static byte[] udp(final int src, final int dst, final int srcPort, final int dstPort, final byte[] data)
    {
        final byte[] msg = new byte[UdpFlyweight.HEADER_LENGTH + data.length];
        final UnsafeBuffer b = new UnsafeBuffer(msg);
        b.putBytes(UdpFlyweight.HEADER_LENGTH, data);
        new UdpRepr(srcPort, dstPort, msg.length).emit(new UdpFlyweight().wrap(b, 0, msg.length), src, dst);
        return msg;
    }
}
