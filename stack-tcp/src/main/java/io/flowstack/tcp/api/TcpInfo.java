package io.flowstack.tcp.api;

/**
 * A snapshot of one connection's state, in the spirit of Linux's TCP_INFO: filled by
 * {@link TcpConnection#info(TcpInfo)} on the owning core, so one instance can be reused without allocating.
 */
public final class TcpInfo
{
    /** The connection's state. */
    public TcpState state = TcpState.CLOSED;
    /** Smoothed round-trip time (RFC 6298 SRTT), nanoseconds; 0 before the first sample. */
    public long srttNs;
    /** Round-trip time variation (RFC 6298 RTTVAR), nanoseconds. */
    public long rttvarNs;
    /** Current retransmission timeout, nanoseconds. */
    public long rtoNs;
    /** Congestion window, bytes. */
    public int cwnd;
    /** Slow-start threshold, bytes ({@link Integer#MAX_VALUE} before the first loss). */
    public int ssthresh;
    /** Largest segment we send. */
    public int sendMss;
    /** Largest segment we announced. */
    public int receiveMss;
    /** The peer's window, bytes (SND.WND, scaled). */
    public int sendWindow;
    /** The window we advertised last, bytes. */
    public int receiveWindow;
    /** Bytes sent and not acknowledged (SND.NXT - SND.UNA). */
    public int inFlight;
    /** Segments retransmitted over the connection's life. */
    public long retransmits;
    /** Retransmission timeouts over the connection's life. */
    public long timeouts;
    /** Bytes the peer acknowledged. */
    public long bytesAcked;
    /** Bytes received in order. */
    public long bytesReceived;
    /** Keep-alive probes sent since the peer was last heard. */
    public int keepAliveProbes;
    /** Send buffer size now (auto-tuning grows it). */
    public int sendBuffer;
    /** Receive buffer size now (auto-tuning grows it). */
    public int receiveBuffer;
    /** The congestion control's name. */
    public String congestionControl = "";

    @Override
    public String toString()
    {
        return state + " srtt=" + srttNs / 1000 + "us rttvar=" + rttvarNs / 1000 + "us rto=" + rtoNs / 1_000_000
            + "ms cwnd=" + cwnd + " ssthresh=" + (ssthresh == Integer.MAX_VALUE ? "-" : Integer.toString(ssthresh))
            + " mss=" + sendMss + "/" + receiveMss + " snd.wnd=" + sendWindow + " rcv.wnd=" + receiveWindow
            + " inflight=" + inFlight + " retrans=" + retransmits + " timeouts=" + timeouts + " acked=" + bytesAcked
            + " received=" + bytesReceived + " sndbuf=" + sendBuffer + " rcvbuf=" + receiveBuffer + " cc="
            + congestionControl;
    }
}
