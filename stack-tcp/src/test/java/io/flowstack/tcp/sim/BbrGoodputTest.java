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
