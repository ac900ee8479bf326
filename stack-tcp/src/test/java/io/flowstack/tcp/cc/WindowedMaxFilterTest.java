package io.flowstack.tcp.cc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The windowed maximum (Kathleen Nichols' algorithm) that BBR's max_bw and extra_acked use.
 */
class WindowedMaxFilterTest
{
    private final WindowedMaxFilter f = new WindowedMaxFilter();

    @Test
    void theMaximumHoldsForTheWindowThenTheBestLaterSampleTakesOver()
    {
        f.reset(0, 0);
        assertEquals(100, f.update(0, 100, 10));
        assertEquals(100, f.update(3, 80, 10));
        assertEquals(100, f.update(6, 60, 10));
        assertEquals(100, f.update(10, 50, 10));
        // At 11 the sample of 0 is out of the window: the best of the rest, 80 from time 3, is the maximum.
        assertEquals(80, f.update(11, 40, 10));
        assertEquals(80, f.update(13, 40, 10));
        // Then 60 (time 6); then 40 of time 13 (three samples are kept: 50 of time 10 was not among them).
        assertEquals(60, f.update(14, 30, 10));
        assertEquals(40, f.update(17, 30, 10));
    }

    @Test
    void aNewMaximumReplacesEverything()
    {
        f.reset(0, 50);
        f.update(1, 40, 10);
        assertEquals(70, f.update(2, 70, 10));
        assertEquals(70, f.update(12, 10, 10));
        assertEquals(10, f.update(13, 10, 10));
    }

    @Test
    void aSampleAfterAGapLongerThanTheWindowStartsOver()
    {
        f.reset(0, 90);
        assertEquals(5, f.update(100, 5, 10));
    }

    @Test
    void aWindowOfOneKeepsTheCurrentAndThePreviousSlot()
    {
        // BBR's max_bw: time is the ProbeBW cycle; the previous cycle's best counts until the one after.
        f.reset(0, 0);
        f.update(0, 100, 1);
        assertEquals(100, f.update(1, 90, 1));
        assertEquals(90, f.update(2, 80, 1));
        assertEquals(80, f.update(3, 70, 1));
    }
}
