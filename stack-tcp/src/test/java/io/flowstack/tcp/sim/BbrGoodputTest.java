package io.flowstack.tcp.sim;

import io.flowstack.tcp.api.CongestionAlgorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.Locale;

import static io.flowstack.tcp.sim.CongestionControlGoodput.MS;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BBR against the loss-based congestion controls in the simulator, on lossy-path.sh's kind of path.
 */
class BbrGoodputTest
{
    private static final long SEED = 20261201L;

    @Test
    void shouldFillALongFatPathWithRandomLossWhereLossBasedControlCollapses() throws Exception
    {
        final CongestionControlGoodput.Result bbr =
            CongestionControlGoodput.run(CongestionAlgorithm.BBR, false, 100 * MS, 0.01, 64L << 20, SEED);
        final CongestionControlGoodput.Result cubic =
            CongestionControlGoodput.run(CongestionAlgorithm.CUBIC, false, 100 * MS, 0.01, 4L << 20, SEED);
        System.out.printf(Locale.ROOT, "100 ms, 1%% loss: bbr %.1f Mbit/s (%s), cubic %.1f Mbit/s%n", bbr.mbits(),
            bbr.sender(), cubic.mbits());
        // Startup's overshoot into the one-BDP queue costs about a second; then BBR runs near the link's rate.
        assertTrue(bbr.mbits() > 65, "BBR: " + bbr.mbits());
        assertTrue(bbr.mbits() > 20 * cubic.mbits(), "BBR " + bbr.mbits() + ", CUBIC " + cubic.mbits());
    }

    /**
     * BBR's loss response (see {@code BbrBackgroundLoss}): 5% random loss is the path's background, not congestion,
     * so BBR keeps near the link's rate as Linux's BBR version 1 does (the draft's 2% LossThresh alone gave 7 Mbit/s
     * here); a queue of five frames that BBR's own probes overflow still bounds it, so that the queue drops little
     * (ignoring loss as version 1 does dropped 7% there).
     */
    @Test
    void shouldTakeRandomLossForTheBackgroundButStillBackOffFromAShallowQueue() throws Exception
    {
        final CongestionControlGoodput.Result random =
            CongestionControlGoodput.run(CongestionAlgorithm.BBR, false, 20 * MS, 0.05, 64L << 20, SEED);
        final CongestionControlGoodput.Result shallow =
            CongestionControlGoodput.run(CongestionAlgorithm.BBR, false, 20 * MS, 0, 64L << 20, SEED, 5);
        System.out.printf(Locale.ROOT, "20 ms, 5%% random loss: %.1f Mbit/s; 20 ms, 5-frame queue: %.1f Mbit/s, "
            + "queue drops %.2f%%%n", random.mbits(), shallow.mbits(), 100 * shallow.queueLossRate());
        assertTrue(random.mbits() > 60, "random loss: " + random.mbits());
        assertTrue(shallow.queueLossRate() < 0.02, "shallow queue drops: " + shallow.queueLossRate());
        assertTrue(shallow.mbits() > 40, "shallow queue: " + shallow.mbits());
    }

    /**
     * The table of the report: {@code -Dflowstack.goodput.grid=true}. BBR sends 32 MiB (64 MiB at 100 ms); the
     * loss-based controls 4 MiB on lossy paths beyond 2 ms, where they are too slow for more.
     */
    @Test
    @EnabledIfSystemProperty(named = "flowstack.goodput.grid", matches = "true")
    void printGoodputGrid() throws Exception
    {
        final CongestionAlgorithm[] ccs = {CongestionAlgorithm.BBR, CongestionAlgorithm.CUBIC, CongestionAlgorithm.CUBIC,
            CongestionAlgorithm.RENO};
        final boolean[] paced = {false, false, true, false};
        System.out.println("rtt\tloss\tbbr\tcubic\tcubic+pacing\treno");
        for (final long rtt : new long[]{2, 20, 100})
        {
            for (final double loss : new double[]{0, 0.01, 0.05})
            {
                final long bytes = rtt == 100 ? 64L << 20 : 32L << 20;
                final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%d ms\t%.0f%%", rtt, loss * 100));
                for (int i = 0; i < ccs.length; i++)
                {
                    final long n = ccs[i] != CongestionAlgorithm.BBR && loss > 0 && rtt > 2 ? 4L << 20 : bytes;
                    final CongestionControlGoodput.Result r =
                        CongestionControlGoodput.run(ccs[i], paced[i], rtt * MS, loss, n, SEED);
                    line.append(String.format(Locale.ROOT, "\t%.1f", r.mbits()));
                }
                System.out.println(line);
            }
        }
    }
}
