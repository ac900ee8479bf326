package io.flowstack.tcp.cc;

/**
 * A sender's congestion control, consulted by the TCB (RFC 5681). Behind an interface because SACK-based
 * recovery, NewReno refinements, CUBIC and RACK come next. Sizes are in bytes; one instance per connection.
 */
public interface CongestionControl
{
    /**
     * @param mss the sender's maximum segment size; sets the initial window (RFC 5681 3.1).
     */
    void init(int mss);

    /**
     * @return the congestion window.
     */
    int cwnd();

    /**
     * @return the slow start threshold.
     */
    int ssthresh();

    /**
     * New data was acknowledged.
     *
     * @param ackedBytes bytes newly acknowledged.
     * @param inFlight   bytes outstanding before this acknowledgment.
     */
    void onAck(int ackedBytes, int inFlight);

    /**
     * The third duplicate acknowledgment: enter fast retransmit and fast recovery (RFC 5681 3.2).
     *
     * @param inFlight bytes outstanding.
     */
    void onFastRetransmit(int inFlight);

    /**
     * A further duplicate acknowledgment during fast recovery (inflates the window by one segment).
     */
    void onDuplicateAckInRecovery();

    /**
     * The acknowledgment that ends fast recovery.
     */
    void onRecoveryEnd();

    /**
     * The retransmission timer fired (RFC 5681 3.1, equation 4).
     *
     * @param inFlight bytes outstanding.
     */
    void onTimeout(int inFlight);

    /**
     * @return true while in fast recovery.
     */
    boolean inRecovery();
}
