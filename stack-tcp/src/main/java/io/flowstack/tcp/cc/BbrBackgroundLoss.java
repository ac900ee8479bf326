package io.flowstack.tcp.cc;

/**
 * The loss rate a path shows while BBR is not filling a queue, and the test that tells congestive loss from it: a
 * deliberate deviation from draft-ietf-ccwg-bbr, whose LossThresh (2%) counts every loss as congestion.
 * <p>
 * Why: the draft's version 3 takes a round trip, or the flight of a lost segment, that lost more than 2% as a sign
 * that in-flight data overflowed the bottleneck, and pulls its bounds down. Random loss (a lossy radio link, the
 * benchmark's relay) of 5% crosses that on every round, and the bounds ratchet down until the connection crawls
 * (13 Mbit/s where 100 are available, in the simulator at 20 ms). The version Linux ships (BBR version 1) ignores
 * loss below about 20% and keeps the full rate, but then keeps overflowing a shallow buffer too. Overflow loss,
 * unlike random loss, grows with what BBR puts in flight beyond the path's BDP: there is none while Startup's rate
 * still grows by a quarter per round (the bottleneck is not reached) or while ProbeBW cruises at the estimated
 * bandwidth below its headroom. So the loss rate of those rounds is measured ({@link #sample}) and loss counts as
 * congestion only when it exceeds that background by LossThresh and by two standard deviations of the binomial
 * noise of the segments concerned ({@link #above}). Without background loss the test is the draft's exactly; a
 * shallow queue overflowing under a probe still shows as loss far above the background and bounds BBR as the draft
 * does. The price: loss caused by other flows while BBR cruises raises the background too, so BBR yields less to
 * loss-based flows on such a path (as version 1 does); the background is capped at {@link #MAX_RATE}.
 * <p>
 * The estimate is a byte count of lost and of lost-or-delivered data, halved whenever the total passes the window
 * given ({@link #ROUND_WINDOW_SEGMENTS} for rounds), so it follows the recent past (one to two windows).
 * <p>
 * Each test has a background of its own, measured the way the test counts: a round's loss against the loss of quiet
 * rounds; a lost segment's flight (the data judged lost between its departure and its own loss, over what was in
 * flight when it left) against the flights of segments lost in quiet rounds. The two differ: a segment's loss is
 * judged a round trip and RACK's reordering window after it left, so its count takes in the losses of more than one
 * flight. Measured live at 20 ms and 5% random loss, such flights counted 10% lost where rounds counted 5%, and a
 * probe's flight that the round background passed as congestion set inflight_longterm near one BDP, capping the
 * connection at 77 Mbit/s for the rest of the transfer.
 */
final class BbrBackgroundLoss
{
    /** At most this much random loss is tolerated (below version 1's 20%, where it takes loss as policing). */
    static final double MAX_RATE = 0.15;
    /** Segments of rounds over which the round background is measured, about. */
    static final int ROUND_WINDOW_SEGMENTS = 1000;
    /**
     * Segments of flights over which the flight background is measured: every lost segment adds its whole flight, so
     * this is about a hundred flights of a 100 ms, 100 Mbit/s path, thousands on a short one.
     */
    static final int FLIGHT_WINDOW_SEGMENTS = 64 * ROUND_WINDOW_SEGMENTS;
    /** Standard deviations of the random loss that a round's loss must exceed the background by. */
    static final double NOISE_SIGMAS = 2.0;

    private final long windowSegments;
    private long lost;
    private long total;

    /**
     * @param windowSegments segments of samples over which the rate is measured, about.
     */
    BbrBackgroundLoss(final int windowSegments)
    {
        this.windowSegments = windowSegments;
    }

    void reset()
    {
        lost = 0;
        total = 0;
    }

    /**
     * A sample from a time in which BBR did not fill a queue: a round trip that ended, or a lost segment's flight.
     *
     * @param lostBytes      bytes lost in it.
     * @param deliveredBytes bytes delivered in it (the rest of the flight).
     * @param mss            the segment size.
     */
    void sample(final long lostBytes, final long deliveredBytes, final int mss)
    {
        lost += lostBytes;
        total += lostBytes + deliveredBytes;
        while (total > windowSegments * mss)
        {
            lost >>= 1;
            total >>= 1;
        }
    }

    /** @return the background loss rate, 0 before any sample, at most {@link #MAX_RATE}. */
    double rate()
    {
        return total == 0 ? 0 : Math.min(MAX_RATE, (double)lost / total);
    }

    /**
     * @param lostBytes bytes lost out of {@code ofBytes}.
     * @param ofBytes   bytes lost or delivered (a round's), or in flight (a lost segment's flight).
     * @param thresh    LossThresh.
     * @param mss       the segment size.
     * @return whether the loss is more than the background, LossThresh and the noise of random loss explain.
     */
    boolean above(final long lostBytes, final long ofBytes, final double thresh, final int mss)
    {
        final double p = rate();
        final double noise = p == 0 ? 0 : NOISE_SIGMAS * Math.sqrt((double)ofBytes / mss * p * (1 - p)) * mss;
        return lostBytes > ofBytes * (p + thresh) + noise;
    }
}
