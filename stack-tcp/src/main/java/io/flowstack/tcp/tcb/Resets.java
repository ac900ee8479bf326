package io.flowstack.tcp.tcb;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.time.RateLimiter;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.TcpFlyweight;

/**
 * Sending resets: for a segment nobody owns and for unacceptable ACKs in LISTEN, SYN-SENT and SYN-RECEIVED (RFC
 * 9293 3.10.7.1), and from a connection (ABORT, failures).
 */
final class Resets
{
    /** Resets answering segments, per second per core (beyond, they are counted and not sent). */
    static final int PER_SECOND = 1000;
    /** ... and at once. */
    static final int BURST = 200;

    private final TcpLayer layer;
    private final RateLimiter limiter = new RateLimiter(PER_SECOND, BURST);
    private final Route reply = new Route();

    Resets(final TcpLayer layer)
    {
        this.layer = layer;
    }

    /**
     * RFC 9293 3.10.7.1: if the segment has an ACK, {@code <SEQ=SEG.ACK><CTL=RST>}; otherwise
     * {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}, SEG.LEN counting SYN and FIN. Rate limited per core, so a
     * scan or a flood at closed ports cannot make the stack a reflector.
     */
    void sendFor(final Segment s, final long nowNs)
    {
        if (!limiter.tryAcquire(nowNs))
        {
            layer.counters.resetsLimited.incrementOrdered();
            return;
        }
        if (!layer.network.routeReply(reply, s.ifIndex, s.destinationHigh, s.destinationLow, s.sourceHigh,
            s.sourceLow))
        {
            layer.counters.txDrops.incrementOrdered();
            return;
        }
        if (s.ack())
        {
            send(reply, s.destinationPort, s.sourcePort, s.ack, 0, TcpFlags.RST);
        }
        else
        {
            send(reply, s.destinationPort, s.sourcePort, 0, s.seq + s.len(), TcpFlags.RST | TcpFlags.ACK);
        }
    }

    /**
     * A reset from a connection: {@code <SEQ=seq><CTL=RST>}.
     */
    void send(final Tcb tcb, final int seq)
    {
        send(tcb.route, tcb.localPort, tcb.remotePort, seq, 0, TcpFlags.RST);
    }

    private void send(final Route route, final int fromPort, final int toPort, final int seq, final int ack,
        final int flags)
    {
        final PacketBuffer buf = layer.pool.acquire();
        if (buf == null)
        {
            layer.counters.txDrops.incrementOrdered();
            return;
        }
        buf.window(buf.offset(), 0);
        final int at = buf.prepend(TcpFlyweight.HEADER_LENGTH);
        layer.txTcp.wrap(buf.buffer(), at, TcpFlyweight.HEADER_LENGTH)
            .sourcePort(fromPort)
            .destinationPort(toPort)
            .sequenceNumber(seq)
            .acknowledgmentNumber(ack)
            .dataOffset(TcpFlyweight.HEADER_LENGTH)
            .flags(flags)
            .window(0)
            .urgentPointer(0)
            .computeChecksum(route.pseudoHeaderSum(Ipv4Flyweight.PROTO_TCP, TcpFlyweight.HEADER_LENGTH),
                TcpFlyweight.HEADER_LENGTH);
        layer.counters.txResets.incrementOrdered();
        layer.counters.txSegments.incrementOrdered();
        layer.network.send(buf, route, Ipv4Flyweight.PROTO_TCP, true);
    }
}
