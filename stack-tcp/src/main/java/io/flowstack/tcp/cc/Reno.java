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

    @Override
    public void init(final int mss, final long nowNs)
    {
        this.mss = mss;
        // RFC 6928: IW = min(10 * MSS, max(2 * MSS, 14600)).
        this.cwnd = Math.min(10 * mss, Math.max(2 * mss, 14600));
        this.ssthresh = Integer.MAX_VALUE;
        this.bytesAcked = 0;
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
    public void onAck(final long nowNs, final int ackedBytes, final int inFlight, final long rttNs)
    {
        if (cwnd < ssthresh)
        {
            // Slow start, at most 2 SMSS per ACK (RFC 3465 L=2).
            cwnd = saturatingAdd(cwnd, Math.min(ackedBytes, 2 * mss));
        }
        else
        {
            // Congestion avoidance: one SMSS per cwnd of acknowledged bytes (RFC 5681 3.1, equation 3 variant).
            bytesAcked += ackedBytes;
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
        ssthresh = Math.max(inFlight / 2, 2 * mss);
        cwnd = mss;
        bytesAcked = 0;
    }

    private static int saturatingAdd(final int a, final int b)
    {
        final long s = (long)a + b;
        return s > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int)s;
    }
}
