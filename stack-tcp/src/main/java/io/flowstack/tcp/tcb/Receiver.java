package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.buffer.BufferMemory;
import io.flowstack.tcp.buffer.ReceiveBuffer;

/**
 * The receiving half of a connection: the receive sequence variables of RFC 9293 3.3.1, the receive buffer, the
 * peer's FIN, the timestamp to echo, the window we advertise and when we acknowledge.
 */
final class Receiver
{
    /** Out-of-order ranges held at least, whatever the buffer's size. */
    static final int OUT_OF_ORDER_RANGES = 32;
    /** Round trips below this grow the buffer for a sender's slow start only in proportion (see {@link #onRead}). */
    static final long LOW_RTT_NS = 1_000_000L;
    /** One out-of-order range per this many bytes of buffer (a burst of losses in a large window leaves many holes). */
    static final int BYTES_PER_RANGE = 2048;

    final ReceiveBuffer buffer;
    final AckPolicy ack = new AckPolicy();
    final SackReport sackReport = new SackReport();

    int irs;
    /** Right edge of the window we advertised last (RCV.NXT + RCV.WND): it never moves left (RFC 9293 3.8.6). */
    int adv;
    /** Our window scale (RFC 7323). */
    int wndShift;
    /** Largest segment we announced. */
    int mss;
    boolean finReceived;
    boolean peerFinPending;
    int peerFinSeq;
    /** TS.Recent (RFC 7323 4.3). */
    int tsRecent;
    /** Last ACK we sent (Last.ACK.sent of RFC 7323 4.3). */
    int lastAckSent;
    long bytesReceived;
    /** Out-of-order bytes held, as last counted in the core's total ({@link CoreBounds#outOfOrderChanged}). */
    int outOfOrderBytes;

    // Receive-buffer auto-tuning (Linux's dynamic right-sizing, tcp_rcv_space_adjust).
    /** Largest size the buffer may grow to, 0 for a fixed buffer. */
    int maxBuffer;
    /**
     * The smallest round trip the receiver measured (RFC 7323 timestamps on data, as Linux's rcv_rtt), 0 before the
     * first: the buffer is sized for the path, not for a queue (see {@link #rttSample}).
     */
    long minRttNs;
    private long copied;
    /** Bytes read in the last round that grew (Linux's rcvq_space.space). */
    private long space;
    private long spaceStartNs;

    Receiver(final int bufferBytes, final BufferMemory memory)
    {
        this.buffer = new ReceiveBuffer(bufferBytes, ranges(bufferBytes), memory);
    }

    /** The connection is gone: out-of-order data goes (what is in order stays for the application's last reads). */
    void dropOutOfOrder()
    {
        buffer.dropOutOfOrder();
    }

    /**
     * The application read {@code n} bytes. Once per round trip, if it took more than in the round before, the
     * buffer grows to twice that (plus room for reordering), up to {@link #maxBuffer}: the window then lets a
     * sender fill the path, whatever its bandwidth-delay product, without every connection holding the maximum.
     *
     * @param n     bytes just read.
     * @param nowNs current time.
     * @param senderRttNs the sender's smallest RTT, used until the receiver measured a round trip itself.
     */
    void onRead(final int n, final long nowNs, final long senderRttNs)
    {
        final long rtt = minRttNs > 0 ? minRttNs : senderRttNs;
        if (maxBuffer == 0)
        {
            return;
        }
        if (space == 0)
        {
            // The first round is measured against an initial window's worth (RFC 6928: ten segments), as Linux's
            // tcp_init_buffer_space does: against the few bytes of a first, partial round, the next round of slow
            // start would count as a many-fold increase and the buffer would grow to megabytes at once.
            space = 10L * Math.max(1, mss);
        }
        copied += n;
        if (rtt <= 0 || nowNs - spaceStartNs < rtt)
        {
            return;
        }
        if (copied > space)
        {
            // Linux's rule: twice what was read in the round, plus room for reordering; a sender in slow start
            // doubles per round, so a grown amount counts twice more. Below a millisecond the growth counts only in
            // proportion to the round trip (Linux's tcp_rcvbuf_low_rtt): the rate is reached a few rounds later,
            // a ring sized for slow start's doubling would stay megabytes larger than the path and leave the cache.
            long wanted = 2 * copied + 16L * mss;
            wanted += rtt < LOW_RTT_NS ? wanted * rtt / LOW_RTT_NS : 2 * (wanted * (copied - space) / space);
            space = copied;
            if (wanted > buffer.capacity() && buffer.capacity() < maxBuffer)
            {
                final long size = Math.min(maxBuffer, Long.highestOneBit(wanted - 1) << 1);
                buffer.grow((int)size, ranges((int)size));
            }
        }
        copied = 0;
        spaceStartNs = nowNs;
    }

    /**
     * Out-of-order data arrived: the buffer grows to twice what the application read in the last round trip plus
     * the span held beyond the hole, up to {@link #maxBuffer} (Linux 6.16's tcp_rcvbuf_grow from
     * tcp_data_queue_ofo). While a hole stays open, a retransmission lost again keeps it open for round trips,
     * everything after it waits in the buffer, and a window sized for the in-order rate alone stops the sender.
     */
    void onOutOfOrder()
    {
        if (maxBuffer == 0 || buffer.capacity() >= maxBuffer || !buffer.hasOutOfOrder())
        {
            return;
        }
        final long wanted = 2 * space + (buffer.outOfOrderEnd() - buffer.rcvNxt());
        if (wanted > buffer.capacity())
        {
            final long size = Math.min(maxBuffer, Long.highestOneBit(wanted - 1) << 1);
            buffer.grow((int)size, ranges((int)size));
        }
    }

    /**
     * A data segment echoed our timestamp: the time since the timestamp clock showed it is a round trip, plus the
     * peer's delay and any queue on the way. Only the smallest counts, as for the send buffer ({@link Sender}):
     * a queue in front of us (the frames a TAP holds while the core is busy, a bottleneck's) lengthens every sample
     * while the window is what fills it; sized with it, the window grows the queue that grows the window, and a
     * local path's ring reached 8 MiB where 256 KiB carried the same rate. Linux's tcp_rcv_rtt_update (6.16) also
     * takes a smaller sample at once, but smooths towards larger ones, which lets such a queue in. The factor of two
     * in {@link #onRead} covers a path whose own queue is up to one round trip.
     */
    void rttSample(final long sampleNs)
    {
        if (sampleNs > 0 && (minRttNs == 0 || sampleNs < minRttNs))
        {
            minRttNs = sampleNs;
        }
    }

    private static int ranges(final int bufferBytes)
    {
        return Math.max(OUT_OF_ORDER_RANGES, bufferBytes / BYTES_PER_RANGE);
    }

    /** Starts the sequence space after the peer's SYN. */
    void reset(final int initialReceiveSequence)
    {
        irs = initialReceiveSequence;
        buffer.reset(initialReceiveSequence);
        adv = initialReceiveSequence + 1;
        sackReport.reset();
    }

    /** @return RCV.NXT, counting the peer's FIN once it arrived. */
    int nxt()
    {
        return buffer.rcvNxt() + (finReceived ? 1 : 0);
    }

    /**
     * @return RCV.WND as the acceptability test of RFC 9293 3.10.7.4 and RFC 5961 3.2 use it: the window we
     *         advertised, not the buffer space behind it.
     */
    int wnd()
    {
        return Math.max(0, adv - nxt());
    }

    /** @return buffer space for more data (0 once the peer's FIN arrived). */
    int space()
    {
        return buffer.window();
    }

    /**
     * @param syn the field goes in a SYN, where the window is never scaled (RFC 7323 2.2).
     * @return the window field to send, never moving the right edge left and never opening it by a silly amount
     *         (receiver SWS avoidance, RFC 9293 3.8.6.2.2); {@link #adv} follows what is advertised.
     */
    int windowField(final boolean syn)
    {
        final int rcvNxt = nxt();
        int window = space();
        final int advertised = adv - rcvNxt;
        if (Seq.gt(adv, rcvNxt))
        {
            if (window < advertised)
            {
                window = advertised;
            }
            else if (window - advertised < Math.min(buffer.capacity() / 2, mss))
            {
                window = advertised;
            }
        }
        if (syn)
        {
            window = Math.min(window, 65535);
            adv = Seq.max(adv, rcvNxt + window);
            return window;
        }
        final int field = Math.min(window >>> wndShift, 65535);
        final int edge = rcvNxt + (field << wndShift);
        if (Seq.gt(edge, adv))
        {
            adv = edge;
        }
        return field;
    }

    /**
     * After the application read: is a window update worth a segment of its own? As Linux decides it
     * (tcp_cleanup_rbuf): only when what is left of the advertised window is at most half the buffer and the
     * window can now at least double; otherwise the next ACK carries the new window. Silly-window avoidance
     * (RFC 9293 3.8.6.2.2) holds as well: the edge must move by at least min(half the buffer, MSS).
     */
    boolean windowUpdateDue()
    {
        final int remaining = Math.max(0, adv - nxt());
        final int window = Math.min(space(), 65535 << wndShift);
        return 2L * remaining <= buffer.capacity() && window >= 2L * remaining
            && window - remaining >= Math.min(buffer.capacity() / 2, mss);
    }
}
