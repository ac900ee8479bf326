package io.flowstack.tcp.cc;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lost segment's flight against the background of flights: the loss a segment's flight counts (judged a round trip
 * and a reordering window after it left) is larger than a round's under the same random loss, so a probe is judged
 * against the flights of segments lost while BBR filled no queue, not against the rounds. The figures are live ones
 * (lossy-path.sh, 20 ms, 5% random loss each way): rounds lost 5%, quiet flights 6-8%, and a probe's flight that lost
 * 19 of 181 segments set inflight_longterm near one BDP for the rest of the transfer.
 */
class BbrFlightLossTest
{
    private static final int MSS = 1448;

    private final Bbr bbr = new Bbr();

    @BeforeEach
    void cruiseOnAPathWithRandomLoss()
    {
        bbr.init(MSS, 0);
        bbr.state = BbrState.PROBE_BW_CRUISE;
        bbr.model.fullBwReached = true;
        for (int round = 0; round < 20; round++)
        {
            bbr.signals.background.sample(5L * MSS, 95L * MSS, MSS);
        }
        for (int lost = 0; lost < 200; lost++)
        {
            // Segments lost while cruising: their flights of 180 segments counted 15 lost (8.3%).
            bbr.onPacketLost(MSS, 180 * MSS, 15L * MSS, false);
        }
    }

    private void probeLoses(final int lostSegments)
    {
        bbr.state = BbrState.PROBE_BW_UP;
        bbr.signals.bwProbeSamples = true;
        bbr.onPacketLost(MSS, 181 * MSS, (long)lostSegments * MSS, false);
    }

    @Test
    void shouldNotTakeAProbeFlightThatLosesWhatQuietFlightsLoseForCongestion()
    {
        probeLoses(19);
        assertEquals(Long.MAX_VALUE, bbr.inflightLongterm(), "19 of 181 is within the quiet flights' 8.3% and noise");
        assertEquals(BbrState.PROBE_BW_UP, bbr.state());
    }

    @Test
    void shouldStillTakeAProbeFlightThatLosesFarMoreForCongestion()
    {
        probeLoses(40);
        assertTrue(bbr.inflightLongterm() < Long.MAX_VALUE, "40 of 181 lost: the probe overflowed a queue");
        assertEquals(BbrState.PROBE_BW_DOWN, bbr.state());
    }
}
