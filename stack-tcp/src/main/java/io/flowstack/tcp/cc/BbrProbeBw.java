package io.flowstack.tcp.cc;

/**
 * BBR's ProbeBW cycle (draft-ietf-ccwg-bbr 5.3.3): Down (pacing at 0.9 until in flight is at most the BDP and below
 * inflight_longterm's headroom), Cruise (at the bandwidth until it is time to probe: 2 to 3 s, or as many rounds as
 * the BDP has segments, at most 63, for Reno's sake), Refill (one round at the bandwidth with the short-term bounds
 * lifted) and Up (1.25 until the bandwidth stops growing or a probe loses more than LossThresh), and what probing
 * teaches the long-term model. It acts on the {@link Bbr} it belongs to.
 */
final class BbrProbeBw
{
    private static final int ACKS_INIT = 0;
    private static final int ACKS_REFILLING = 1;
    private static final int ACKS_PROBE_STARTING = 2;
    private static final int ACKS_PROBE_FEEDBACK = 3;
    private static final int ACKS_PROBE_STOPPING = 4;

    private final Bbr b;
    private int ackPhase;
    private long cycleStamp;
    private long bwProbeWaitNs;
    long roundsSinceBwProbe;

    BbrProbeBw(final Bbr bbr)
    {
        this.b = bbr;
    }

    void reset()
    {
        ackPhase = ACKS_INIT;
        roundsSinceBwProbe = 0;
    }

    /** ProbeRTT began: the samples from here on are no probe's. */
    void stopProbing()
    {
        ackPhase = ACKS_PROBE_STOPPING;
    }

    void enter(final long nowNs)
    {
        b.cwndGain = Bbr.DEFAULT_CWND_GAIN;
        startDown(nowNs);
    }

    void startDown(final long nowNs)
    {
        b.signals.resetCongestionSignals();
        b.signals.probeUpCnt = Bbr.INFINITE;
        // BBRPickProbeWait: 0 or 1 round, 2 to 3 s.
        roundsSinceBwProbe = b.nextRandom() & 1;
        bwProbeWaitNs = 2_000_000_000L + (b.nextRandom() >>> 1) % 1_000_000_000L;
        cycleStamp = nowNs;
        ackPhase = ACKS_PROBE_STOPPING;
        b.startRound();
        b.state = BbrState.PROBE_BW_DOWN;
        b.pacingGain = 0.90;
        b.cwndGain = Bbr.DEFAULT_CWND_GAIN;
    }

    void startCruise()
    {
        b.state = BbrState.PROBE_BW_CRUISE;
        b.pacingGain = 1.0;
        b.cwndGain = Bbr.DEFAULT_CWND_GAIN;
    }

    private void startRefill()
    {
        b.signals.resetShortTermModel();
        b.signals.startProbing();
        ackPhase = ACKS_REFILLING;
        b.startRound();
        b.state = BbrState.PROBE_BW_REFILL;
        b.pacingGain = 1.0;
        b.cwndGain = Bbr.DEFAULT_CWND_GAIN;
    }

    private void startUp(final AckSample rs)
    {
        ackPhase = ACKS_PROBE_STARTING;
        b.startRound();
        b.model.resetFullBw();
        b.model.fullBw = rs.deliveryRate;
        b.state = BbrState.PROBE_BW_UP;
        b.pacingGain = 1.25;
        b.cwndGain = Bbr.PROBE_UP_CWND_GAIN;
        b.signals.raiseInflightLongtermSlope(b.cwnd, b.mss);
    }

    void update(final long nowNs, final AckSample rs, final boolean appLimited,
        final long newlyAcked)
    {
        if (!b.model.fullBwReached)
        {
            return;
        }
        adaptLongTermModel(nowNs, rs, appLimited, newlyAcked);
        switch (b.state)
        {
            case PROBE_BW_DOWN ->
            {
                if (!isTimeToProbeBw(nowNs) && isTimeToCruise())
                {
                    startCruise();
                }
            }
            case PROBE_BW_CRUISE -> isTimeToProbeBw(nowNs);
            case PROBE_BW_REFILL ->
            {
                if (b.roundStart)
                {
                    b.signals.bwProbeSamples = true;
                    startUp(rs);
                }
            }
            case PROBE_BW_UP ->
            {
                if (isTimeToGoDown(rs))
                {
                    startDown(nowNs);
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
            startRefill();
            return true;
        }
        return false;
    }

    private boolean isRenoCoexistenceProbeTime()
    {
        final long renoRounds = Math.min(b.bdpMultiple(b.bw, 1.0), b.cwnd) / b.mss;
        return roundsSinceBwProbe >= Math.min(renoRounds, 63);
    }

    private boolean isTimeToCruise()
    {
        if (b.inflight > b.signals.inflightWithHeadroom(b.mss))
        {
            return false;
        }
        return b.inflight <= b.inflightFor(b.model.maxBw, 1.0);
    }

    private boolean isTimeToGoDown(final AckSample rs)
    {
        if (b.cwndLimited && b.cwnd >= b.signals.inflightLongterm)
        {
            // Bandwidth is held back by inflight_longterm: the plateau test would be meaningless.
            b.model.resetFullBw();
            b.model.fullBw = rs.deliveryRate;
            return false;
        }
        return b.model.fullBwNow;
    }

    private void adaptLongTermModel(final long nowNs, final AckSample rs, final boolean appLimited,
        final long newlyAcked)
    {
        if (ackPhase == ACKS_PROBE_STARTING && b.roundStart)
        {
            ackPhase = ACKS_PROBE_FEEDBACK;
        }
        if (ackPhase == ACKS_PROBE_STOPPING && b.roundStart)
        {
            // The probe's samples are in (the draft leaves out what Linux does here: the phase ends, and a loss
            // seen later no longer counts against the probe).
            ackPhase = ACKS_INIT;
            b.signals.bwProbeSamples = false;
            if (b.isInProbeBw() && !appLimited)
            {
                // BBRAdvanceMaxBwFilter: a new cycle of the max_bw filter begins.
                b.model.cycleCount++;
            }
        }
        if (b.signals.inflightTooHigh(rs.lostSinceSend, rs.txInFlight, Bbr.LOSS_THRESH, b.mss))
        {
            // As Linux does: the ACK's own sample may show the loss rate of a probe too high.
            if (b.signals.bwProbeSamples && !b.recoveringFromTimeout())
            {
                handleInflightTooHigh(nowNs, appLimited, rs.txInFlight);
            }
            return;
        }
        if (b.signals.inflightLongterm == Bbr.INFINITE)
        {
            return;
        }
        if (rs.txInFlight > b.signals.inflightLongterm)
        {
            b.signals.inflightLongterm = rs.txInFlight;
        }
        if (b.state == BbrState.PROBE_BW_UP)
        {
            b.signals.probeInflightLongtermUpward(newlyAcked, b.cwnd, b.mss, b.cwndLimited, b.roundStart);
        }
    }

    /** 5.5.10.2: BBRHandleInflightTooHigh. */
    void handleInflightTooHigh(final long nowNs, final boolean appLimited, final long txInFlight)
    {
        b.signals.bwProbeSamples = false;
        if (!appLimited)
        {
            b.signals.inflightLongterm = Math.max(txInFlight,
                (long)(Math.min(b.bdpMultiple(b.bw, 1.0), b.cwnd) * Bbr.BETA));
        }
        if (b.state == BbrState.PROBE_BW_UP)
        {
            startDown(nowNs);
        }
    }
}
