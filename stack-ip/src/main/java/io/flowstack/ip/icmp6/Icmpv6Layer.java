package io.flowstack.ip.icmp6;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.counter.StackCounter;
import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.core.time.RateLimiter;
import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.ipv6.Ipv6Errors;
import io.flowstack.ip.ipv6.Ipv6Layer;
import io.flowstack.ip.ndp.NdpLayer;
import io.flowstack.ip.net.NetworkView;
import io.flowstack.ip.net.PacketTooBig;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.net.Transport;
import io.flowstack.ip.wire.Ipv6Flyweight;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;

/**
 * ICMPv6 for a host (RFC 4443): checks every message's checksum (over the IPv6 pseudo-header), answers echo
 * requests in place (also those to all nodes, as Linux does), passes neighbor solicitations and advertisements to
 * the interface's {@link NdpLayer}, and sends the errors IPv6 asks for, rate limited, quoting as much of the
 * offending packet as fits in the minimum MTU.
 */
public final class Icmpv6Layer implements Transport, Ipv6Errors
{
    /** Type: destination unreachable. */
    public static final int TYPE_DESTINATION_UNREACHABLE = 1;
    /** Type: packet too big. */
    public static final int TYPE_PACKET_TOO_BIG = 2;
    /** Type: time exceeded. */
    public static final int TYPE_TIME_EXCEEDED = 3;
    /** Type: parameter problem. */
    public static final int TYPE_PARAMETER_PROBLEM = 4;
    /** Type: echo request. */
    public static final int TYPE_ECHO_REQUEST = 128;
    /** Type: echo reply. */
    public static final int TYPE_ECHO_REPLY = 129;
    private static final int PROTO_UDP = 17;
    /** ICMPv6 header: type, code, checksum and the 4-byte field after it. */
    public static final int HEADER_LENGTH = 8;
    /** RFC 4443 2.4 (c): an error quotes as much of the offending packet as fits in the minimum MTU. */
    public static final int MAX_QUOTE = Ipv6Flyweight.MIN_MTU - Ipv6Flyweight.HEADER_LENGTH - HEADER_LENGTH;

    private static final int PROTO = Ipv6Flyweight.PROTO_ICMPV6;

    private final Ipv6Layer ipv6;
    private final NdpLayer[] ndp;
    private final BufferPool pool;
    private final RateLimiter errorLimiter;
    private final Route reply = new Route();
    private final AtomicCounter rxMessages;
    private final AtomicCounter rxBad;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxEchoRequests;
    private final AtomicCounter txEchoReplies;
    private final AtomicCounter txErrors;
    private final AtomicCounter rateLimited;
    private final AtomicCounter rxPacketTooBig;
    private PacketTooBig packetTooBig;

    /**
     * @param ipv6         the layer below.
     * @param ndp          Neighbor Discovery per interface (null where there is no IPv6).
     * @param pool         the core's buffers.
     * @param errorLimiter limits error messages (RFC 4443 2.4 (f)).
     * @param counters     the core's counters.
     */
    public Icmpv6Layer(final Ipv6Layer ipv6, final NdpLayer[] ndp, final BufferPool pool,
        final RateLimiter errorLimiter, final CounterSet counters)
    {
        this.ipv6 = ipv6;
        this.ndp = ndp;
        this.pool = pool;
        this.errorLimiter = errorLimiter;
        rxMessages = counters.counter(Icmpv6Counter.RX_MESSAGES);
        rxBad = counters.counter(Icmpv6Counter.RX_BAD);
        rxDrops = counters.counter(StackCounter.RX_DROPS);
        rxEchoRequests = counters.counter(Icmpv6Counter.RX_ECHO_REQUESTS);
        txEchoReplies = counters.counter(Icmpv6Counter.TX_ECHO_REPLIES);
        txErrors = counters.counter(Icmpv6Counter.TX_ERRORS);
        rateLimited = counters.counter(Icmpv6Counter.TX_RATE_LIMITED);
        rxPacketTooBig = counters.counter(Icmpv6Counter.RX_PACKET_TOO_BIG);
    }

    /**
     * @param listener told of Packet Too Big messages about our packets (TCP lowers its segment size).
     */
    public void packetTooBig(final PacketTooBig listener)
    {
        this.packetTooBig = listener;
    }

    @Override
    public int onPacket(final PacketBuffer packet, final NetworkView net)
    {
        final MutableDirectBuffer b = packet.buffer();
        final int at = net.transportOffset();
        final int length = net.transportLength();
        if (length < 4 || (!packet.checksumTrusted()
            && InternetChecksum.fold(InternetChecksum.partial(b, at, length, net.pseudoHeaderSum())) != 0))
        {
            rxBad.incrementOrdered();
            rxDrops.incrementOrdered();
            packet.release();
            return DELIVERED;
        }
        rxMessages.incrementOrdered();
        final int type = b.getByte(at) & 0xFF;
        final int ifIndex = net.ifIndex();
        if (type == TYPE_ECHO_REQUEST && length >= HEADER_LENGTH)
        {
            rxEchoRequests.incrementOrdered();
            echoReply(packet, net);
            return DELIVERED;
        }
        if ((type == NdpLayer.TYPE_NEIGHBOR_SOLICITATION || type == NdpLayer.TYPE_NEIGHBOR_ADVERTISEMENT)
            && ifIndex < ndp.length && ndp[ifIndex] != null)
        {
            ndp[ifIndex].onMessage(packet, net);
        }
        if (type == TYPE_PACKET_TOO_BIG)
        {
            onPacketTooBig(b, at, length, net);
        }
        // Echo replies, other errors, router advertisements and redirects carry nothing we act on yet.
        packet.release();
        return DELIVERED;
    }

    /**
     * RFC 4443 4.2: the reply carries the request's identifier, sequence and data, from the address the request
     * was sent to (from our address on the link when it went to a multicast group, 4.2's "unicast address").
     */
    private void echoReply(final PacketBuffer packet, final NetworkView net)
    {
        final IpInterface ifc = ipv6.interfaceAt(net.ifIndex());
        if (net.unicastToUs())
        {
            ipv6.routeVia(reply, ifc, net.destinationHigh(), net.destinationLow(), net.sourceHigh(), net.sourceLow());
        }
        else
        {
            final boolean linkLocal = Ipv6Flyweight.isLinkLocal(net.sourceHigh());
            final long sh = linkLocal ? IpInterface.LINK_LOCAL_HIGH : ifc.ipv6High();
            final long sl = linkLocal ? ifc.linkLocalLow() : ifc.ipv6Low();
            if (!ipv6.addresses().isOwn(ifc, sh, sl))
            {
                // Our address there is a duplicate (RFC 4862 5.4.5): nothing to answer from.
                packet.release();
                return;
            }
            ipv6.routeVia(reply, ifc, sh, sl, net.sourceHigh(), net.sourceLow());
        }
        final int at = net.transportOffset();
        final int length = net.transportLength();
        final MutableDirectBuffer b = packet.buffer();
        packet.window(at, length);
        packet.clearOffloads();
        b.putByte(at, (byte)TYPE_ECHO_REPLY);
        b.putShort(at + 2, (short)0);
        final long sum = InternetChecksum.partial(b, at, length, reply.pseudoHeaderSum(PROTO, length));
        b.putShort(at + 2, (short)InternetChecksum.fold(sum), ByteOrder.BIG_ENDIAN);
        ipv6.prependHeader(packet, reply, PROTO, Ipv6Layer.DEFAULT_HOP_LIMIT);
        txEchoReplies.incrementOrdered();
        ipv6.send(packet, reply);
    }

    /**
     * RFC 8201 4: a Packet Too Big names the MTU of a link on the path; it is believed only about a packet that we
     * sent (its quoted source is one of our addresses on that interface) and, for TCP, whose sequence number is in
     * flight (RFC 5927 4.1, checked by TCP). Reported MTUs below 1280 count as 1280 (RFC 8201 4). About UDP or
     * one of our echo replies, the destination's path MTU is kept by the network layer; about TCP, the connection
     * keeps it.
     */
    private void onPacketTooBig(final MutableDirectBuffer b, final int at, final int length, final NetworkView net)
    {
        final int quote = at + HEADER_LENGTH;
        if (length < HEADER_LENGTH + Ipv6Flyweight.HEADER_LENGTH + 8)
        {
            return;
        }
        final IpInterface ifc = ipv6.interfaceAt(net.ifIndex());
        final long sh = b.getLong(quote + Ipv6Flyweight.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN);
        final long sl = b.getLong(quote + Ipv6Flyweight.SOURCE_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        if (ifc == null || !ifc.isOwnIpv6(sh, sl))
        {
            return;
        }
        rxPacketTooBig.incrementOrdered();
        final int protocol = b.getByte(quote + Ipv6Flyweight.NEXT_HEADER_OFFSET) & 0xFF;
        final int transport = quote + Ipv6Flyweight.HEADER_LENGTH;
        if (protocol == PROTO_UDP
            || (protocol == Ipv6Flyweight.PROTO_ICMPV6 && (b.getByte(transport) & 0xFF) == TYPE_ECHO_REPLY))
        {
            // No transport keeps a route for these: the destination's path MTU is kept here (RFC 8201 5.2).
            ipv6.lowerPathMtu(ifc, b.getLong(quote + Ipv6Flyweight.DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN),
                b.getLong(quote + Ipv6Flyweight.DESTINATION_OFFSET + 8, ByteOrder.BIG_ENDIAN),
                b.getInt(at + 4, ByteOrder.BIG_ENDIAN));
            return;
        }
        if (packetTooBig == null)
        {
            return;
        }
        packetTooBig.packetTooBig(protocol, sh, sl,
            b.getShort(transport, ByteOrder.BIG_ENDIAN) & 0xFFFF,
            b.getLong(quote + Ipv6Flyweight.DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN),
            b.getLong(quote + Ipv6Flyweight.DESTINATION_OFFSET + 8, ByteOrder.BIG_ENDIAN),
            b.getShort(transport + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF, b.getInt(transport + 4, ByteOrder.BIG_ENDIAN),
            b.getInt(at + 4, ByteOrder.BIG_ENDIAN));
    }

    @Override
    public void unreachable(final PacketBuffer packet, final int code)
    {
        sendError(packet, TYPE_DESTINATION_UNREACHABLE, code, 0);
    }

    @Override
    public void timeExceeded(final PacketBuffer packet, final int code)
    {
        sendError(packet, TYPE_TIME_EXCEEDED, code, 0);
    }

    @Override
    public void parameterProblem(final PacketBuffer packet, final int code, final int pointer)
    {
        sendError(packet, TYPE_PARAMETER_PROBLEM, code, pointer);
    }

    private void sendError(final PacketBuffer packet, final int type, final int code, final int word)
    {
        final MutableDirectBuffer b = packet.buffer();
        final int at = packet.offset();
        if (packet.length() < Ipv6Flyweight.HEADER_LENGTH)
        {
            return;
        }
        final long sh = b.getLong(at + Ipv6Flyweight.SOURCE_OFFSET, ByteOrder.BIG_ENDIAN);
        final long sl = b.getLong(at + Ipv6Flyweight.SOURCE_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        final long dh = b.getLong(at + Ipv6Flyweight.DESTINATION_OFFSET, ByteOrder.BIG_ENDIAN);
        final long dl = b.getLong(at + Ipv6Flyweight.DESTINATION_OFFSET + 8, ByteOrder.BIG_ENDIAN);
        // RFC 4443 2.4 (e): never about an error message, never to an unspecified or multicast source.
        if ((sh == 0 && sl == 0) || Ipv6Flyweight.isMulticast(sh) || isErrorMessage(b, at, packet.length()))
        {
            return;
        }
        if (!errorLimiter.tryAcquire(ipv6.time().nanoTime()))
        {
            rateLimited.incrementOrdered();
            return;
        }
        final IpInterface ifc = ipv6.interfaceAt(packet.ifIndex());
        // About a packet to a group, the error comes from our address, unless it is a duplicate (RFC 4862 5.4.5).
        final PacketBuffer error = ifc == null
            || (Ipv6Flyweight.isMulticast(dh) && !ipv6.addresses().isOwn(ifc, ifc.ipv6High(), ifc.ipv6Low())) ? null
            : pool.acquire();
        if (error == null)
        {
            return;
        }
        if (Ipv6Flyweight.isMulticast(dh))
        {
            ipv6.routeVia(reply, ifc, ifc.ipv6High(), ifc.ipv6Low(), sh, sl);
        }
        else
        {
            ipv6.routeVia(reply, ifc, dh, dl, sh, sl);
        }
        // The quote shows the packet as it was on the wire (a partial checksum is finished first).
        VirtioNetHeader.completeChecksum(packet);
        final int quoted = Math.min(packet.length(), MAX_QUOTE);
        final int e = error.offset();
        final MutableDirectBuffer eb = error.buffer();
        eb.putBytes(e + HEADER_LENGTH, b, at, quoted);
        final int length = HEADER_LENGTH + quoted;
        error.window(e, length);
        eb.putInt(e, type << 24 | code << 16, ByteOrder.BIG_ENDIAN);
        eb.putInt(e + 4, word, ByteOrder.BIG_ENDIAN);
        final long sum = InternetChecksum.partial(eb, e, length, reply.pseudoHeaderSum(PROTO, length));
        eb.putShort(e + 2, (short)InternetChecksum.fold(sum), ByteOrder.BIG_ENDIAN);
        ipv6.prependHeader(error, reply, PROTO, Ipv6Layer.DEFAULT_HOP_LIMIT);
        txErrors.incrementOrdered();
        ipv6.send(error, reply);
    }

    /** @return true if the packet is an ICMPv6 error message right after the fixed header (RFC 4443 2.4 (e.1)). */
    private static boolean isErrorMessage(final MutableDirectBuffer b, final int at, final int length)
    {
        return (b.getByte(at + Ipv6Flyweight.NEXT_HEADER_OFFSET) & 0xFF) == PROTO
            && length > Ipv6Flyweight.HEADER_LENGTH && (b.getByte(at + Ipv6Flyweight.HEADER_LENGTH) & 0xFF) < 128;
    }
}
