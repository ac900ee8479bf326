package io.flowstack.tcp.cc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The background loss rate that BBR's loss thresholds are measured above.
 */
class BbrBackgroundLossTest
{
    private static final int MSS = 1000;
    private final BbrBackgroundLoss b = new BbrBackgroundLoss(BbrBackgroundLoss.ROUND_WINDOW_SEGMENTS);

    @Test
    void withoutBackgroundLossTheTestIsTheDraftsLossThresh()
    {
        // 2% of 100 segments: 2 lost is not more than LossThresh, 3 is.
        assertFalse(b.above(2 * MSS, 100 * MSS, 0.02, MSS));
        assertTrue(b.above(3 * MSS, 100 * MSS, 0.02, MSS));
    }

    @Test
    void randomLossOfQuietRoundsIsNotCongestionButMoreThanThatIs()
    {
        for (int round = 0; round < 20; round++)
        {
            b.sample(5 * MSS, 95 * MSS, MSS);
        }
        assertEquals(0.05, b.rate(), 1e-9);
        // 5% background + 2% + two standard deviations of 100 segments' random loss (2 x 2.18): 11.4 segments.
        assertFalse(b.above(11 * MSS, 100 * MSS, 0.02, MSS));
        assertTrue(b.above(12 * MSS, 100 * MSS, 0.02, MSS));
        // A probe's flight of 1000 segments: 5% + 2% + 2 x 6.9 segments, 83.8.
        assertFalse(b.above(83 * MSS, 1000 * MSS, 0.02, MSS));
        assertTrue(b.above(84 * MSS, 1000 * MSS, 0.02, MSS));
    }

    @Test
    void theEstimateFollowsTheRecentPastAndIsCapped()
    {
        for (int round = 0; round < 20; round++)
        {
            b.sample(5 * MSS, 95 * MSS, MSS);
        }
        for (int round = 0; round < 100; round++)
        {
            b.sample(0, 100 * MSS, MSS);
        }
        assertTrue(b.rate() < 0.001, "a clean path again: " + b.rate());
        for (int round = 0; round < 100; round++)
        {
            b.sample(50 * MSS, 50 * MSS, MSS);
        }
        assertEquals(BbrBackgroundLoss.MAX_RATE, b.rate(), 1e-9);
        b.reset();
        assertEquals(0, b.rate());
    }
}
