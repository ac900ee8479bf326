package io.flowstack.tcp.tcb;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.net.NetworkView;
import io.flowstack.ip.wire.TcpFlyweight;

/**
 * Takes an arriving TCP segment apart and finds who processes it: a connection (by its 4-tuple), a listener, or
 * nobody (RFC 9293 3.10.7.1, CLOSED: everything but a RST draws a RST, whatever its flags: FIN-only, null and
 * Xmas probes too, as Linux answers them). Headers that fail the checks are dropped and counted; nothing throws.
 */
final class Demultiplexer
{
    private final TcpLayer layer;
    private final TcpFlyweight rxTcp = new TcpFlyweight();
    private final Segment seg = new Segment();

    Demultiplexer(final TcpLayer layer)
    {
        this.layer = layer;
    }

    void arrive(final PacketBuffer datagram, final NetworkView ip, final long nowNs)
    {
        final TcpCounters counters = layer.counters;
        final int tcpLength = ip.transportLength();
        final TcpFlyweight tcp = rxTcp.wrap(datagram.buffer(), ip.transportOffset(), tcpLength);
        final int verdict = tcp.check();
        if (verdict != TcpFlyweight.VALID)
        {
            layer.drop(verdict == TcpFlyweight.BAD_OPTIONS ? counters.rxBadOptions : counters.rxBadHeader);
            return;
        }
        // A checksum the device verified, or a partial one from a local sender (memory, no wire), needs no check.
        if (!datagram.checksumTrusted() && !tcp.checksumValid(ip.pseudoHeaderSum(), tcpLength))
        {
            layer.drop(counters.rxBadChecksum);
            return;
        }
        final Segment s = seg;
        final int optionsLength = tcp.dataOffset() - TcpFlyweight.HEADER_LENGTH;
        if (s.options.parse(datagram.buffer(), tcp.offset() + TcpFlyweight.HEADER_LENGTH, optionsLength)
            != TcpFlyweight.VALID)
        {
            layer.drop(counters.rxBadOptions);
            return;
        }
        counters.rxSegments.incrementOrdered();
        s.ifIndex = datagram.ifIndex();
        s.flags = tcp.flags();
        s.sourceHigh = ip.sourceHigh();
        s.sourceLow = ip.sourceLow();
        s.destinationHigh = ip.destinationHigh();
        s.destinationLow = ip.destinationLow();
        s.sourcePort = tcp.sourcePort();
        s.destinationPort = tcp.destinationPort();
        s.seq = tcp.sequenceNumber();
        s.ack = tcp.acknowledgmentNumber();
        s.window = tcp.window();
        s.buffer = datagram.buffer();
        s.payloadOffset = tcp.offset() + tcp.dataOffset();
        s.payloadLength = tcpLength - tcp.dataOffset();
        s.gsoSize = datagram.gsoType() == PacketBuffer.GSO_TCPV4 || datagram.gsoType() == PacketBuffer.GSO_TCPV6
            ? datagram.gsoSize() : 0;

        final Tcb tcb = layer.table.get(s.destinationHigh, s.destinationLow, s.destinationPort, s.sourceHigh,
            s.sourceLow, s.sourcePort);
        if (tcb != null)
        {
            SegmentArrives.process(tcb, s, nowNs);
            return;
        }
        final Listener listener = layer.passiveOpen.find(s.destinationHigh, s.destinationLow, s.destinationPort);
        if (listener != null)
        {
            layer.passiveOpen.segmentArrives(listener, s, nowNs);
            return;
        }
        layer.drop(counters.rxNoConnection);
        if (!s.rst())
        {
            layer.resets.sendFor(s, nowNs);
        }
    }
}
