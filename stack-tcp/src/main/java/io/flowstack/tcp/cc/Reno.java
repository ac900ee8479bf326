package io.flowstack.tcp.cc;

/**
 * RFC 5681 congestion control: slow start, congestion avoidance with appropriate byte counting (RFC 3465, L=2),
 * fast retransmit and fast recovery.
 */
public final class Reno implements CongestionControl
{
    private int mss;
    private int cwnd;
    private int ssthresh;
    private int bytesAcked;
    private boolean recovery;

    @Override
    public void init(final int mss)
    {
        this.mss = mss;
        // RFC 5681 3.1: IW = 2..4 SMSS depending on SMSS; RFC 6928 allows 10 (what Linux uses).
        this.cwnd = Math.min(10 * mss, Math.max(2 * mss, 14600));
        this.ssthresh = Integer.MAX_VALUE;
        this.bytesAcked = 0;
        this.recovery = false;
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
    public void onAck(final int ackedBytes, final int inFlight)
    {
        if (recovery)
        {
            // Partial acknowledgment in recovery (RFC 6582 3.2 step 5): deflate by what was acked, add one SMSS.
            cwnd = Math.max(mss, cwnd - ackedBytes + mss);
            return;
        }
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
    public void onFastRetransmit(final int inFlight)
    {
        ssthresh = Math.max(inFlight / 2, 2 * mss);
        cwnd = ssthresh + 3 * mss;
        recovery = true;
    }

    @Override
    public void onDuplicateAckInRecovery()
    {
        cwnd = saturatingAdd(cwnd, mss);
    }

    @Override
    public void onRecoveryEnd()
    {
        cwnd = ssthresh;
        recovery = false;
        bytesAcked = 0;
    }

    @Override
    public void onTimeout(final int inFlight)
    {
        ssthresh = Math.max(inFlight / 2, 2 * mss);
        cwnd = mss;
        recovery = false;
        bytesAcked = 0;
    }

    @Override
    public boolean inRecovery()
    {
        return recovery;
    }

    private static int saturatingAdd(final int a, final int b)
    {
        final long s = (long)a + b;
        return s > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int)s;
    }
}
