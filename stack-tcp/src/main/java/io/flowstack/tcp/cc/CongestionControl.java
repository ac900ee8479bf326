package io.flowstack.tcp.cc;

/**
 * A sender's congestion window (RFC 5681 and its successors), one instance per connection, chosen per connection.
 * It owns cwnd and ssthresh and how they grow and shrink; when a loss is detected and what is retransmitted is
 * the {@code LossRecovery}'s business, which tells this object about congestion events. Every call gets the time,
 * and acknowledgments get the RTT sample they produced, which delay- and rate-based algorithms (CUBIC, BBR) need.
 * Sizes are in bytes.
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
     * @param nowNs      current time.
     * @param ackedBytes bytes newly acknowledged.
     * @param inFlight   bytes outstanding before this acknowledgment.
     * @param rttNs      the round-trip time this acknowledgment measured, or -1 if it gave no sample.
     */
    void onAck(long nowNs, int ackedBytes, int inFlight, long rttNs);

    /**
     * A loss was detected without a timeout (fast retransmit): reduce the window once for this window of data.
     *
     * @param nowNs    current time.
     * @param inFlight bytes outstanding.
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
}
