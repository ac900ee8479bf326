package io.flowstack.tcp.cc;

/**
 * The first slow start of a connection: HyStart++ (RFC 9406) with the ACK-train test of hybrid slow start
 * ({@link AckTrain}). Standard slow start grows the window by the data acknowledged; when a round's minimum RTT
 * rises by RttThresh over the last round's, conservative slow start (CSS) grows it a quarter as fast for up to
 * CSS_ROUNDS rounds, and resumes slow start if the RTT comes down again (the rise was jitter); after those rounds
 * slow start is over. A round's ACK train outlasting half the minimum RTT ends slow start at once, in slow start
 * or in CSS.
 * <p>
 * Why both: RFC 9406 compares each round with the one before, so a queue that grows by less than RttThresh per
 * round goes unseen. Unpaced, on a 100 ms path with a queue of one bandwidth-delay product, the round's minimum
 * rose 100, 104, 107.5, 114.5, 128.6 ms while the window doubled to 2.7 times the path's BDP; CSS began only then,
 * grew it further and the queue dropped 953 segments in the simulator (live, 1,200-1,500 were resent where the
 * kernel's CUBIC resent 18-19). The train
 * sees the window reach the BDP before a queue builds, as Linux's HyStart does, and leaves straight for congestion
 * avoidance as Linux does: CSS guards against exits on jitter in the RTT, which the train's length does not have.
 * RFC 9438 4.10 names hybrid slow start as the alternative CUBIC implementations have used; leaving slow start
 * earlier than RFC 9406 would is never more aggressive than it.
 */
final class HyStart
{
    /** RFC 9406: RTT samples per round before slow start may be left. */
    static final int N_RTT_SAMPLE = 8;
    /** RFC 9406: bounds of the RTT increase that ends slow start. */
    static final long MIN_RTT_THRESH_NS = 4_000_000L;
    static final long MAX_RTT_THRESH_NS = 16_000_000L;
    /** RFC 9406: the RTT increase is this fraction of the last round's minimum, within the bounds. */
    static final int MIN_RTT_DIVISOR = 8;
    /** RFC 9406: conservative slow start grows a quarter as fast, for at most five rounds. */
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;
    /** RFC 9406: the slow start increase per ACK is capped at L segments without pacing. */
    static final int L = 8;
    /** Linux's hystart_low_window: below this many segments the train is too short to tell anything. */
    static final int LOW_WINDOW = 16;
    private static final long NONE = Long.MAX_VALUE;

    private final AckTrain train;
    /** RFC 9406's windowEnd: the round ends when an ACK covers it, i.e. acknowledges data sent after it began. */
    private int windowEnd;
    private boolean inRound;
    private boolean css;
    private int cssRounds;
    private long lastRoundMinRtt = NONE;
    private long currentRoundMinRtt = NONE;
    private int rttSamples;
    private long cssBaselineMinRtt = NONE;
    private long minRttNs;
    private boolean done;

    /**
     * @param paced the sender paces its flights.
     */
    HyStart(final boolean paced)
    {
        train = new AckTrain(paced);
    }

    /** A new connection: nothing measured. */
    void init()
    {
        css = false;
        lastRoundMinRtt = NONE;
        currentRoundMinRtt = NONE;
        rttSamples = 0;
        cssBaselineMinRtt = NONE;
        minRttNs = 0;
        done = false;
        inRound = false;
        train.reset();
    }

    /** A congestion event ended slow start: should it resume (the reduction undone), it starts over. */
    void onCongestionEvent()
    {
        css = false;
        done = false;
        inRound = false;
        train.reset();
    }

    /**
     * @return whether slow start is over with the last ACK: ssthresh = cwnd (RFC 9406 4.2).
     */
    boolean done()
    {
        return done;
    }

    /**
     * @param nowNs  when the ACK arrived.
     * @param ack    the ACK, which acknowledged new data.
     * @param cwnd   the congestion window, bytes.
     * @param mss    the sender's maximum segment size.
     * @return the congestion window after the ACK; {@link #done()} tells whether slow start ended with it.
     */
    double onAck(final long nowNs, final AckSample ack, final double cwnd, final int mss)
    {
        if (ack.rttNs > 0 && (minRttNs == 0 || ack.rttNs < minRttNs))
        {
            minRttNs = ack.rttNs;
        }
        // RFC 9406 4.2: windowEnd is SND.NXT, so the ACK that ends a round acknowledges data sent in the next
        // one, as Linux's HyStart counts rounds. (AckSample.roundStart comes an ACK earlier, when what was sent
        // before the round is acknowledged: the last ACK of a train, an RTT before the next train begins.)
        final boolean roundStart = !inRound || ack.ack - windowEnd > 0;
        if (roundStart)
        {
            inRound = true;
            windowEnd = ack.sndNxt;
            lastRoundMinRtt = currentRoundMinRtt;
            currentRoundMinRtt = NONE;
            rttSamples = 0;
            if (css && ++cssRounds >= CSS_ROUNDS)
            {
                // Five rounds of risen RTT: slow start is over.
                css = false;
                done = true;
                return cwnd;
            }
        }
        if (train.onAck(nowNs, roundStart, minRttNs) && cwnd >= LOW_WINDOW * mss)
        {
            css = false;
            done = true;
            return cwnd;
        }
        final double increase = Math.min(ack.ackedBytes, L * mss * ack.stretch);
        final double grown = cwnd + (css ? increase / CSS_GROWTH_DIVISOR : increase);
        if (ack.rttNs <= 0 || rttSamples >= N_RTT_SAMPLE)
        {
            return grown;
        }
        // The round's minimum over its first samples only, as Linux's HyStart takes it: later in a round of
        // unpaced slow start the bottleneck queue drains between bursts, and those samples would hide the queue
        // that builds (RFC 9406 takes every sample; with pacing both agree).
        currentRoundMinRtt = Math.min(currentRoundMinRtt, ack.rttNs);
        if (++rttSamples < N_RTT_SAMPLE || lastRoundMinRtt == NONE)
        {
            return grown;
        }
        if (!css)
        {
            final long thresh = Math.max(MIN_RTT_THRESH_NS,
                Math.min(lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH_NS));
            if (currentRoundMinRtt >= lastRoundMinRtt + thresh)
            {
                css = true;
                cssRounds = 0;
                cssBaselineMinRtt = currentRoundMinRtt;
            }
        }
        else if (currentRoundMinRtt < cssBaselineMinRtt)
        {
            // The RTT came down again: the exit was spurious, back to slow start.
            css = false;
            cssBaselineMinRtt = NONE;
        }
        return grown;
    }
}
