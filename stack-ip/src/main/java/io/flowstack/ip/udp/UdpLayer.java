package io.flowstack.ip.udp;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.ip.IpInterface;
import io.flowstack.ip.icmp.IcmpLayer;
import io.flowstack.ip.ipv4.Ipv4Layer;
import io.flowstack.ip.ipv4.TransportHandler;
import io.flowstack.ip.wire.IcmpFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.UdpFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * UDP (RFC 768, RFC 1122 4.1) on one core: checks, demultiplexes to bound endpoints, answers datagrams for
 * closed ports with ICMP port unreachable, and sends.
 */
public final class UdpLayer implements TransportHandler
{
    /** Largest payload of one datagram over IPv4: 65535 - 20 - 8. */
    public static final int MAX_PAYLOAD = 65_507;

    private final Ipv4Layer ipv4;
    private final IcmpLayer icmp;
    private final BufferPool pool;
    private final Int2ObjectHashMap<UdpEndpoint> endpoints = new Int2ObjectHashMap<>();
    private final UdpFlyweight udp = new UdpFlyweight();
    private final AtomicCounter rxDatagrams;
    private final AtomicCounter rxBad;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxBadChecksum;
    private final AtomicCounter rxNoPort;
    private final AtomicCounter txDatagrams;
    private final AtomicCounter txDrops;

    /**
     * @param ipv4     the IP layer below.
     * @param icmp     for port unreachable.
     * @param pool     the core's buffers.
     * @param counters the core's counters.
     */
    public UdpLayer(final Ipv4Layer ipv4, final IcmpLayer icmp, final BufferPool pool, final CounterSet counters)
    {
        this.ipv4 = ipv4;
        this.icmp = icmp;
        this.pool = pool;
        rxDatagrams = counters.counter("udp.rx.datagrams");
        rxBad = counters.counter("udp.rx.bad_length");
        rxDrops = counters.counter(CounterSet.RX_DROPS);
        rxBadChecksum = counters.counter("udp.rx.bad_checksum");
        rxNoPort = counters.counter("udp.rx.no_port");
        txDatagrams = counters.counter("udp.tx.datagrams");
        txDrops = counters.counter("udp.tx.drops");
    }

    /**
     * Binds a port on this core.
     *
     * @param localAddress address to accept on, 0 for any of this host's.
     * @param localPort    port, 1..65535.
     * @param handler      receives datagrams.
     * @return the endpoint.
     * @throws IllegalStateException if the port is bound already.
     */
    public UdpEndpoint bind(final int localAddress, final int localPort, final UdpHandler handler)
    {
        if (localPort <= 0 || localPort > 65535)
        {
            throw new IllegalArgumentException("UDP port out of range: " + localPort);
        }
        if (endpoints.containsKey(localPort))
        {
            throw new IllegalStateException("UDP port " + localPort + " is already bound");
        }
        final UdpEndpoint endpoint = new UdpEndpoint(this, localAddress, localPort, handler);
        endpoints.put(localPort, endpoint);
        return endpoint;
    }

    void unbind(final UdpEndpoint endpoint)
    {
        endpoints.remove(endpoint.localPort());
    }

    @Override
    public void onDatagram(final PacketBuffer datagram, final Ipv4Flyweight ip, final long nowNs)
    {
        udp.wrap(datagram.buffer(), ip.payloadOffset(), ip.payloadLength());
        if (!udp.check())
        {
            rxBad.incrementOrdered();
            rxDrops.incrementOrdered();
            datagram.release();
            return;
        }
        if (!udp.checksumValid(ip.source(), ip.destination()))
        {
            rxBadChecksum.incrementOrdered();
            rxDrops.incrementOrdered();
            datagram.release();
            return;
        }
        final UdpEndpoint endpoint = endpoints.get(udp.destinationPort());
        if (endpoint == null || (endpoint.localAddress() != 0 && endpoint.localAddress() != ip.destination()))
        {
            rxNoPort.incrementOrdered();
            rxDrops.incrementOrdered();
            final IpInterface ifc = ipv4.interfaceAt(datagram.ifIndex());
            // RFC 1122 4.1.3.1: port unreachable, but never for broadcasts (3.2.2).
            if (ifc != null && ip.destination() == ifc.address())
            {
                icmp.sendUnreachable(datagram, ip, IcmpFlyweight.CODE_PORT_UNREACHABLE, nowNs);
            }
            datagram.release();
            return;
        }
        rxDatagrams.incrementOrdered();
        final int payloadOffset = udp.offset() + UdpFlyweight.HEADER_LENGTH;
        final int payloadLength = udp.udpLength() - UdpFlyweight.HEADER_LENGTH;
        endpoint.handler().onDatagram(
            endpoint, ip.source(), udp.sourcePort(), datagram.buffer(), payloadOffset, payloadLength, nowNs);
        datagram.release();
    }

    boolean send(
        final UdpEndpoint endpoint,
        final int destination,
        final int destinationPort,
        final DirectBuffer payload,
        final int offset,
        final int length,
        final long nowNs)
    {
        if (length < 0 || length > MAX_PAYLOAD)
        {
            txDrops.incrementOrdered();
            return false;
        }
        final IpInterface ifc = ipv4.route(destination);
        if (ifc == null)
        {
            txDrops.incrementOrdered();
            return false;
        }
        final PacketBuffer datagram = pool.acquire();
        if (datagram == null)
        {
            txDrops.incrementOrdered();
            return false;
        }
        final int source = endpoint.localAddress() != 0 ? endpoint.localAddress() : ifc.address();
        final int at = datagram.offset();
        datagram.buffer().putBytes(at, payload, offset, length);
        datagram.window(at, length);
        final int udpAt = datagram.prepend(UdpFlyweight.HEADER_LENGTH);
        udp.wrap(datagram.buffer(), udpAt, datagram.length())
            .sourcePort(endpoint.localPort())
            .destinationPort(destinationPort)
            .udpLength(datagram.length())
            .computeChecksum(source, destination);
        ipv4.prependHeader(datagram, source, destination, Ipv4Flyweight.PROTO_UDP, false);
        txDatagrams.incrementOrdered();
        ipv4.send(datagram, nowNs);
        return true;
    }
}
