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
     * @return the highest sequence number sent (SND.MAX; SND.NXT may have gone back after a timeout).
     */
    int sndMax();

    /**
     * @return bytes outstanding (SND.NXT - SND.UNA).
     */
    int inFlight();

    /**
     * @return the sender's maximum segment size.
     */
    int mss();

    /**
     * @return the connection's congestion control.
     */
    CongestionControl congestionControl();

    /**
     * Sends the first unacknowledged segment again, now.
     *
     * @param nowNs current time.
     */
    void retransmitFirst(long nowNs);

    /**
     * Counts a fast retransmission (loss detected without a timeout).
     */
    void countFastRetransmit();
}
