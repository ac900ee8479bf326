package io.flowstack.tcp.cc;

/**
 * A sender's congestion window (RFC 5681 and its successors), one instance per connection, chosen per connection.
 * It owns cwnd and ssthresh and how they grow and shrink; when a loss is detected and what is retransmitted is
 * the loss recovery's business, which tells this object about acknowledged data and congestion events. Every call
 * gets the time; acknowledgments come as an {@link AckSample} with the RTT they measured and the round trips they
 * end, which delay- and rate-based algorithms need. Sizes are in bytes.
 */
public interface CongestionControl
{
    /**
     * Starts (or restarts) the window for a connection.
     *
     * @param mss   the sender's maximum segment size.
     * @param nowNs current time.
     */
    void init(int mss, long nowNs);

    /**
     * @return the congestion window.
     */
    int cwnd();

    /**
     * @return the slow start threshold ({@link Integer#MAX_VALUE} until the first congestion event).
     */
    int ssthresh();

    /**
     * New data was acknowledged while not recovering from a loss.
     *
     * @param nowNs current time.
     * @param ack   the acknowledgment ({@link AckSample#ackedBytes}, {@link AckSample#rttNs}, ...).
     */
    void onAck(long nowNs, AckSample ack);

    /**
     * A loss was detected without a timeout: reduce the window once for this window of data.
     *
     * @param nowNs    current time.
     * @param inFlight bytes outstanding (FlightSize).
     */
    void onCongestionEvent(long nowNs, int inFlight);

    /**
     * Recovery from a loss ended: the window settles at its reduced size.
     *
     * @param nowNs current time.
     */
    void onRecoveryEnd(long nowNs);

    /**
     * The retransmission timer fired (RFC 5681 3.1, equation 4).
     *
     * @param nowNs    current time.
     * @param inFlight bytes outstanding.
     */
    void onTimeout(long nowNs, int inFlight);

    /**
     * The last reduction was for nothing (the retransmissions were spurious: D-SACK or timestamps showed the
     * originals arrived): go back to the window before it.
     *
     * @param nowNs current time.
     */
    void onUndo(long nowNs);

    /**
     * Every acknowledgment, after loss recovery processed it, in recovery or not, with its delivery rate sample
     * ({@link AckSample#deliveryRate} and the fields after it) and {@link AckSample#pipe}: the input of a
     * model-based algorithm (BBR), which does its per-ACK work here rather than in {@link #onAck}.
     *
     * @param nowNs current time.
     * @param ack   the acknowledgment.
     */
    default void onRateSample(final long nowNs, final AckSample ack)
    {
    }

    /**
     * Loss detection judged a segment lost (draft-ietf-ccwg-bbr 5.2.4, per-loss steps).
     *
     * @param bytes         the segment's length.
     * @param txInFlight    bytes in flight just after it was sent (P.tx_in_flight).
     * @param lostSinceSend bytes judged lost since it was sent, itself included (C.lost - P.lost).
     * @param appLimited    whether it was sent while the connection was application-limited.
     */
    default void onPacketLost(final int bytes, final int txInFlight, final long lostSinceSend,
        final boolean appLimited)
    {
    }

    /**
     * @return whether the algorithm sets the window during loss recovery itself (BBR: draft-ietf-ccwg-bbr 5.6.4.4,
     *         as Linux lets an algorithm with its own {@code cong_control} do), so that loss recovery sends up to
     *         {@link #cwnd()} instead of what Proportional Rate Reduction would allow.
     */
    default boolean modulatesRecoveryWindow()
    {
        return false;
    }

    /**
     * @return the rate the algorithm wants data paced at, in bytes per second; 0 when it does not pace (the sender
     *         may still pace from cwnd and SRTT when configured to, see {@link Pacer}).
     */
    default long pacingRate()
    {
        return 0;
    }

    /**
     * @return a name for diagnostics ("reno", "cubic", "bbr").
     */
    String name();
}
