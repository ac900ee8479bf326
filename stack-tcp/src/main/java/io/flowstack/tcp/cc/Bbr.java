package io.flowstack.tcp.cc;

/**
 * BBR version 3 (draft-ietf-ccwg-bbr-04): a model of the path, its bottleneck bandwidth (the maximum delivery rate
 * over the last two ProbeBW cycles) and round-trip propagation time (the minimum RTT over 10 s), bounded by what
 * losses showed, sets a pacing rate and a congestion window. Startup doubles the rate every round trip until three
 * rounds bring less than 25% more bandwidth (or losses are high); Drain empties the queue that built; ProbeBW
 * cycles through Down, Cruise, Refill and Up, probing for more bandwidth every 2-3 s (or every BDP's worth of
 * rounds, for fairness with Reno); ProbeRTT halves in-flight data for 200 ms when the minimum RTT was not seen
 * again for 5 s. Loss reduces the short-term bounds once per round trip outside probing, and the long-term bound on
 * in-flight data when more than 2% of a probing round trip's data is lost.
 * <p>
 * It works on every acknowledgment, in loss recovery or not, through {@link #onRateSample}; loss recovery's PRR
 * takes its window as the target (it keeps no slow start threshold). Every section number below is the draft's.
 * Sizes are bytes, rates bytes per second, times nanoseconds.
 */
public final class Bbr implements CongestionControl
{
    static final double STARTUP_PACING_GAIN = 2.77;
    static final double DRAIN_PACING_GAIN = 0.35;
    static final double DEFAULT_CWND_GAIN = 2.0;
    static final double PROBE_UP_CWND_GAIN = 2.25;
    static final double PROBE_RTT_CWND_GAIN = 0.5;
    static final double LOSS_THRESH = 0.02;
    static final double BETA = 0.7;
    static final double HEADROOM = 0.15;
    static final int PACING_MARGIN_PERCENT = 1;
    static final int MIN_PIPE_SEGMENTS = 4;
    /** The max_bw filter holds the current and the previous ProbeBW cycle (MaxBwFilterLen 2). */
    static final int MAX_BW_FILTER_CYCLES = 1;
    static final int EXTRA_ACKED_FILTER_ROUNDS = 10;
    static final long MIN_RTT_FILTER_NS = 10_000_000_000L;
    static final long PROBE_RTT_INTERVAL_NS = 5_000_000_000L;
    static final long PROBE_RTT_DURATION_NS = 200_000_000L;
    static final int STARTUP_FULL_LOSS_COUNT = 6;
    static final long INFINITE = Long.MAX_VALUE;

    private static final int ACKS_INIT = 0;
    private static final int ACKS_REFILLING = 1;
    private static final int ACKS_PROBE_STARTING = 2;
    private static final int ACKS_PROBE_FEEDBACK = 3;
    private static final int ACKS_PROBE_STOPPING = 4;

    private final WindowedMaxFilter maxBwFilter = new WindowedMaxFilter();
    private final WindowedMaxFilter extraAckedFilter = new WindowedMaxFilter();
    private final BbrSignals signals = new BbrSignals();
    private long random;

    private int mss;
    private long initialCwnd;
    private long cwnd;
    private long pacingRate;
    private BbrState state;
    private double pacingGain;
    private double cwndGain;
    private boolean hasSeenRtt;

    // The connection as the last acknowledgment left it.
    private long delivered;
    private int inflight;
    private long lastAckNs;
    private boolean cwndLimited;
    private boolean cwndLimitedThisRound;

    // Round counting (5.5.1).
    private long roundCount;
    private boolean roundStart;
    private long nextRoundDelivered;

    // The model (2.8).
    private long maxBw;
    private long bw;
    private long cycleCount;
    private long minRtt;
    private long minRttStamp;
    private long extraAcked;
    private long extraAckedIntervalStart;
    private long extraAckedDelivered;

    // Startup (2.12).
    private boolean fullBwReached;
    private boolean fullBwNow;
    private long fullBw;
    private int fullBwCount;

    // ProbeBW (5.3.3).
    private int ackPhase;
    private long cycleStamp;
    private long bwProbeWaitNs;
    private long roundsSinceBwProbe;
    private int bwProbeUpRounds;
    private long bwProbeUpAcks;
    private long probeUpCnt;

    // ProbeRTT (5.3.4).
    private long probeRttMinDelay;
    private long probeRttMinStamp;
    private boolean probeRttExpired;
    private long probeRttDoneStamp;
    private boolean probeRttRoundDone;
    private long appLimitedUntil;

    // Loss recovery (5.6.4.4).
    private long priorCwnd;
    private boolean inRecovery;
    private long recoveryRounds;
    private long timeoutDelivered = -1;

    @Override
    public void init(final int mss, final long nowNs)
    {
        this.mss = mss;
        random = nowNs ^ 0x9E3779B97F4A7C15L;
        initialCwnd = Reno.initialWindow(mss);
        cwnd = initialCwnd;
        maxBwFilter.reset(0, 0);
        extraAckedFilter.reset(0, 0);
        maxBw = 0;
        bw = 0;
        cycleCount = 0;
        extraAcked = 0;
        minRtt = INFINITE;
        minRttStamp = nowNs;
        probeRttMinDelay = INFINITE;
        probeRttMinStamp = nowNs;
        probeRttDoneStamp = 0;
        probeRttRoundDone = false;
        priorCwnd = 0;
        inRecovery = false;
        timeoutDelivered = -1;
        extraAckedIntervalStart = nowNs;
        extraAckedDelivered = 0;
        fullBwReached = false;
        hasSeenRtt = false;
        delivered = 0;
        inflight = 0;
        appLimitedUntil = 0;
        ackPhase = ACKS_INIT;
        signals.resetCongestionSignals();
        signals.resetShortTermModel();
        signals.inflightLongterm = INFINITE;
        roundCount = 0;
        roundStart = false;
        nextRoundDelivered = 0;
        resetFullBw();
        // 5.6.2: no RTT yet; 1 ms until the first sample.
        pacingRate = (long)(STARTUP_PACING_GAIN * initialCwnd * 1000);
        enterStartup();
    }

    @Override
    public int cwnd()
    {
        return (int)Math.min(cwnd, Integer.MAX_VALUE);
    }

    /** BBR keeps no slow start threshold; during recovery PRR takes the model's window as its target. */
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
        return maxBw;
    }

    /** @return BBR.min_rtt, or {@link Long#MAX_VALUE} before a sample. */
    public long minRtt()
    {
        return minRtt;
    }

    /** @return BBR.full_bw_reached. */
    public boolean fullBwReached()
    {
        return fullBwReached;
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
            if (maxBw == 0)
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
            adaptLowerBoundsFromCongestion();
            signals.lossInRound = false;
        }
        updateAckAggregation(nowNs, newlyAcked);
        checkFullBwReached(rs, appLimited);
        checkStartupDone();
        checkDrainDone(nowNs);
        updateProbeBwCyclePhase(nowNs, rs, appLimited, newlyAcked);
        updateMinRtt(nowNs, rs);
        checkProbeRtt(nowNs);
        signals.advanceLatestDeliverySignals(rs);
        bw = Math.min(maxBw, signals.bwShortterm);
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

    /** 5.5.1 and 5.5.5. */
    private void updateMaxBw(final AckSample rs, final boolean appLimited)
    {
        if (rs.priorDelivered >= nextRoundDelivered)
        {
            startRound();
            roundCount++;
            roundsSinceBwProbe++;
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
        if (rs.deliveryRate > 0 && (rs.deliveryRate >= maxBw || !appLimited))
        {
            maxBw = maxBwFilter.update(cycleCount, rs.deliveryRate, MAX_BW_FILTER_CYCLES);
        }
    }

    private void startRound()
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
        if (signals.lossInRound && signals.roundLossAbove(LOSS_THRESH))
        {
            signals.lossLowerBounds(maxBw, cwnd);
        }
    }

    /** 5.5.9. */
    private void updateAckAggregation(final long nowNs, final long newlyAcked)
    {
        final long interval = nowNs - extraAckedIntervalStart;
        long expected = (long)((double)bw * interval / 1e9);
        if (extraAckedDelivered <= expected)
        {
            extraAckedDelivered = 0;
            extraAckedIntervalStart = nowNs;
            expected = 0;
        }
        extraAckedDelivered += newlyAcked;
        final long extra = Math.min(extraAckedDelivered - expected, cwnd);
        extraAcked = extraAckedFilter.update(roundCount, extra, fullBwReached ? EXTRA_ACKED_FILTER_ROUNDS : 1);
    }

    /** 5.3.1.2. */
    private void resetFullBw()
    {
        fullBw = 0;
        fullBwCount = 0;
        fullBwNow = false;
    }

    private void checkFullBwReached(final AckSample rs, final boolean appLimited)
    {
        if (fullBwNow || !roundStart || appLimited)
        {
            return;
        }
        if (rs.deliveryRate >= fullBw * 1.25)
        {
            resetFullBw();
            fullBw = rs.deliveryRate;
            return;
        }
        fullBwCount++;
        fullBwNow = fullBwCount >= 3;
        if (fullBwNow)
        {
            fullBwReached = true;
        }
    }

    /** 5.3.1.1 and 5.3.1.3. */
    private void checkStartupDone()
    {
        if (state == BbrState.STARTUP
            && signals.startupHighLoss(inRecovery && recoveryRounds >= 1, STARTUP_FULL_LOSS_COUNT, LOSS_THRESH))
        {
            fullBwReached = true;
            signals.inflightLongterm = Math.max(bdpMultiple(bw, 1.0), signals.inflightLatest);
        }
        if (state == BbrState.STARTUP && fullBwReached)
        {
            enterDrain();
        }
    }

    private void checkDrainDone(final long nowNs)
    {
        if (state == BbrState.DRAIN && inflight <= inflightFor(bw, 1.0))
        {
            enterProbeBw(nowNs);
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

    // ---- ProbeBW (5.3.3) --------------------------------------------------------------------------------------

    private void enterProbeBw(final long nowNs)
    {
        cwndGain = DEFAULT_CWND_GAIN;
        startProbeBwDown(nowNs);
    }

    private void startProbeBwDown(final long nowNs)
    {
        signals.resetCongestionSignals();
        probeUpCnt = INFINITE;
        // BBRPickProbeWait: 0 or 1 round, 2 to 3 s.
        roundsSinceBwProbe = nextRandom() & 1;
        bwProbeWaitNs = 2_000_000_000L + (nextRandom() >>> 1) % 1_000_000_000L;
        cycleStamp = nowNs;
        ackPhase = ACKS_PROBE_STOPPING;
        startRound();
        state = BbrState.PROBE_BW_DOWN;
        pacingGain = 0.90;
        cwndGain = DEFAULT_CWND_GAIN;
    }

    private void startProbeBwCruise()
    {
        state = BbrState.PROBE_BW_CRUISE;
        pacingGain = 1.0;
        cwndGain = DEFAULT_CWND_GAIN;
    }

    private void startProbeBwRefill()
    {
        signals.resetShortTermModel();
        bwProbeUpRounds = 0;
        bwProbeUpAcks = 0;
        ackPhase = ACKS_REFILLING;
        startRound();
        state = BbrState.PROBE_BW_REFILL;
        pacingGain = 1.0;
        cwndGain = DEFAULT_CWND_GAIN;
    }

    private void startProbeBwUp(final AckSample rs)
    {
        ackPhase = ACKS_PROBE_STARTING;
        startRound();
        resetFullBw();
        fullBw = rs.deliveryRate;
        state = BbrState.PROBE_BW_UP;
        pacingGain = 1.25;
        cwndGain = PROBE_UP_CWND_GAIN;
        raiseInflightLongtermSlope();
    }

    private boolean isInProbeBw()
    {
        return state == BbrState.PROBE_BW_DOWN || state == BbrState.PROBE_BW_CRUISE
            || state == BbrState.PROBE_BW_REFILL || state == BbrState.PROBE_BW_UP;
    }

    private boolean isProbingBw()
    {
        return state == BbrState.STARTUP || state == BbrState.PROBE_BW_REFILL || state == BbrState.PROBE_BW_UP;
    }

    private void updateProbeBwCyclePhase(final long nowNs, final AckSample rs, final boolean appLimited,
        final long newlyAcked)
    {
        if (!fullBwReached)
        {
            return;
        }
        adaptLongTermModel(nowNs, rs, appLimited, newlyAcked);
        switch (state)
        {
            case PROBE_BW_DOWN ->
            {
                if (!isTimeToProbeBw(nowNs) && isTimeToCruise())
                {
                    startProbeBwCruise();
                }
            }
            case PROBE_BW_CRUISE -> isTimeToProbeBw(nowNs);
            case PROBE_BW_REFILL ->
            {
                if (roundStart)
                {
                    signals.bwProbeSamples = true;
                    startProbeBwUp(rs);
                }
            }
            case PROBE_BW_UP ->
            {
                if (isTimeToGoDown(rs))
                {
                    startProbeBwDown(nowNs);
                }
            }
            default ->
            {
            }
        }
    }

    private boolean isTimeToProbeBw(final long nowNs)
    {
        if (nowNs - cycleStamp > bwProbeWaitNs || isRenoCoexistenceProbeTime())
        {
            startProbeBwRefill();
            return true;
        }
        return false;
    }

    private boolean isRenoCoexistenceProbeTime()
    {
        final long renoRounds = Math.min(bdpMultiple(bw, 1.0), cwnd) / mss;
        return roundsSinceBwProbe >= Math.min(renoRounds, 63);
    }

    private boolean isTimeToCruise()
    {
        if (inflight > inflightWithHeadroom())
        {
            return false;
        }
        return inflight <= inflightFor(maxBw, 1.0);
    }

    private boolean isTimeToGoDown(final AckSample rs)
    {
        if (cwndLimited && cwnd >= signals.inflightLongterm)
        {
            // Bandwidth is held back by inflight_longterm: the plateau test would be meaningless.
            resetFullBw();
            fullBw = rs.deliveryRate;
            return false;
        }
        return fullBwNow;
    }

    private long inflightWithHeadroom()
    {
        if (signals.inflightLongterm == INFINITE)
        {
            return INFINITE;
        }
        final long headroom = Math.max(mss, (long)(HEADROOM * signals.inflightLongterm));
        return Math.max(signals.inflightLongterm - headroom, (long)MIN_PIPE_SEGMENTS * mss);
    }

    private void raiseInflightLongtermSlope()
    {
        final long growthThisRound = (long)mss << bwProbeUpRounds;
        bwProbeUpRounds = Math.min(bwProbeUpRounds + 1, 30);
        probeUpCnt = Math.max(cwnd / growthThisRound, 1);
    }

    private void probeInflightLongtermUpward(final long newlyAcked)
    {
        if (!cwndLimited || cwnd < signals.inflightLongterm)
        {
            return;
        }
        bwProbeUpAcks += newlyAcked;
        if (bwProbeUpAcks >= probeUpCnt)
        {
            final long delta = bwProbeUpAcks / probeUpCnt;
            bwProbeUpAcks -= delta * probeUpCnt;
            signals.inflightLongterm += delta;
        }
        if (roundStart)
        {
            raiseInflightLongtermSlope();
        }
    }

    private void adaptLongTermModel(final long nowNs, final AckSample rs, final boolean appLimited,
        final long newlyAcked)
    {
        if (ackPhase == ACKS_PROBE_STARTING && roundStart)
        {
            ackPhase = ACKS_PROBE_FEEDBACK;
        }
        if (ackPhase == ACKS_PROBE_STOPPING && roundStart)
        {
            // The probe's samples are in (the draft leaves out what Linux does here: the phase ends, and a loss
            // seen later no longer counts against the probe).
            ackPhase = ACKS_INIT;
            signals.bwProbeSamples = false;
            if (isInProbeBw() && !appLimited)
            {
                // BBRAdvanceMaxBwFilter: a new cycle of the max_bw filter begins.
                cycleCount++;
            }
        }
        if (signals.inflightTooHigh(rs.lostSinceSend, rs.txInFlight, LOSS_THRESH))
        {
            // As Linux does: the ACK's own sample may show the loss rate of a probe too high.
            if (signals.bwProbeSamples)
            {
                handleInflightTooHigh(nowNs, appLimited, rs.txInFlight);
            }
            return;
        }
        if (signals.inflightLongterm == INFINITE)
        {
            return;
        }
        if (rs.txInFlight > signals.inflightLongterm)
        {
            signals.inflightLongterm = rs.txInFlight;
        }
        if (state == BbrState.PROBE_BW_UP)
        {
            probeInflightLongtermUpward(newlyAcked);
        }
    }

    /** 5.5.10.2: BBRHandleInflightTooHigh. */
    private void handleInflightTooHigh(final long nowNs, final boolean appLimited, final long txInFlight)
    {
        signals.bwProbeSamples = false;
        if (!appLimited)
        {
            signals.inflightLongterm = Math.max(txInFlight,
                (long)(Math.min(bdpMultiple(bw, 1.0), cwnd) * BETA));
        }
        if (state == BbrState.PROBE_BW_UP)
        {
            startProbeBwDown(nowNs);
        }
    }

    /** 5.2.4 and 5.5.10.2: BBRHandleLostPacket. */
    @Override
    public void onPacketLost(final int bytes, final int txInFlight, final long lostSinceSend,
        final boolean appLimited)
    {
        signals.noteLoss(delivered, bytes);
        if (!signals.bwProbeSamples)
        {
            return;
        }
        if (signals.inflightTooHigh(lostSinceSend, txInFlight, LOSS_THRESH))
        {
            handleInflightTooHigh(lastAckNs, appLimited,
                BbrSignals.inflightAtLoss(bytes, txInFlight, lostSinceSend, LOSS_THRESH));
        }
    }

    // ---- ProbeRTT (5.3.4) -------------------------------------------------------------------------------------

    private void updateMinRtt(final long nowNs, final AckSample rs)
    {
        probeRttExpired = nowNs > probeRttMinStamp + PROBE_RTT_INTERVAL_NS;
        if (rs.rateRttNs >= 0 && (rs.rateRttNs < probeRttMinDelay || probeRttExpired))
        {
            probeRttMinDelay = rs.rateRttNs;
            probeRttMinStamp = nowNs;
        }
        final boolean minRttExpired = nowNs > minRttStamp + MIN_RTT_FILTER_NS;
        if (probeRttMinDelay < minRtt || minRttExpired)
        {
            minRtt = probeRttMinDelay;
            minRttStamp = probeRttMinStamp;
        }
    }

    private void checkProbeRtt(final long nowNs)
    {
        if (state != BbrState.PROBE_RTT && probeRttExpired)
        {
            state = BbrState.PROBE_RTT;
            pacingGain = 1.0;
            cwndGain = PROBE_RTT_CWND_GAIN;
            saveCwnd();
            probeRttDoneStamp = 0;
            ackPhase = ACKS_PROBE_STOPPING;
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
                    probeRttMinStamp = nowNs;
                    restoreCwnd();
                    exitProbeRtt(nowNs);
                }
            }
        }
    }

    private void exitProbeRtt(final long nowNs)
    {
        signals.resetShortTermModel();
        if (fullBwReached)
        {
            startProbeBwDown(nowNs);
            startProbeBwCruise();
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
        if (fullBwReached || rate > pacingRate)
        {
            pacingRate = rate;
        }
    }

    private long bdpMultiple(final long rate, final double gain)
    {
        if (minRtt == INFINITE)
        {
            return initialCwnd;
        }
        return (long)(gain * ((double)rate * minRtt / 1e9));
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

    private long inflightFor(final long rate, final double gain)
    {
        return quantizationBudget(bdpMultiple(rate, gain));
    }

    /** 5.6.4.6: BBRSetCwnd. */
    private void setCwnd(final long newlyAcked)
    {
        final long maxInflight = quantizationBudget(bdpMultiple(bw, cwndGain) + extraAcked);
        if (fullBwReached)
        {
            cwnd = Math.min(cwnd + newlyAcked, maxInflight);
        }
        else if (cwnd < maxInflight || delivered < initialCwnd)
        {
            cwnd = cwnd + newlyAcked;
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
            cap = inflightWithHeadroom();
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
        // BBROnEnterFastRecovery: the window stays the model's; remember it for the end.
        saveCwnd();
        inRecovery = true;
        recoveryRounds = 0;
    }

    @Override
    public void onRecoveryEnd(final long nowNs)
    {
        inRecovery = false;
        restoreCwnd();
    }

    @Override
    public void onTimeout(final long nowNs, final int inFlight)
    {
        // BBROnEnterRTO: everything outstanding is about to be marked lost, so C.inflight + 1 is one segment.
        saveCwnd();
        cwnd = mss;
        inRecovery = false;
        timeoutDelivered = delivered + inFlight;
    }

    @Override
    public void onUndo(final long nowNs)
    {
        inRecovery = false;
        restoreCwnd();
    }

    @Override
    public String name()
    {
        return "bbr";
    }

    /** xorshift64: BBR's randomised probe wait, seeded per connection. */
    private long nextRandom()
    {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return x;
    }
}
