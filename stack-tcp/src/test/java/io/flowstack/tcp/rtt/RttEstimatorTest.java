package io.flowstack.tcp.rtt;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RTT estimator against values computed by hand from RFC 6298's formulas.
 */
class RttEstimatorTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;

    @Test
    void shouldStartAtInitialRto()
    {
        final RttEstimator rtt = new RttEstimator(S, 60 * S, S, 0);
        assertFalse(rtt.hasSample());
        assertEquals(S, rtt.rto(), "RFC 6298 (2.1): 1 s before any sample");
        assertEquals(0, rtt.srtt());
        assertEquals(0, rtt.rttvar());
    }

    @Test
    void shouldFollowRfc6298Formulas()
    {
        final RttEstimator rtt = new RttEstimator(200 * MS, 60 * S, S, 0);

        // (2.2) First R = 100 ms: SRTT = 100, RTTVAR = 50, RTO = 100 + 4 * 50 = 300 ms.
        rtt.sample(100 * MS);
        assertTrue(rtt.hasSample());
        assertEquals(100 * MS, rtt.srtt());
        assertEquals(50 * MS, rtt.rttvar());
        assertEquals(300 * MS, rtt.rto());

        // (2.3) R' = 200 ms: RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5;
        // RTO = 112.5 + 4 * 62.5 = 362.5 ms.
        rtt.sample(200 * MS);
        assertEquals(62_500_000L, rtt.rttvar());
        assertEquals(112_500_000L, rtt.srtt());
        assertEquals(362_500_000L, rtt.rto());

        // R' = 112.5 ms, equal to SRTT: RTTVAR = 3/4 * 62.5 = 46.875; SRTT stays; 4 * RTTVAR = 187.5 ms is below the
        // 200 ms minimum, which bounds the variance term (as Linux's tcp_set_rto does): RTO = 112.5 + 200 = 312.5 ms.
        rtt.sample(112_500_000L);
        assertEquals(46_875_000L, rtt.rttvar());
        assertEquals(112_500_000L, rtt.srtt());
        assertEquals(312_500_000L, rtt.rto());
    }

    @Test
    void shouldRoundUpToMinimumRto()
    {
        // (2.4), applied as Linux does: the variance term is at least the minimum, so RTO = SRTT + 1 s.
        final RttEstimator rtt = new RttEstimator(S, 60 * S, S, 0);
        rtt.sample(100 * MS);
        assertEquals(S + 100 * MS, rtt.rto());
        assertEquals(100 * MS, rtt.srtt(), "the estimate itself is not rounded");
    }

    @Test
    void shouldUseClockGranularityWhenVarianceIsSmaller()
    {
        // (2.2): RTO = SRTT + max(G, K * RTTVAR): R = 1 ms, 4 * RTTVAR = 2 ms < G = 10 ms.
        final RttEstimator rtt = new RttEstimator(MS, 60 * S, S, 10 * MS);
        rtt.sample(MS);
        assertEquals(11 * MS, rtt.rto());
    }

    @Test
    void shouldCapAtMaximumRto()
    {
        final RttEstimator rtt = new RttEstimator(S, 60 * S, S, 0);
        rtt.sample(30 * S);
        assertEquals(60 * S, rtt.rto(), "(2.5): 30 + 4 * 15 s capped at 60 s");
    }

    @Test
    void shouldDoubleOnBackoffUpToMaximum()
    {
        final RttEstimator rtt = new RttEstimator(200 * MS, 60 * S, S, 0);
        final long[] expected = {2 * S, 4 * S, 8 * S, 16 * S, 32 * S, 60 * S, 60 * S};
        for (final long rto : expected)
        {
            rtt.backoff();
            assertEquals(rto, rtt.rto(), "(5.5): RTO <- RTO * 2, with (2.5)'s maximum");
        }
        assertEquals(expected.length, rtt.backoffs());

        rtt.resetBackoff();
        assertEquals(S, rtt.rto(), "no sample yet: back to the initial RTO");
        assertEquals(0, rtt.backoffs());
    }

    @Test
    void shouldEndBackoffOnNewSample()
    {
        final RttEstimator rtt = new RttEstimator(200 * MS, 60 * S, S, 0);
        rtt.sample(100 * MS);
        rtt.backoff();
        rtt.backoff();
        assertEquals(1200 * MS, rtt.rto());
        rtt.resetBackoff();
        assertEquals(300 * MS, rtt.rto());

        rtt.backoff();
        rtt.sample(100 * MS);
        // RTTVAR = 3/4 * 50 + 0 = 37.5; SRTT = 100; 4 * RTTVAR = 150 ms, below the minimum: RTO = 100 + 200 ms.
        assertEquals(300 * MS, rtt.rto());
        assertEquals(0, rtt.backoffs());
    }

    @Test
    void shouldIgnoreNegativeSampleAndForgetOnReset()
    {
        final RttEstimator rtt = new RttEstimator(200 * MS, 60 * S, S, 0);
        rtt.sample(-5);
        assertFalse(rtt.hasSample());
        rtt.sample(100 * MS);
        rtt.reset();
        assertFalse(rtt.hasSample());
        assertEquals(S, rtt.rto());
    }

    @Test
    void shouldRefuseInconsistentBounds()
    {
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(0, 60 * S, S, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(2 * S, 60 * S, S, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(S, S / 2, S, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(S, 60 * S, S, -1));
    }

    @Property
    void shouldKeepRtoWithinBounds(
        @ForAll @Size(max = 50) final List<@LongRange(min = -1, max = 120_000_000_000L) Long> samples,
        @ForAll @Size(max = 20) final List<Boolean> backoffAfter)
    {
        final RttEstimator rtt = new RttEstimator(200 * MS, 60 * S, S, MS);
        long minSeen = Long.MAX_VALUE;
        long maxSeen = Long.MIN_VALUE;
        for (int i = 0; i < samples.size(); i++)
        {
            final long r = samples.get(i);
            rtt.sample(r);
            if (r >= 0)
            {
                minSeen = Math.min(minSeen, r);
                maxSeen = Math.max(maxSeen, r);
                assertTrue(rtt.srtt() >= minSeen - 1 && rtt.srtt() <= maxSeen, "SRTT is an average of samples");
                assertTrue(rtt.rttvar() >= 0 && rtt.rttvar() <= maxSeen - minSeen + maxSeen / 2);
            }
            if (i < backoffAfter.size() && backoffAfter.get(i))
            {
                final long before = rtt.rto();
                rtt.backoff();
                assertEquals(Math.min(2 * before, 60 * S), rtt.rto());
            }
            assertTrue(rtt.rto() >= 200 * MS && rtt.rto() <= 60 * S, "RTO " + rtt.rto());
        }
    }
}
