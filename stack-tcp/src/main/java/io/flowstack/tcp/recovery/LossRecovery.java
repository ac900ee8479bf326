package io.flowstack.tcp.recovery;

/**
 * How a sender detects losses and repairs them, apart from how its window grows ({@code CongestionControl}):
 * NewReno's duplicate-ACK counting today; SACK scoreboards and RACK-TLP plug in here. One instance per connection;
 * it acts through the {@link RecoverySender} it was given and tells the congestion control about congestion events.
 */
public interface LossRecovery
{
    /**
     * Forgets everything, for a new connection.
     */
    void reset();

    /**
     * The cumulative acknowledgment moved forward.
     *
     * @param nowNs          current time.
     * @param ack            SEG.ACK (the new SND.UNA).
     * @param ackedBytes     sequence space newly acknowledged.
     * @param inFlightBefore bytes outstanding before it.
     */
    void onNewAck(long nowNs, int ack, int ackedBytes, int inFlightBefore);

    /**
     * A duplicate acknowledgment arrived (RFC 5681 2: nothing new acknowledged, no data, same window, data
     * outstanding).
     *
     * @param nowNs current time.
     */
    void onDuplicateAck(long nowNs);

    /**
     * The retransmission timer fired; the sender goes back to SND.UNA.
     *
     * @param nowNs current time.
     */
    void onTimeout(long nowNs);

    /**
     * @return true while repairing a loss.
     */
    boolean inRecovery();

    /**
     * @return bytes the sender may have outstanding beyond the congestion window while recovering (fast recovery's
     *         inflation by duplicate ACKs); may be negative after a partial acknowledgment.
     */
    int windowAdjustment();
}
