package io.flowstack.ip.icmp;

import io.flowstack.core.counter.StackCounter;
import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.time.RateLimiter;
import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.ip.ipv4.Ipv4Layer;
import io.flowstack.ip.ipv4.ReassemblyTimeoutHandler;
import io.flowstack.ip.ipv4.Unreachable;
import io.flowstack.ip.net.NetworkView;
import io.flowstack.ip.net.Transport;
import io.flowstack.ip.wire.IcmpFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;

/**
 * ICMP for a host (RFC 792, RFC 1122 3.2.2): answers echo requests in place and sends destination-unreachable
 * errors, rate limited, for datagrams nobody takes.
 */
public final class IcmpLayer implements Transport, Unreachable
{
    /**
     * Bytes of the offending datagram quoted in an error: RFC 1812 4.3.2.3 asks for as much as fits in 576
     * bytes, RFC 792 for at least the header and 8 bytes.
     */
    public static final int MAX_QUOTE = 576 - Ipv4Flyweight.MIN_HEADER_LENGTH - IcmpFlyweight.HEADER_LENGTH;
    /** Time exceeded code: fragment reassembly time exceeded (RFC 792). */
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    private final Ipv4Layer ipv4;
    private final BufferPool pool;
    private final RateLimiter errorLimiter;
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final Ipv4Flyweight out = new Ipv4Flyweight();
    private final ReassemblyTimeoutHandler reassemblyTimeout = this::onReassemblyTimeout;
    private final AtomicCounter rxMessages;
    private final AtomicCounter rxBad;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxEchoRequests;
    private final AtomicCounter txEchoReplies;
    private final AtomicCounter txErrors;
    private final AtomicCounter rateLimited;

    /**
     * @param ipv4         the IP layer below.
     * @param pool         the core's buffers.
     * @param errorLimiter limits error messages.
     * @param counters     the core's counters.
     */
    public IcmpLayer(final Ipv4Layer ipv4, final BufferPool pool, final RateLimiter errorLimiter, final CounterSet counters)
    {
        this.ipv4 = ipv4;
        this.pool = pool;
        this.errorLimiter = errorLimiter;
        rxMessages = counters.counter(IcmpCounter.RX_MESSAGES);
        rxBad = counters.counter(IcmpCounter.RX_BAD);
        rxDrops = counters.counter(StackCounter.RX_DROPS);
        rxEchoRequests = counters.counter(IcmpCounter.RX_ECHO_REQUESTS);
        txEchoReplies = counters.counter(IcmpCounter.TX_ECHO_REPLIES);
        txErrors = counters.counter(IcmpCounter.TX_ERRORS);
        rateLimited = counters.counter(IcmpCounter.TX_RATE_LIMITED);
    }

    @Override
    public int onPacket(final PacketBuffer datagram, final NetworkView ip)
    {
        final int length = ip.transportLength();
        icmp.wrap(datagram.buffer(), ip.transportOffset(), length);
        if (!icmp.check() || !icmp.checksumValid(length))
        {
            rxBad.incrementOrdered();
            rxDrops.incrementOrdered();
            datagram.release();
            return DELIVERED;
        }
        rxMessages.incrementOrdered();
        // RFC 1122 3.2.2.6: an echo request to a broadcast address may be silently discarded; we do, like Linux.
        if (icmp.type() == IcmpFlyweight.TYPE_ECHO_REQUEST && ip.unicastToUs())
        {
            rxEchoRequests.incrementOrdered();
            echoReply(datagram, ip);
            return DELIVERED;
        }
        // Echo replies and errors for us carry nothing we act on yet (no path MTU discovery, no ping client).
        datagram.release();
        return DELIVERED;
    }

    /**
     * RFC 792 echo: the reply carries the request's identifier, sequence and data; we turn the request around
     * in place with a fresh IP header, so a reassembled request of any size costs no copy.
     */
    private void echoReply(final PacketBuffer datagram, final NetworkView ip)
    {
        final int source = ip.destination4();
        final int destination = ip.source4();
        final int icmpOffset = ip.transportOffset();
        final int icmpLength = ip.transportLength();
        final int oldWord = icmp.type() << 8 | icmp.code();
        icmp.type(IcmpFlyweight.TYPE_ECHO_REPLY);
        icmp.checksum(InternetChecksum.update16(icmp.checksum(), oldWord, IcmpFlyweight.TYPE_ECHO_REPLY << 8 | icmp.code()));
        // Options of the request are not echoed (RFC 1122 3.2.2.6 allows this for all but route options).
        datagram.window(icmpOffset, icmpLength);
        // Whatever the device said of the request does not describe the reply.
        datagram.clearOffloads();
        ipv4.prependHeader(datagram, source, destination, Ipv4Flyweight.PROTO_ICMP, false);
        txEchoReplies.incrementOrdered();
        ipv4.send(datagram);
    }

    /**
     * Sends destination unreachable for a datagram, quoting its header and the start of its data. The caller
     * keeps ownership of the datagram.
     *
     * @param datagram the offending datagram, window at its IP header.
     * @param code     unreachable code (RFC 792).
     */
    @Override
    public void unreachable(final PacketBuffer datagram, final int code)
    {
        // The quote shows the datagram as it was on the wire: a partial checksum (a local sender's, with offloads)
        // is finished first.
        VirtioNetHeader.completeChecksum(datagram);
        sendError(IcmpFlyweight.TYPE_DEST_UNREACHABLE, code, datagram.buffer(), datagram.offset(), datagram.length());
    }

    /**
     * Sends an ICMP error about a datagram (RFC 792), back to its source, quoting as much of it as fits in 576
     * bytes (RFC 1812 4.3.2.3). Rate limited.
     *
     * @param type   ICMP type.
     * @param code   ICMP code.
     * @param quote  buffer holding the offending datagram from its IP header on.
     * @param offset where its IP header starts.
     * @param length bytes available to quote.
     */
    public void sendError(
        final int type,
        final int code,
        final DirectBuffer quote,
        final int offset,
        final int length)
    {
        if (length < Ipv4Flyweight.MIN_HEADER_LENGTH)
        {
            return;
        }
        if (!errorLimiter.tryAcquire(ipv4.time().nanoTime()))
        {
            rateLimited.incrementOrdered();
            return;
        }
        final PacketBuffer error = pool.acquire();
        if (error == null)
        {
            return;
        }
        final int originalSource = quote.getInt(offset + 12, ByteOrder.BIG_ENDIAN);
        final int originalDestination = quote.getInt(offset + 16, ByteOrder.BIG_ENDIAN);
        final int quoted = Math.min(length, MAX_QUOTE);
        final int at = error.offset();
        error.buffer().putBytes(at + IcmpFlyweight.HEADER_LENGTH, quote, offset, quoted);
        final int icmpLength = IcmpFlyweight.HEADER_LENGTH + quoted;
        error.window(at, icmpLength);
        icmp.wrap(error.buffer(), at, icmpLength)
            .type(type)
            .code(code)
            .restOfHeader(0)
            .computeChecksum(icmpLength);
        ipv4.prependHeader(error, originalDestination, originalSource, Ipv4Flyweight.PROTO_ICMP, false);
        txErrors.incrementOrdered();
        ipv4.send(error);
    }

    /**
     * @return a handler that reports a reassembly timeout with time exceeded, code 1 (RFC 792).
     */
    public ReassemblyTimeoutHandler reassemblyTimeoutHandler()
    {
        return reassemblyTimeout;
    }

    private void onReassemblyTimeout(final DirectBuffer buffer, final int offset, final int length)
    {
        sendError(IcmpFlyweight.TYPE_TIME_EXCEEDED, CODE_REASSEMBLY_TIME_EXCEEDED, buffer, offset, length);
    }
}
