package io.flowstack.tcp.cc;

/**
 * BBR's response to loss (draft-ietf-ccwg-bbr 5.5.10): the delivery signals of the latest round trip, the
 * short-term bounds they pull down once per lossy round outside probing (bw_shortterm, inflight_shortterm), and the
 * long-term bound on in-flight data that a probe losing more than LossThresh sets (inflight_longterm). Also the
 * loss counts of a round that tell Startup the pipe is full (5.3.1.3).
 */
final class BbrSignals
{
    static final long INFINITE = Long.MAX_VALUE;

    /** The loss rate of rounds that filled no queue: a round's loss beyond it is congestion. */
    final BbrBackgroundLoss background = new BbrBackgroundLoss(BbrBackgroundLoss.ROUND_WINDOW_SEGMENTS);
    /** The loss rate of the flights of segments lost while no queue was filled: a flight's loss beyond it is. */
    final BbrBackgroundLoss flightBackground = new BbrBackgroundLoss(BbrBackgroundLoss.FLIGHT_WINDOW_SEGMENTS);

    boolean lossInRound;
    long lossRoundDelivered;
    boolean lossRoundStart;
    long bwLatest;
    long inflightLatest;
    long bwShortterm = INFINITE;
    long inflightShortterm = INFINITE;
    long inflightLongterm = INFINITE;
    /** The samples of a bandwidth probe are coming in and have not been reacted to yet (BBR.bw_probe_samples). */
    boolean bwProbeSamples;

    // Raising inflight_longterm while probing (5.3.3.6): by 1, 2, 4, ... segments per round trip.
    long probeUpCnt = INFINITE;
    private int bwProbeUpRounds;
    private long bwProbeUpAcks;

    private int lossEventsInRound;
    private long lostInRound;
    private long roundStartDelivered;

    /** BBRResetCongestionSignals. */
    void resetCongestionSignals()
    {
        lossInRound = false;
        bwLatest = 0;
        inflightLatest = 0;
    }

    /** BBRResetShortTermModel. */
    void resetShortTermModel()
    {
        bwShortterm = INFINITE;
        inflightShortterm = INFINITE;
    }

    /** BBRUpdateLatestDeliverySignals, near the start of an acknowledgment. */
    void updateLatestDeliverySignals(final AckSample rs, final long delivered)
    {
        lossRoundStart = false;
        bwLatest = Math.max(bwLatest, rs.deliveryRate);
        inflightLatest = Math.max(inflightLatest, rs.rateDelivered);
        if (rs.priorDelivered >= lossRoundDelivered)
        {
            lossRoundDelivered = delivered;
            lossRoundStart = true;
        }
    }

    /**
     * @param thresh the tolerated loss rate.
     * @param mss    the segment size.
     * @return at the end of a round: whether more than {@code thresh} of the round's data was lost, beyond the
     *         background loss rate.
     */
    boolean roundLossAbove(final double thresh, final int mss)
    {
        final long deliveredInRound = lossRoundDelivered - roundStartDelivered;
        return background.above(lostInRound, deliveredInRound + lostInRound, thresh, mss);
    }

    /** At the end of a round that filled no queue: its loss rate is the path's background. */
    void sampleBackground(final int mss)
    {
        background.sample(lostInRound, Math.max(0, lossRoundDelivered - roundStartDelivered), mss);
    }

    /** BBRAdvanceLatestDeliverySignals, near the end of an acknowledgment. */
    void advanceLatestDeliverySignals(final AckSample rs)
    {
        if (lossRoundStart)
        {
            bwLatest = rs.deliveryRate;
            inflightLatest = rs.rateDelivered;
            lossEventsInRound = 0;
            lostInRound = 0;
            roundStartDelivered = rs.delivered;
        }
    }

    /** BBRInitLowerBounds and BBRLossLowerBounds: once per round trip with loss, outside probing. */
    void lossLowerBounds(final long maxBw, final long cwnd)
    {
        if (bwShortterm == INFINITE)
        {
            bwShortterm = maxBw;
        }
        if (inflightShortterm == INFINITE)
        {
            inflightShortterm = cwnd;
        }
        bwShortterm = Math.max(bwLatest, (long)(Bbr.BETA * bwShortterm));
        inflightShortterm = Math.max(inflightLatest, (long)(Bbr.BETA * inflightShortterm));
    }

    /** BBRNoteLoss. */
    void noteLoss(final long delivered, final int bytes)
    {
        if (!lossInRound)
        {
            lossRoundDelivered = delivered;
        }
        lossInRound = true;
        lossEventsInRound++;
        lostInRound += bytes;
    }

    /** IsInflightTooHigh: more than {@code thresh} of what was in flight was lost, beyond the flights' background. */
    boolean inflightTooHigh(final long lost, final long txInFlight, final double thresh, final int mss)
    {
        return txInFlight > 0 && flightBackground.above(lost, txInFlight, thresh, mss);
    }

    /** A segment was lost while no queue was filled: its flight's loss is the path's background. */
    void sampleFlightBackground(final long lostSinceSend, final long txInFlight, final int mss)
    {
        flightBackground.sample(lostSinceSend, Math.max(0, txInFlight - lostSinceSend), mss);
    }

    /**
     * BBRInflightAtLoss: the in-flight volume, within the lost segment, at which losses crossed {@code thresh}.
     */
    static long inflightAtLoss(final int size, final long txInFlight, final long lostSinceSend, final double thresh)
    {
        final long inflightPrev = txInFlight - size;
        final long lostPrev = lostSinceSend - size;
        final double lostPrefix = (thresh * inflightPrev - lostPrev) / (1 - thresh);
        return Math.max(0, inflightPrev + (long)lostPrefix);
    }

    /**
     * BBRCheckStartupHighLoss, at the end of a round: a full round in recovery, at least {@code minEvents} losses
     * and a loss rate above {@code thresh}.
     */
    boolean startupHighLoss(final boolean roundInRecovery, final int minEvents, final double thresh, final int mss)
    {
        return lossRoundStart && roundInRecovery && lossEventsInRound >= minEvents && roundLossAbove(thresh, mss);
    }

    /** ProbeBW_REFILL begins: inflight_longterm grows slowly at first again. */
    void startProbing()
    {
        bwProbeUpRounds = 0;
        bwProbeUpAcks = 0;
    }

    /** BBRRaiseInflightLongtermSlope: twice as fast as in the last round. */
    void raiseInflightLongtermSlope(final long cwnd, final int mss)
    {
        final long growthThisRound = (long)mss << bwProbeUpRounds;
        bwProbeUpRounds = Math.min(bwProbeUpRounds + 1, 30);
        probeUpCnt = Math.max(cwnd / growthThisRound, 1);
    }

    /** BBRProbeInflightLongtermUpward: while the window is full and held at inflight_longterm, raise it. */
    void probeInflightLongtermUpward(final long newlyAcked, final long cwnd, final int mss, final boolean cwndLimited,
        final boolean roundStart)
    {
        if (!cwndLimited || cwnd < inflightLongterm)
        {
            return;
        }
        bwProbeUpAcks += newlyAcked;
        if (bwProbeUpAcks >= probeUpCnt)
        {
            final long delta = bwProbeUpAcks / probeUpCnt;
            bwProbeUpAcks -= delta * probeUpCnt;
            inflightLongterm += delta;
        }
        if (roundStart)
        {
            raiseInflightLongtermSlope(cwnd, mss);
        }
    }

    /** BBRInflightWithHeadroom: inflight_longterm less 15% (at least a segment) left for other flows. */
    long inflightWithHeadroom(final int mss)
    {
        if (inflightLongterm == INFINITE)
        {
            return INFINITE;
        }
        final long headroom = Math.max(mss, (long)(Bbr.HEADROOM * inflightLongterm));
        return Math.max(inflightLongterm - headroom, (long)Bbr.MIN_PIPE_SEGMENTS * mss);
    }
}
