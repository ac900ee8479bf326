package io.flowstack.tcp.rtt;

/**
 * Round-trip time estimate and retransmission timeout of one connection (RFC 6298), in nanoseconds.
 * <p>
 * Karn's algorithm (RFC 6298 3) is the caller's job: feed {@link #sample} only with the RTT of a segment that was
 * not retransmitted (or from timestamps, RFC 7323 4), and keep the backed-off RTO until such a sample arrives.
 * RFC 6298 5.7's option of clearing SRTT after repeated backoffs is not taken.
 */
public final class RttEstimator
{
    /** RFC 6298 2: K = 4. */
    private static final int K = 4;

    /** Samples are capped here (about 18 years) so that the integer arithmetic cannot overflow. */
    private static final long MAX_SAMPLE_NS = Long.MAX_VALUE >> 4;

    private final long minRtoNs;
    private final long maxRtoNs;
    private final long initialRtoNs;
    private final long clockGranularityNs;
    private long srtt;
    private long rttvar;
    private boolean hasSample;
    private long baseRto;
    private long rto;
    private int backoffs;

    /**
     * @param minRtoNs           lower bound of the RTO's variance term, so the RTO is at least SRTT plus this (as
     *                           Linux's tcp_set_rto; RFC 6298 (2.4) bounds the RTO itself, at 1 s); Linux uses 200 ms.
     * @param maxRtoNs           upper bound of the RTO, at least 60 s per RFC 6298 (2.5).
     * @param initialRtoNs       RTO before the first sample: RFC 6298 (2.1) says 1 s.
     * @param clockGranularityNs G of RFC 6298 (2.2): the tick of the clock that times segments, 0 or more.
     * @throws IllegalArgumentException unless {@code 0 < minRtoNs <= initialRtoNs <= maxRtoNs} and
     *                                  {@code clockGranularityNs >= 0}.
     */
    public RttEstimator(
        final long minRtoNs, final long maxRtoNs, final long initialRtoNs, final long clockGranularityNs)
    {
        if (minRtoNs <= 0 || initialRtoNs < minRtoNs || maxRtoNs < initialRtoNs || clockGranularityNs < 0)
        {
            throw new IllegalArgumentException("need 0 < minRto <= initialRto <= maxRto and granularity >= 0: " +
                minRtoNs + ", " + initialRtoNs + ", " + maxRtoNs + ", " + clockGranularityNs);
        }
        this.minRtoNs = minRtoNs;
        this.maxRtoNs = maxRtoNs;
        this.initialRtoNs = initialRtoNs;
        this.clockGranularityNs = clockGranularityNs;
        reset();
    }

    /**
     * Forgets every sample, for a new connection: RFC 6298 (2.1), RTO back to the initial value.
     */
    public void reset()
    {
        srtt = 0;
        rttvar = 0;
        hasSample = false;
        baseRto = initialRtoNs;
        rto = initialRtoNs;
        backoffs = 0;
    }

    /**
     * Takes one RTT measurement and recomputes the RTO, which also ends any backoff (RFC 6298 5.7: the RTO is
     * computed afresh from the new estimate). A negative measurement (a clock that went back) is ignored.
     *
     * @param rttNs the measured round-trip time.
     */
    public void sample(final long rttNs)
    {
        if (rttNs < 0)
        {
            return;
        }
        final long r = Math.min(rttNs, MAX_SAMPLE_NS);
        if (!hasSample)
        {
            // RFC 6298 (2.2): SRTT <- R, RTTVAR <- R/2.
            srtt = r;
            rttvar = r / 2;
            hasSample = true;
        }
        else
        {
            // RFC 6298 (2.3), beta = 1/4 and alpha = 1/8; RTTVAR first, with the old SRTT.
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        // RFC 6298 (2.2), (2.3): RTO <- SRTT + max(G, K * RTTVAR); (2.5) a maximum. The minimum (2.4) bounds the
        // variance term, as Linux's tcp_set_rto does (RTTVAR at least rto_min), not the sum: on a long path a
        // retransmission lost again needs an RTT and RACK's reordering window to be found, which an RTO of
        // max(SRTT + 4 RTTVAR, 200 ms) (200 ms at 100 ms) cuts short with a needless timeout.
        final long rtoNs = srtt + Math.max(Math.max(clockGranularityNs, K * rttvar), minRtoNs);
        baseRto = Math.min(rtoNs, maxRtoNs);
        rto = baseRto;
        backoffs = 0;
    }

    /**
     * RFC 6298 (5.5): the retransmission timer expired; doubles the RTO, up to the maximum.
     */
    public void backoff()
    {
        rto = rto > maxRtoNs / 2 ? maxRtoNs : rto * 2;
        backoffs++;
    }

    /**
     * Returns the RTO to the value computed from the estimate (or the initial value before any sample), ending
     * a backoff without a new sample.
     */
    public void resetBackoff()
    {
        rto = baseRto;
        backoffs = 0;
    }

    /**
     * @return the retransmission timeout to arm the timer with.
     */
    public long rto()
    {
        return rto;
    }

    /**
     * @return the smoothed round-trip time SRTT, 0 before the first sample.
     */
    public long srtt()
    {
        return srtt;
    }

    /**
     * @return the round-trip time variation RTTVAR, 0 before the first sample.
     */
    public long rttvar()
    {
        return rttvar;
    }

    /**
     * @return true once a measurement has been taken.
     */
    public boolean hasSample()
    {
        return hasSample;
    }

    /**
     * @return backoffs since the last sample or {@link #resetBackoff()}.
     */
    public int backoffs()
    {
        return backoffs;
    }
}
