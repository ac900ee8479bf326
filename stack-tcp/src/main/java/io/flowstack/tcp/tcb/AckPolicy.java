package io.flowstack.tcp.tcb;

/**
 * When a receiver acknowledges (RFC 9293 3.8.6.3, RFC 5681 4.2, RFC 1122 4.2.3.2): at once for an out-of-order
 * segment or one that fills a hole; at once for at least every second full-sized segment; otherwise within the
 * delayed-ACK time. Like Linux's quick-ack mode, the first segments of a connection and the first ones after the
 * sender was silent for longer than the RTO are acknowledged at once, so a sender in slow start or restarting
 * after idle is not held back by our delayed ACK; the ACK normally rides on the application's answer, since it
 * goes out only after the application has seen the data.
 */
final class AckPolicy
{
    /** Linux's TCP_MAX_QUICKACKS. */
    static final int MAX_QUICK_ACKS = 16;
    /** A segment this close to the MSS counts as full (a peer with timestamps sends MSS - 12). */
    private static final int FULL_SLACK = 64;

    /** An ACK is due now. */
    boolean ackNow;
    /** Data segments received since the last ACK we sent. */
    int unacked;
    private int fullSegments;
    /** ACKs still to send at once (quick-ack mode). */
    int quickAcks;
    private long lastDataNs;
    private boolean sawData;

    /**
     * An in-order data segment arrived. A large segment (coalesced by the device, or never cut by a local sender)
     * counts as the segments of {@code segmentSize} it stands for, as Linux counts a GRO segment.
     *
     * @param length      its payload length.
     * @param segmentSize the size of the segments it stands for ({@code length} for an ordinary one).
     * @param rcvMss      the largest segment we expect.
     * @param window  our receive window in bytes.
     * @param nowNs   current time.
     * @param rtoNs   the connection's retransmission timeout (the idle gap that restarts quick-ack mode).
     */
    void onInOrderData(final int length, final int segmentSize, final int rcvMss, final int window, final long nowNs,
        final long rtoNs)
    {
        if (!sawData || nowNs - lastDataNs > rtoNs)
        {
            // Linux's tcp_incr_quickack: up to half the window in segments, at least 2, at most 16.
            quickAcks = Math.max(quickAcks, Math.min(MAX_QUICK_ACKS, Math.max(2, window / (2 * Math.max(1, rcvMss)))));
        }
        sawData = true;
        lastDataNs = nowNs;
        final int size = Math.max(1, segmentSize);
        unacked += Math.max(1, (length + size - 1) / size);
        if (size >= rcvMss - FULL_SLACK)
        {
            fullSegments += length / size;
        }
        if (quickAcks > 0 || fullSegments >= 2)
        {
            ackNow = true;
        }
    }

    /**
     * An out-of-order segment arrived, or one that filled a hole: acknowledge at once (RFC 5681 4.2).
     */
    void onOutOfOrder(final long nowNs)
    {
        sawData = true;
        lastDataNs = nowNs;
        unacked++;
        ackNow = true;
    }

    /**
     * A segment with an ACK went out: nothing is owed any more.
     */
    void onAckSent()
    {
        if (unacked > 0 && quickAcks > 0)
        {
            quickAcks--;
        }
        ackNow = false;
        unacked = 0;
        fullSegments = 0;
    }
}
