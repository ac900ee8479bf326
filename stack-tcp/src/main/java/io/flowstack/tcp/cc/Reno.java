package io.flowstack.tcp.cc;

/**
 * RFC 5681's window: slow start, congestion avoidance with appropriate byte counting (RFC 3465, L=2), halving on
 * a congestion event and one segment after a timeout. The initial window is RFC 6928's ten segments.
 */
public final class Reno implements CongestionControl
{
    private int mss;
    private int cwnd;
    private int ssthresh;
    private int bytesAcked;
    private int priorCwnd;
    private int priorSsthresh;

    @Override
    public void init(final int mss, final long nowNs)
    {
        this.mss = mss;
        this.cwnd = initialWindow(mss);
        this.ssthresh = Integer.MAX_VALUE;
        this.bytesAcked = 0;
    }

    /**
     * @param mss the sender's maximum segment size.
     * @return RFC 6928's initial window: min(10 MSS, max(2 MSS, 14600)).
     */
    static int initialWindow(final int mss)
    {
        return Math.min(10 * mss, Math.max(2 * mss, 14600));
    }

    @Override
    public int cwnd()
    {
        return cwnd;
    }

    @Override
    public int ssthresh()
    {
        return ssthresh;
    }

    @Override
    public void onAck(final long nowNs, final AckSample ack)
    {
        final int acked = ack.ackedBytes;
        if (cwnd < ssthresh)
        {
            // Slow start, at most 2 SMSS per ACK (RFC 3465 L=2).
            cwnd = saturatingAdd(cwnd, Math.min(acked, 2 * mss * ack.stretch));
        }
        else
        {
            // Congestion avoidance: one SMSS per cwnd of acknowledged bytes (RFC 5681 3.1, equation 3 variant).
            bytesAcked += acked;
            if (bytesAcked >= cwnd)
            {
                bytesAcked -= cwnd;
                cwnd = saturatingAdd(cwnd, mss);
            }
        }
    }

    @Override
    public void onCongestionEvent(final long nowNs, final int inFlight)
    {
        priorCwnd = cwnd;
        priorSsthresh = ssthresh;
        // RFC 5681 3.2 step 2 (equation 4).
        ssthresh = Math.max(inFlight / 2, 2 * mss);
        cwnd = ssthresh;
        bytesAcked = 0;
    }

    @Override
    public void onRecoveryEnd(final long nowNs)
    {
        // RFC 6582 3.2 step 3, option 2: set cwnd to ssthresh.
        cwnd = ssthresh;
        bytesAcked = 0;
    }

    @Override
    public void onTimeout(final long nowNs, final int inFlight)
    {
        priorCwnd = cwnd;
        priorSsthresh = ssthresh;
        ssthresh = Math.max(inFlight / 2, 2 * mss);
        cwnd = mss;
        bytesAcked = 0;
    }

    @Override
    public void onUndo(final long nowNs)
    {
        // As Linux undoes (tcp_undo_cwnd_reduction): never below where the window is now.
        cwnd = Math.max(cwnd, priorCwnd);
        ssthresh = Math.max(ssthresh, priorSsthresh);
    }

    @Override
    public String name()
    {
        return "reno";
    }

    static int saturatingAdd(final int a, final int b)
    {
        final long s = (long)a + b;
        return s > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int)s;
    }
}
