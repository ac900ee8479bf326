package io.flowstack.tcp.tcb;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.ip.wire.TcpOptions;
import io.flowstack.tcp.api.TcpState;

/**
 * Builds one segment of a connection in a pool buffer: payload copied from the send buffer, header and options
 * ({@link TcpOptions}, Linux's layout) written in front of it, checksum over the connection's route's
 * pseudo-header, and hands it to the network layer on that route. Every
 * segment with an ACK settles what the receiver owed. On a device with offloads the checksum is left partial and a
 * segment longer than the MSS is marked for the device to cut (TSO).
 */
final class SegmentWriter
{
    private SegmentWriter()
    {
    }

    /**
     * @return false if no buffer was free (the segment is lost; timers recover).
     */
    static boolean emit(final Tcb tcb, final int seq, final int flags, final int len, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        final PacketBuffer buf = layer.pool.acquire();
        if (buf == null)
        {
            layer.counters.txDrops.incrementOrdered();
            return false;
        }
        final boolean syn = (flags & TcpFlags.SYN) != 0;
        final int at = buf.offset();
        // A device that gathers takes the payload from the send ring where it lies; others get a copy.
        final boolean gathered = len > 0 && tcb.snd.offloads.txGather() && tcb.snd.buffer.attach(seq, len, buf);
        if (len > 0 && !gathered)
        {
            tcb.snd.buffer.copy(seq, buf.buffer(), at, len);
        }
        buf.window(at, gathered ? 0 : len);
        final TcpOptions options = layer.txOptions.reset();
        if (syn)
        {
            options.mss(tcb.rcv.mss);
            if (tcb.windowScaling)
            {
                options.windowScale(tcb.rcv.wndShift);
            }
            options.sackPermitted(tcb.sack);
        }
        if (tcb.timestamps)
        {
            // RFC 7323 3: TSval is our clock when the segment is sent; TSecr echoes TS.Recent (0 in our SYN).
            options.timestamps(layer.tsClock(nowNs), syn && tcb.state == TcpState.SYN_SENT ? 0 : tcb.rcv.tsRecent);
        }
        final boolean ack = (flags & TcpFlags.ACK) != 0;
        if (ack && tcb.sack && !syn)
        {
            tcb.rcv.sackReport.addTo(options, tcb.rcv.buffer);
            if (!tcb.snd.offloads.txTcpSegmentation() && len + options.length() > room(tcb))
            {
                // The data was sized before the blocks changed: the segment must still fit the peer's MSS.
                options.clearSackBlocks();
            }
        }
        final int headerLength = TcpFlyweight.HEADER_LENGTH + options.length();
        final int tcpAt = buf.prepend(headerLength);
        final int ackField = ack ? tcb.rcv.nxt() : 0;
        final TcpFlyweight tcp = layer.txTcp;
        tcp.wrap(buf.buffer(), tcpAt, buf.length())
            .sourcePort(tcb.localPort)
            .destinationPort(tcb.remotePort)
            .sequenceNumber(seq)
            .acknowledgmentNumber(ackField)
            .dataOffset(headerLength)
            .flags(flags)
            .window(tcb.rcv.windowField(syn))
            .urgentPointer(0);
        options.emit(buf.buffer(), tcpAt + TcpFlyweight.HEADER_LENGTH);
        final Sender snd = tcb.snd;
        if (snd.offloads.txChecksum())
        {
            // The device sums the segment (and each piece it cuts a large one into); we give the pseudo-header.
            tcp.partialChecksum(tcb.route.pseudoHeaderSum(Ipv4Flyweight.PROTO_TCP, buf.wireLength()));
            buf.checksumPartial(tcpAt, TcpFlyweight.CHECKSUM_OFFSET);
            final int piece = room(tcb) - options.length();
            if (snd.offloads.txTcpSegmentation() && len > piece)
            {
                // Cut so that every piece, which gets this header and its options (virtio 5.1.6.2, TSO), fits
                // the peer's MSS.
                buf.gso(tcb.route.ipv4() ? PacketBuffer.GSO_TCPV4 : PacketBuffer.GSO_TCPV6, piece);
            }
        }
        else
        {
            tcp.computeChecksum(tcb.route.pseudoHeaderSum(Ipv4Flyweight.PROTO_TCP, buf.length()), buf.length());
        }
        if (ack)
        {
            tcb.rcv.lastAckSent = ackField;
            tcb.rcv.ack.onAckSent();
            tcb.timers.cancel(TimerTable.DELAYED_ACK);
        }
        layer.counters.txSegments.incrementOrdered();
        layer.network.send(buf, tcb.route, Ipv4Flyweight.PROTO_TCP, true);
        return true;
    }

    /** @return option and payload bytes one segment on the wire may carry: the peer's MSS counts timestamps out. */
    private static int room(final Tcb tcb)
    {
        return tcb.snd.mss + (tcb.timestamps ? SynOptions.TIMESTAMPS_LENGTH : 0);
    }
}
