package io.flowstack.tcp.tcb;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.wire.Ipv4Flyweight;
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

    void arrive(final PacketBuffer datagram, final Ipv4Flyweight ip, final long nowNs)
    {
        final TcpCounters counters = layer.counters;
        final int tcpLength = ip.payloadLength();
        final TcpFlyweight tcp = rxTcp.wrap(datagram.buffer(), ip.payloadOffset(), tcpLength);
        final int verdict = tcp.check();
        if (verdict != TcpFlyweight.VALID)
        {
            layer.drop(verdict == TcpFlyweight.BAD_OPTIONS ? counters.rxBadOptions : counters.rxBadHeader);
            return;
        }
        // A checksum the device verified, or a partial one from a local sender (memory, no wire), needs no check.
        if (!datagram.checksumTrusted() && !tcp.checksumValid(ip.source(), ip.destination(), tcpLength))
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
        s.sourceAddress = ip.source();
        s.destinationAddress = ip.destination();
        s.sourcePort = tcp.sourcePort();
        s.destinationPort = tcp.destinationPort();
        s.seq = tcp.sequenceNumber();
        s.ack = tcp.acknowledgmentNumber();
        s.window = tcp.window();
        s.buffer = datagram.buffer();
        s.payloadOffset = tcp.offset() + tcp.dataOffset();
        s.payloadLength = tcpLength - tcp.dataOffset();
        s.gsoSize = datagram.gsoType() == PacketBuffer.GSO_TCPV4 ? datagram.gsoSize() : 0;

        final Tcb tcb = layer.table.get(s.destinationAddress, s.destinationPort, s.sourceAddress, s.sourcePort);
        if (tcb != null)
        {
            SegmentArrives.process(tcb, s, nowNs);
            return;
        }
        final Listener listener = layer.passiveOpen.find(s.destinationAddress, s.destinationPort);
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
