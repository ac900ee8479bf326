package io.flowstack.tcp.cc;

/**
 * BBR's model of the path (draft-ietf-ccwg-bbr 5.5): the bottleneck bandwidth (max_bw, the maximum delivery rate
 * over the current and the previous ProbeBW cycle), the round-trip propagation time (min_rtt over 10 s, and the 5 s
 * minimum that schedules ProbeRTT), the aggregation estimate (extra_acked over 10 round trips) and the full-pipe
 * estimator (three rounds without 25% more bandwidth).
 */
final class BbrModel
{
    static final long INFINITE = Long.MAX_VALUE;
    /** 2.10: MaxBwFilterLen 2, the current and the previous cycle: samples one cycle old still count. */
    static final int MAX_BW_FILTER_CYCLES = 1;
    static final int EXTRA_ACKED_FILTER_ROUNDS = 10;
    static final long MIN_RTT_FILTER_NS = 10_000_000_000L;
    static final long PROBE_RTT_INTERVAL_NS = 5_000_000_000L;
    /**
     * An RTT sample at most this factor above the 5 s minimum shows the queue drained as well as ProbeRTT would
     * (see {@link #updateMinRtt}).
     */
    static final double SIMILAR_MIN_RTT = 1.125;
    /** 5.3.1.2: growth below 25% ... */
    static final double FULL_BW_GROWTH = 1.25;
    /** ... for three rounds means the pipe is full. */
    static final int FULL_BW_ROUNDS = 3;

    private final WindowedMaxFilter maxBwFilter = new WindowedMaxFilter();
    private final WindowedMaxFilter extraAckedFilter = new WindowedMaxFilter();

    long maxBw;
    long cycleCount;
    long minRtt;
    private long minRttStamp;
    long probeRttMinStamp;
    private long probeRttMinDelay;
    boolean probeRttExpired;
    long extraAcked;
    private long extraAckedIntervalStart;
    private long extraAckedDelivered;

    boolean fullBwReached;
    boolean fullBwNow;
    long fullBw;
    private int fullBwCount;

    /** BBROnInit's part. */
    void reset(final long nowNs)
    {
        maxBwFilter.reset(0, 0);
        extraAckedFilter.reset(0, 0);
        maxBw = 0;
        cycleCount = 0;
        minRtt = INFINITE;
        minRttStamp = nowNs;
        probeRttMinDelay = INFINITE;
        probeRttMinStamp = nowNs;
        probeRttExpired = false;
        extraAcked = 0;
        extraAckedIntervalStart = nowNs;
        extraAckedDelivered = 0;
        fullBwReached = false;
        resetFullBw();
    }

    /**
     * 5.5.5: a delivery rate sample; application-limited ones only when they raise the estimate (5.5.4).
     */
    void sampleBw(final long rate, final boolean appLimited)
    {
        if (rate > 0 && (rate >= maxBw || !appLimited))
        {
            maxBw = maxBwFilter.update(cycleCount, rate, MAX_BW_FILTER_CYCLES);
        }
    }

    /** 5.5.9: data acknowledged beyond what the bandwidth explains, the windowed maximum over 10 rounds. */
    void updateAckAggregation(final long nowNs, final long newlyAcked, final long bw, final long cwnd,
        final long roundCount)
    {
        final long interval = nowNs - extraAckedIntervalStart;
        long expected = (long)((double)bw * interval / 1e9);
        if (extraAckedDelivered <= expected)
        {
            // The ACK rate fell below the bandwidth: the aggregation episode is over.
            extraAckedDelivered = 0;
            extraAckedIntervalStart = nowNs;
            expected = 0;
        }
        extraAckedDelivered += newlyAcked;
        final long extra = Math.min(extraAckedDelivered - expected, cwnd);
        extraAcked = extraAckedFilter.update(roundCount, extra, fullBwReached ? EXTRA_ACKED_FILTER_ROUNDS : 1);
    }

    /** 5.3.1.2: BBRResetFullBW. */
    void resetFullBw()
    {
        fullBw = 0;
        fullBwCount = 0;
        fullBwNow = false;
    }

    /** 5.3.1.2: BBRCheckFullBWReached, on the first ACK of a round that is not application-limited. */
    void checkFullBwReached(final long rate, final boolean roundStart, final boolean appLimited)
    {
        if (fullBwNow || !roundStart || appLimited)
        {
            return;
        }
        if (rate >= fullBw * FULL_BW_GROWTH)
        {
            resetFullBw();
            fullBw = rate;
            return;
        }
        fullBwCount++;
        fullBwNow = fullBwCount >= FULL_BW_ROUNDS;
        if (fullBwNow)
        {
            fullBwReached = true;
        }
    }

    /** @return whether the last round that counted still brought 25% more bandwidth (no plateau yet). */
    boolean stillGrowing()
    {
        return fullBwCount == 0;
    }

    /**
     * 5.3.4.3: BBRUpdateMinRTT, with the 5 s minimum that schedules ProbeRTT. A departure from the draft: a sample
     * at most 12.5% above that minimum ({@link #SIMILAR_MIN_RTT}) renews its stamp (the value stays), so ProbeRTT
     * comes only after 5 s in which the queue never came near empty. The draft renews the stamp only for a new
     * minimum, which a flow cruising at 99% of the bandwidth over an empty queue almost never sees: it then spent
     * 0.2 s at half the BDP every 5 s, 2% of its goodput at 2 ms (lossy-path.sh and the simulator). Linux's BBR
     * version 1 goes to four segments, but only every 10 s; Chromium's QUIC BBR has the same skip as an option (min
     * RTT of the last interval within 12.5%). Flows that keep a queue between them still drain it together every
     * 5 s, and a minimum up to 12.5% below a path's new RTT is what the window's gain of 2 absorbs.
     */
    void updateMinRtt(final long nowNs, final long rtt)
    {
        probeRttExpired = nowNs > probeRttMinStamp + PROBE_RTT_INTERVAL_NS;
        if (rtt >= 0 && (rtt < probeRttMinDelay || probeRttExpired))
        {
            probeRttMinDelay = rtt;
            probeRttMinStamp = nowNs;
        }
        else if (rtt >= 0 && rtt <= probeRttMinDelay * SIMILAR_MIN_RTT)
        {
            probeRttMinStamp = nowNs;
        }
        final boolean minRttExpired = nowNs > minRttStamp + MIN_RTT_FILTER_NS;
        if (probeRttMinDelay < minRtt || minRttExpired)
        {
            minRtt = probeRttMinDelay;
            minRttStamp = probeRttMinStamp;
        }
    }
}
