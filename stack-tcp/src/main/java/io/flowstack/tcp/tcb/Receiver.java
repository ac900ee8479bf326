package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.buffer.ReceiveBuffer;

/**
 * The receiving half of a connection: the receive sequence variables of RFC 9293 3.3.1, the receive buffer, the
 * peer's FIN, the timestamp to echo, the window we advertise and when we acknowledge.
 */
final class Receiver
{
    /** Out-of-order ranges held per connection. */
    static final int OUT_OF_ORDER_RANGES = 32;

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

    Receiver(final int bufferBytes)
    {
        this.buffer = new ReceiveBuffer(bufferBytes, OUT_OF_ORDER_RANGES);
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
