package io.flowstack.tcp.recovery;

import io.flowstack.tcp.cc.CongestionControl;

/**
 * What loss recovery sees of the sender it works for.
 */
public interface RecoverySender
{
    /**
     * @return SND.UNA.
     */
    int sndUna();

    /**
     * @return the highest sequence number sent (SND.MAX).
     */
    int sndMax();

    /**
     * @return SND.NXT - SND.UNA.
     */
    int inFlight();

    /**
     * @return the sender's maximum segment size.
     */
    int mss();

    /**
     * @return the smoothed round-trip time (RFC 6298 SRTT), or 0 before a sample.
     */
    long srttNs();

    /**
     * @return the retransmission timeout.
     */
    long rtoNs();

    /**
     * @return our RFC 7323 timestamp clock now, or 0 without timestamps.
     */
    int tsNow();

    /**
     * @return the connection's congestion control.
     */
    CongestionControl congestionControl();

    /**
     * @return the record of segments in flight.
     */
    TransmitRecord record();

    /**
     * Sends the first unacknowledged segment again, now (NewReno).
     *
     * @param nowNs current time.
     */
    void retransmitFirst(long nowNs);

    /**
     * A tail loss probe (RFC 8985 7.3): one new segment if the windows allow, else the last segment again.
     *
     * @param nowNs current time.
     */
    void probe(long nowNs);

    /**
     * Counts a loss detected without a timeout.
     */
    void countFastRetransmit();

    /**
     * Counts a reduction of the window undone because the retransmissions were spurious.
     */
    void countUndo();
}
