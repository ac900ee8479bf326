package io.flowstack.tcp.recovery;

import io.flowstack.tcp.cc.AckSample;

/**
 * How a sender detects losses and repairs them, apart from how its window grows ({@code CongestionControl}):
 * {@link NewRenoRecovery} without SACK, {@link RackRecovery} (RACK-TLP with PRR) with it. One instance per
 * connection; it acts through the {@link RecoverySender} it was given, reads the {@link TransmitRecord}, and tells
 * the congestion control about acknowledged data and congestion events.
 */
public interface LossRecovery
{
    /**
     * Forgets everything, for a new connection.
     */
    void reset();

    /**
     * An acknowledgment was processed (the record already took its cumulative ACK and SACK blocks).
     *
     * @param nowNs current time.
     * @param ack   what it told.
     */
    void onAck(long nowNs, AckSample ack);

    /**
     * The retransmission timer fired (RFC 6298 5.4); the congestion control was told already.
     *
     * @param nowNs current time.
     */
    void onRetransmissionTimeout(long nowNs);

    /**
     * @return true while repairing a loss.
     */
    boolean inRecovery();

    /**
     * @param cwnd the congestion window.
     * @return bytes the sender may have in flight now, by {@link #pipe()}'s count (before the peer's window).
     */
    int sendWindow(int cwnd);

    /**
     * Whether an acknowledgment leaves the retransmission timer running instead of restarting it (RFC 6298 5.3
     * restarts it on every new acknowledgment; NewReno's recovery keeps it after the first partial one).
     *
     * @param ack SEG.ACK of the acknowledgment.
     * @return true to leave the timer as it is.
     */
    default boolean holdsRetransmitTimer(final int ack)
    {
        return false;
    }

    /**
     * @return bytes the sender counts as in the network (RFC 6675 pipe; SND.NXT - SND.UNA without SACK).
     */
    int pipe();

    /**
     * @return the index in the record of the next segment to retransmit now, or -1.
     */
    int nextRetransmission();

    /**
     * Bytes went out.
     *
     * @param nowNs          current time.
     * @param bytes          sequence space sent.
     * @param retransmission true if they were sent before.
     */
    void onSent(long nowNs, int bytes, boolean retransmission);

    /**
     * @return when {@link #onTimer} wants to run (a reordering timer, a tail loss probe), or {@link Long#MAX_VALUE}.
     */
    long deadline();

    /**
     * Its deadline passed.
     *
     * @param nowNs current time.
     */
    void onTimer(long nowNs);
}
