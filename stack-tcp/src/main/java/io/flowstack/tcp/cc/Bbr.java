package io.flowstack.tcp.cc;

import io.flowstack.tcp.api.Configuration;

/**
 * BBR version 3 (draft-ietf-ccwg-bbr-04): a model of the path, its bottleneck bandwidth (the maximum delivery rate
 * over the last two ProbeBW cycles) and round-trip propagation time (the minimum RTT over 10 s), bounded by what
 * losses showed, sets a pacing rate and a congestion window. Startup doubles the rate every round trip until three
 * rounds bring less than 25% more bandwidth (or losses are high); Drain empties the queue that built; ProbeBW
 * cycles through Down, Cruise, Refill and Up, probing for more bandwidth every 2-3 s (or every BDP's worth of
 * rounds, for fairness with Reno); ProbeRTT halves in-flight data for 200 ms when the minimum RTT was not seen
 * again, within 12.5% (a departure from the draft, see {@link BbrModel#updateMinRtt}), for 5 s. Loss reduces the
 * short-term bounds once per round trip outside probing, and the long-term bound on in-flight data when more than
 * 2% of a probing round trip's data is lost: 2% beyond the loss rate the path shows while BBR fills no queue, a
 * deviation from the draft that keeps random loss (5% on the benchmark's relay) from being taken for congestion
 * (see {@link BbrBackgroundLoss} for the reasons and the price).
 * <p>
 * In loss recovery BBR sets the window itself (5.6.4.4, as Linux's {@code cong_control} hook bypasses PRR): one
 * round of packet conservation (outside Startup, see {@link #onCongestionEvent}), every lost segment taken out of the
 * window, then the model's window; the window of before is restored when recovery ends. After a retransmission
 * timeout, the segments it marks lost by age are no evidence against a probe.
 * <p>
 * It works on every acknowledgment, in loss recovery or not, through {@link #onRateSample}. Every section number
 * below is the draft's.
 * Sizes are bytes, rates bytes per second, times nanoseconds.
 */
public final class Bbr implements CongestionControl
{
    static final double STARTUP_PACING_GAIN = 2.77;
    static final double DRAIN_PACING_GAIN = 0.35;
    static final double DEFAULT_CWND_GAIN = 2.0;
    static final double PROBE_UP_CWND_GAIN = 2.25;
    static final double PROBE_RTT_CWND_GAIN = 0.5;
    /**
     * BBR.LossThresh: the loss rate of a round trip that counts as congestion (2.7; 0.02). The draft's value keeps
     * BBR at full speed up to about 1% random loss (its design goal, 3.1); higher rates of random loss pull the
     * model down (5% collapses a long path). A larger value tolerates more random loss, at the price of more loss
     * before BBR backs off from a full queue.
     */
    static final double LOSS_THRESH = Configuration.bbrLossThresh();
    static final double BETA = 0.7;
    static final double HEADROOM = 0.15;
    static final int PACING_MARGIN_PERCENT = 1;
    static final int MIN_PIPE_SEGMENTS = 4;
    static final long PROBE_RTT_DURATION_NS = 200_000_000L;
    static final int STARTUP_FULL_LOSS_COUNT = 6;
    static final long INFINITE = Long.MAX_VALUE;


    final BbrSignals signals = new BbrSignals();
    final BbrModel model = new BbrModel();
    private final BbrProbeBw probeBw = new BbrProbeBw(this);
    private long random;

    int mss;
    private long initialCwnd;
    long cwnd;
    private long pacingRate;
    BbrState state;
    double pacingGain;
    double cwndGain;
    private boolean hasSeenRtt;

    // The connection as the last acknowledgment left it.
    private long delivered;
    int inflight;
    private long lastAckNs;
    boolean cwndLimited;
    private boolean cwndLimitedThisRound;

    // Round counting (5.5.1).
    private long roundCount;
    boolean roundStart;
    private long nextRoundDelivered;

    // The model (2.8).
    long bw;

    // ProbeBW (5.3.3).

    // ProbeRTT (5.3.4).
    private long probeRttDoneStamp;
    private boolean probeRttRoundDone;
    private long appLimitedUntil;

    // Loss recovery (5.6.4.4).
    private long priorCwnd;
    private boolean inRecovery;
    /** The first round of a recovery: what leaves is what arrived (packet conservation). */
    private boolean packetConservation;
    private long conservationEndDelivered;
    /** Bytes judged lost since the last acknowledgment was processed (rs.newly_lost). */
    private long newlyLost;
    /**
     * Loss recovery reports lost segments one by one (RACK with SACK). Without SACK (NewReno) it reports none, its
     * pipe counts what left the network unseen, and it inflates the window itself: the model's window stays.
     */
    private boolean lossesReported;
    private long recoveryRounds;
    private long timeoutDelivered = -1;

    @Override
    public void init(final int mss, final long nowNs)
    {
        this.mss = mss;
        random = nowNs ^ 0x9E3779B97F4A7C15L;
        initialCwnd = Reno.initialWindow(mss);
        cwnd = initialCwnd;
        model.reset(nowNs);
        bw = 0;
        probeRttDoneStamp = 0;
        probeRttRoundDone = false;
        priorCwnd = 0;
        inRecovery = false;
        packetConservation = false;
        newlyLost = 0;
        lossesReported = false;
        timeoutDelivered = -1;
        hasSeenRtt = false;
        delivered = 0;
        inflight = 0;
        appLimitedUntil = 0;
        probeBw.reset();
        signals.resetCongestionSignals();
        signals.resetShortTermModel();
        signals.background.reset();
        signals.flightBackground.reset();
        signals.inflightLongterm = INFINITE;
        roundCount = 0;
        roundStart = false;
        nextRoundDelivered = 0;
        // 5.6.2: no RTT yet; 1 ms until the first sample.
        pacingRate = (long)(STARTUP_PACING_GAIN * initialCwnd * 1000);
        enterStartup();
    }

    @Override
    public int cwnd()
    {
        return (int)Math.min(cwnd, Integer.MAX_VALUE);
    }

    /** BBR keeps no slow start threshold (it sets its window in recovery itself); its window, for reports. */
    @Override
    public int ssthresh()
    {
        return inRecovery ? cwnd() : Integer.MAX_VALUE;
    }

    @Override
    public long pacingRate()
    {
        return pacingRate;
    }

    /** @return the state. */
    public BbrState state()
    {
        return state;
    }

    /** @return BBR.max_bw, bytes per second. */
    public long maxBw()
    {
        return model.maxBw;
    }

    /** @return BBR.min_rtt, or {@link Long#MAX_VALUE} before a sample. */
    public long minRtt()
    {
        return model.minRtt;
    }

    /** @return BBR.round_count: packet-timed round trips so far (5.5.1). */
    public long roundCount()
    {
        return roundCount;
    }

    /** @return BBR.full_bw_reached. */
    public boolean fullBwReached()
    {
        return model.fullBwReached;
    }

    /** @return whether the segments outstanding at a retransmission timeout are still being recovered. */
    boolean recoveringFromTimeout()
    {
        return timeoutDelivered >= 0;
    }

    /** @return BBR.inflight_longterm, {@link Long#MAX_VALUE} while unset. */
    public long inflightLongterm()
    {
        return signals.inflightLongterm;
    }

    @Override
    public void onAck(final long nowNs, final AckSample ack)
    {
        // Everything happens in onRateSample, which sees every acknowledgment, in recovery or not.
    }

    /** 5.2.3: BBRUpdateOnACK. */
    @Override
    public void onRateSample(final long nowNs, final AckSample rs)
    {
        final long newlyAcked = rs.delivered - delivered;
        delivered = rs.delivered;
        lastAckNs = nowNs;
        inflight = rs.pipe;
        if (rs.priorDelivered < 0)
        {
            return;
        }
        if (!hasSeenRtt && rs.rateRttNs > 0)
        {
            // 5.6.2 BBRInitPacingRate, once the first RTT is known.
            hasSeenRtt = true;
            if (model.maxBw == 0)
            {
                pacingRate = (long)(STARTUP_PACING_GAIN * initialCwnd * 1e9 / rs.rateRttNs);
            }
        }
        if (inflight + newlyAcked + mss > cwnd)
        {
            cwndLimitedThisRound = true;
        }
        final boolean appLimited = rs.rateAppLimited || rs.priorDelivered < appLimitedUntil;
        // BBRUpdateModelAndState.
        signals.updateLatestDeliverySignals(rs, delivered);
        updateMaxBw(rs, appLimited);
        if (signals.lossRoundStart)
        {
            if (fillsNoQueue())
            {
                // The round filled no queue (see BbrBackgroundLoss): its losses were the path's own.
                signals.sampleBackground(mss);
            }
            adaptLowerBoundsFromCongestion();
            signals.lossInRound = false;
        }
        model.updateAckAggregation(nowNs, newlyAcked, bw, cwnd, roundCount);
        model.checkFullBwReached(rs.deliveryRate, roundStart, appLimited);
        checkStartupDone();
        checkDrainDone(nowNs);
        probeBw.update(nowNs, rs, appLimited, newlyAcked);
        model.updateMinRtt(nowNs, rs.rateRttNs);
        checkProbeRtt(nowNs);
        signals.advanceLatestDeliverySignals(rs);
        bw = Math.min(model.maxBw, signals.bwShortterm);
        // BBRUpdateControlParameters.
        setPacingRateWithGain(pacingGain);
        setCwnd(newlyAcked);
        if (timeoutDelivered >= 0 && delivered >= timeoutDelivered)
        {
            // What was outstanding at the timeout is delivered: RTO recovery is over.
            timeoutDelivered = -1;
            restoreCwnd();
        }
    }

    /** @return whether the current state puts no queue at the bottleneck (see {@link BbrBackgroundLoss}). */
    private boolean fillsNoQueue()
    {
        return state == BbrState.PROBE_BW_CRUISE || state == BbrState.STARTUP && model.stillGrowing();
    }

    /** 5.5.1 and 5.5.5. */
    private void updateMaxBw(final AckSample rs, final boolean appLimited)
    {
        if (rs.priorDelivered >= nextRoundDelivered)
        {
            startRound();
            roundCount++;
            probeBw.roundsSinceBwProbe++;
            roundStart = true;
            cwndLimited = cwndLimitedThisRound;
            cwndLimitedThisRound = false;
            if (inRecovery)
            {
                recoveryRounds++;
            }
        }
        else
        {
            roundStart = false;
        }
        model.sampleBw(rs.deliveryRate, appLimited);
    }

    void startRound()
    {
        nextRoundDelivered = delivered;
    }

    /** 5.5.10.3: once per round trip, outside probing, loss pulls the short-term bounds down. */
    private void adaptLowerBoundsFromCongestion()
    {
        if (isProbingBw())
        {
            return;
        }
        if (signals.lossInRound && signals.roundLossAbove(LOSS_THRESH, mss))
        {
            signals.lossLowerBounds(model.maxBw, cwnd);
        }
    }

    /** 5.3.1.1 and 5.3.1.3. */
    private void checkStartupDone()
    {
        if (state == BbrState.STARTUP
            && signals.startupHighLoss(inRecovery && recoveryRounds >= 1, STARTUP_FULL_LOSS_COUNT, LOSS_THRESH, mss))
        {
            model.fullBwReached = true;
            signals.inflightLongterm = Math.max(bdpMultiple(bw, 1.0), signals.inflightLatest);
        }
        if (state == BbrState.STARTUP && model.fullBwReached)
        {
            enterDrain();
        }
    }

    private void checkDrainDone(final long nowNs)
    {
        if (state == BbrState.DRAIN && inflight <= inflightFor(bw, 1.0))
        {
            probeBw.enter(nowNs);
        }
    }

    private void enterStartup()
    {
        state = BbrState.STARTUP;
        pacingGain = STARTUP_PACING_GAIN;
        cwndGain = DEFAULT_CWND_GAIN;
    }

    private void enterDrain()
    {
        state = BbrState.DRAIN;
        pacingGain = DRAIN_PACING_GAIN;
        cwndGain = DEFAULT_CWND_GAIN;
    }


    boolean isInProbeBw()
    {
        return state == BbrState.PROBE_BW_DOWN || state == BbrState.PROBE_BW_CRUISE
            || state == BbrState.PROBE_BW_REFILL || state == BbrState.PROBE_BW_UP;
    }


    boolean isProbingBw()
    {
        return state == BbrState.STARTUP || state == BbrState.PROBE_BW_REFILL || state == BbrState.PROBE_BW_UP;
    }

    /** 5.2.4 and 5.5.10.2: BBRHandleLostPacket. */
    @Override
    public void onPacketLost(final int bytes, final int txInFlight, final long lostSinceSend,
        final boolean appLimited)
    {
        newlyLost += bytes;
        lossesReported = true;
        signals.noteLoss(delivered, bytes);
        if (timeoutDelivered < 0 && fillsNoQueue())
        {
            signals.sampleFlightBackground(lostSinceSend, txInFlight, mss);
        }
        if (!signals.bwProbeSamples || timeoutDelivered >= 0)
        {
            // After a timeout the segments are marked lost wholesale by age, not by what a probe's load caused.
            return;
        }
        if (signals.inflightTooHigh(lostSinceSend, txInFlight, LOSS_THRESH, mss))
        {
            probeBw.handleInflightTooHigh(lastAckNs, appLimited, BbrSignals.inflightAtLoss(bytes, txInFlight,
                lostSinceSend, LOSS_THRESH + signals.flightBackground.rate()));
        }
    }

    // ---- ProbeRTT (5.3.4) -------------------------------------------------------------------------------------

    private void checkProbeRtt(final long nowNs)
    {
        if (state != BbrState.PROBE_RTT && model.probeRttExpired)
        {
            state = BbrState.PROBE_RTT;
            pacingGain = 1.0;
            cwndGain = PROBE_RTT_CWND_GAIN;
            saveCwnd();
            probeRttDoneStamp = 0;
            probeBw.stopProbing();
            startRound();
        }
        if (state == BbrState.PROBE_RTT)
        {
            // Low rate samples of ProbeRTT do not count (MarkConnectionAppLimited).
            appLimitedUntil = delivered + inflight;
            if (probeRttDoneStamp == 0 && inflight <= probeRttCwnd())
            {
                probeRttDoneStamp = nowNs + PROBE_RTT_DURATION_NS;
                probeRttRoundDone = false;
                startRound();
            }
            else if (probeRttDoneStamp != 0)
            {
                if (roundStart)
                {
                    probeRttRoundDone = true;
                }
                if (probeRttRoundDone && nowNs > probeRttDoneStamp)
                {
                    model.probeRttMinStamp = nowNs;
                    restoreCwnd();
                    exitProbeRtt(nowNs);
                }
            }
        }
    }

    private void exitProbeRtt(final long nowNs)
    {
        signals.resetShortTermModel();
        if (model.fullBwReached)
        {
            probeBw.startDown(nowNs);
            probeBw.startCruise();
        }
        else
        {
            enterStartup();
        }
    }

    private long probeRttCwnd()
    {
        return Math.max(bdpMultiple(bw, PROBE_RTT_CWND_GAIN), (long)MIN_PIPE_SEGMENTS * mss);
    }

    // ---- control parameters (5.6) -----------------------------------------------------------------------------

    private void setPacingRateWithGain(final double gain)
    {
        final long rate = (long)(gain * bw * (100 - PACING_MARGIN_PERCENT) / 100);
        if (model.fullBwReached || rate > pacingRate)
        {
            pacingRate = rate;
        }
    }

    long bdpMultiple(final long rate, final double gain)
    {
        if (model.minRtt == INFINITE)
        {
            return initialCwnd;
        }
        return (long)(gain * ((double)rate * model.minRtt / 1e9));
    }

    /** BBRQuantizationBudget: room for the offload of three quanta, and at least four segments. */
    private long quantizationBudget(final long inflightCap)
    {
        long cap = Math.max(inflightCap, 3L * Pacer.quantum(pacingRate, mss));
        cap = Math.max(cap, (long)MIN_PIPE_SEGMENTS * mss);
        if (state == BbrState.PROBE_BW_UP)
        {
            cap += 2L * mss;
        }
        return cap;
    }

    long inflightFor(final long rate, final double gain)
    {
        return quantizationBudget(bdpMultiple(rate, gain));
    }

    /**
     * 5.6.4.4: BBRModulateCwndForRecovery. Every loss takes its bytes out of the window; for the first round of a
     * recovery outside Startup the window follows what is in flight plus what was delivered (packet conservation);
     * after that the model's window applies again, since BBR, not PRR, sets the window in recovery.
     */
    private void modulateCwndForRecovery(final long newlyAcked)
    {
        if (newlyLost > 0)
        {
            cwnd = Math.max(cwnd - newlyLost, mss);
            newlyLost = 0;
        }
        if (packetConservation && conservationEndDelivered < 0)
        {
            // BBROnEnterFastRecovery: what is in flight, and what this acknowledgment delivered, at least a segment.
            conservationEndDelivered = delivered + inflight;
            cwnd = inflight + Math.max(newlyAcked, mss);
        }
        else if (packetConservation && delivered >= conservationEndDelivered)
        {
            packetConservation = false;
        }
        if (packetConservation)
        {
            cwnd = Math.max(cwnd, inflight + newlyAcked);
        }
    }

    /** 5.6.4.6: BBRSetCwnd. */
    private void setCwnd(final long newlyAcked)
    {
        final long maxInflight = quantizationBudget(bdpMultiple(bw, cwndGain) + model.extraAcked);
        modulateCwndForRecovery(newlyAcked);
        if (!packetConservation)
        {
            if (model.fullBwReached)
            {
                cwnd = Math.min(cwnd + newlyAcked, maxInflight);
            }
            else if (cwnd < maxInflight || delivered < initialCwnd)
            {
                cwnd = cwnd + newlyAcked;
            }
        }
        cwnd = Math.max(cwnd, (long)MIN_PIPE_SEGMENTS * mss);
        if (state == BbrState.PROBE_RTT)
        {
            cwnd = Math.min(cwnd, probeRttCwnd());
        }
        // 5.6.4.7: BBRBoundCwndForModel.
        long cap = INFINITE;
        if (isInProbeBw() && state != BbrState.PROBE_BW_CRUISE)
        {
            cap = signals.inflightLongterm;
        }
        else if (state == BbrState.PROBE_RTT || state == BbrState.PROBE_BW_CRUISE)
        {
            cap = signals.inflightWithHeadroom(mss);
        }
        cap = Math.min(cap, signals.inflightShortterm);
        cap = Math.max(cap, (long)MIN_PIPE_SEGMENTS * mss);
        cwnd = Math.min(cwnd, cap);
    }

    /** 5.6.4.4: BBRSaveCwnd. */
    private void saveCwnd()
    {
        priorCwnd = !inRecovery && state != BbrState.PROBE_RTT ? cwnd : Math.max(priorCwnd, cwnd);
    }

    private void restoreCwnd()
    {
        cwnd = Math.max(cwnd, priorCwnd);
    }

    @Override
    public void onCongestionEvent(final long nowNs, final int inFlight)
    {
        // BBROnEnterFastRecovery: remember the window for the end; for one round send what is delivered. Not in
        // Startup (a departure from 5.6.4.4, as Chromium's BBR disables its recovery window until the pipe is full):
        // Startup has its own exit on loss (5.3.1.3), and a round held at what was in flight does not try to double
        // the rate, yet counts as a round without growth (5.3.1.2). On a path with random loss, back-to-back
        // recoveries held the window at 7-13 segments for three rounds and ended Startup at 1% of the link.
        saveCwnd();
        inRecovery = true;
        recoveryRounds = 0;
        packetConservation = lossesReported && state != BbrState.STARTUP;
        conservationEndDelivered = -1;
    }

    @Override
    public void onRecoveryEnd(final long nowNs)
    {
        inRecovery = false;
        packetConservation = false;
        restoreCwnd();
    }

    @Override
    public void onTimeout(final long nowNs, final int inFlight)
    {
        // BBROnEnterRTO: everything outstanding is about to be marked lost, so C.inflight + 1 is one segment.
        saveCwnd();
        cwnd = mss;
        inRecovery = false;
        packetConservation = false;
        // What was in the network at the timeout (the pipe of the last ACK: what SACKs had not already delivered).
        timeoutDelivered = delivered + Math.max(inflight, mss);
    }

    @Override
    public void onUndo(final long nowNs)
    {
        inRecovery = false;
        packetConservation = false;
        restoreCwnd();
    }

    @Override
    public boolean modulatesRecoveryWindow()
    {
        return true;
    }

    @Override
    public String name()
    {
        return "bbr";
    }

    /** xorshift64: BBR's randomised probe wait, seeded per connection. */
    long nextRandom()
    {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return x;
    }
}
