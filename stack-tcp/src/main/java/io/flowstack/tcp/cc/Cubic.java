package io.flowstack.tcp.cc;

/**
 * CUBIC (RFC 9438) with HyStart++ (RFC 9406) for slow start: after a congestion event the window grows along a
 * cubic function of the time since, plateauing near the window where the loss happened (W_max) and probing
 * beyond it, never slower than Reno would (the Reno-friendly estimate); β = 0.7, C = 0.4, fast convergence.
 * The first slow start is {@link HyStart}: HyStart++ with the ACK-train test of hybrid slow start. Sizes are bytes
 * outside, segments inside the equations.
 */
public final class Cubic implements CongestionControl
{
    /** RFC 9438 4.6: multiplicative decrease factor. */
    static final double BETA = 0.7;
    /** RFC 9438 5: the cubic constant, in segments per second cubed. */
    static final double C = 0.4;
    /** RFC 9438 4.3: the Reno-friendly additive increase per RTT while below W_max. */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private int mss;
    private double cwnd;
    private int ssthresh;
    private double wMax;
    private double wLastMax;
    private double cwndPrior;
    private long epochStart = -1;
    private double k;
    private double wEst;
    private long rttNs;
    private final HyStart hyStart;

    // Undo.
    private double undoCwnd;
    private int undoSsthresh;
    private double undoWMax;
    private double undoWLastMax;

    /**
     * @param paced the sender paces its flights (pacing derived from the window, see {@link Pacer}).
     */
    public Cubic(final boolean paced)
    {
        hyStart = new HyStart(paced);
    }

    @Override
    public void init(final int mss, final long nowNs)
    {
        this.mss = mss;
        cwnd = Reno.initialWindow(mss);
        ssthresh = Integer.MAX_VALUE;
        wMax = 0;
        wLastMax = 0;
        cwndPrior = 0;
        epochStart = -1;
        hyStart.init();
    }

    @Override
    public int cwnd()
    {
        return cwnd >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int)cwnd;
    }

    @Override
    public int ssthresh()
    {
        return ssthresh;
    }

    @Override
    public void onAck(final long nowNs, final AckSample ack)
    {
        if (ack.rttNs > 0)
        {
            rttNs = rttNs == 0 ? ack.rttNs : rttNs - (rttNs >> 3) + (ack.rttNs >> 3);
        }
        if (ack.ackedBytes <= 0)
        {
            return;
        }
        if (cwnd < ssthresh)
        {
            slowStart(nowNs, ack);
            return;
        }
        congestionAvoidance(nowNs, ack.ackedBytes);
    }

    /** RFC 9406 (HyStart++) on top of standard slow start. */
    private void slowStart(final long nowNs, final AckSample ack)
    {
        if (ssthresh != Integer.MAX_VALUE)
        {
            // RFC 9406 4: HyStart++ is for the first slow start only; after a timeout slow start is the standard
            // one, up to ssthresh (RFC 5681 3.1).
            cwnd = Math.min(cwnd + Math.min(ack.ackedBytes, HyStart.L * mss * ack.stretch), Math.max(cwnd, ssthresh));
            return;
        }
        cwnd = hyStart.onAck(nowNs, ack, cwnd, mss);
        if (hyStart.done())
        {
            ssthresh = (int)cwnd;
        }
    }

    /** RFC 9438 4.2-4.5. */
    private void congestionAvoidance(final long nowNs, final int ackedBytes)
    {
        final double segments = cwnd / mss;
        if (epochStart < 0)
        {
            epochStart = nowNs;
            if (segments < wMax)
            {
                k = Math.cbrt((wMax - segments) / C);
            }
            else
            {
                k = 0;
                wMax = segments;
            }
            wEst = segments;
        }
        final double t = (nowNs - epochStart) / 1e9;
        // RFC 9438 4.2: the target is where the cubic function will be a round trip from now, within [cwnd, 1.5 cwnd].
        double target = wCubic(t + rttNs / 1e9);
        target = Math.max(segments, Math.min(target, 1.5 * segments));
        final double acked = (double)ackedBytes / mss;
        // RFC 9438 4.3: Reno's additive increase, by α until the window before the reduction is reached, then 1.
        wEst += (wEst < cwndPrior ? ALPHA : 1.0) * acked / segments;
        if (wCubic(t) < wEst)
        {
            // The Reno-friendly region: grow as Reno would.
            cwnd = Math.max(cwnd, wEst * mss);
        }
        else
        {
            cwnd += (target - segments) / segments * ackedBytes;
        }
    }

    /** RFC 9438 equation 1, in segments. */
    private double wCubic(final double seconds)
    {
        final double d = seconds - k;
        return C * d * d * d + wMax;
    }

    @Override
    public void onCongestionEvent(final long nowNs, final int inFlight)
    {
        reduce();
        cwnd = ssthresh;
    }

    private void reduce()
    {
        undoCwnd = cwnd;
        undoSsthresh = ssthresh;
        undoWMax = wMax;
        undoWLastMax = wLastMax;
        final double segments = cwnd / mss;
        cwndPrior = segments;
        // RFC 9438 4.7: fast convergence releases bandwidth to new flows.
        if (segments < wLastMax)
        {
            wLastMax = segments;
            wMax = segments * (1 + BETA) / 2;
        }
        else
        {
            wLastMax = segments;
            wMax = segments;
        }
        ssthresh = (int)Math.max(cwnd * BETA, 2.0 * mss);
        epochStart = -1;
        hyStart.onCongestionEvent();
    }

    @Override
    public void onRecoveryEnd(final long nowNs)
    {
        cwnd = ssthresh;
        epochStart = -1;
    }

    @Override
    public void onTimeout(final long nowNs, final int inFlight)
    {
        // RFC 9438 4.8: ssthresh and W_max as for any congestion event, then slow start from one segment.
        reduce();
        cwnd = mss;
    }

    @Override
    public void onUndo(final long nowNs)
    {
        cwnd = Math.max(cwnd, undoCwnd);
        ssthresh = Math.max(ssthresh, undoSsthresh);
        wMax = undoWMax;
        wLastMax = undoWLastMax;
        epochStart = -1;
    }

    @Override
    public String name()
    {
        return "cubic";
    }
}
