package io.flowstack.tcp.sim;

import io.flowstack.tcp.api.CongestionAlgorithm;
import io.flowstack.tcp.cc.Bbr;
import io.flowstack.tcp.tcb.Tcbs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.flowstack.tcp.sim.CongestionControlGoodput.MS;
import static io.flowstack.tcp.sim.CongestionControlGoodput.RATE;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where BBR's Startup ends on lossy-path.sh's kind of path (100 Mbit/s, a queue of one BDP, random loss each way):
 * the round, the bandwidth estimate then against the link, and why (a bandwidth plateau, 5.3.1.2, or high loss,
 * 5.3.1.3).
 */
class BbrStartupTest
{
    /** Startup's bandwidth plateau below this share of the link is a pipe taken for full far too early. */
    private static final double HALF_THE_LINK = 0.5;

    /**
     * How Startup ended in one run.
     *
     * @param round      BBR.round_count when it ended, -1 if it did not.
     * @param atNs       virtual time of the run: until Startup ended when the run stopped there.
     * @param maxBw      BBR.max_bw then, bytes per second.
     * @param highLoss   whether it ended on loss (5.3.1.3) rather than on a bandwidth plateau (5.3.1.2).
     * @param cwnd       the window then.
     * @param mbits      goodput of the run.
     * @param queueDrops the share of frames the bottleneck's full queue dropped over the run.
     */
    record StartupExit(long seed, long round, long atNs, long maxBw, boolean highLoss, int cwnd, double mbits,
        double queueDrops)
    {
        double ofLink()
        {
            return maxBw * 8.0 / RATE;
        }

        boolean earlyPlateau()
        {
            return round < 0 || !highLoss && ofLink() < HALF_THE_LINK;
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "seed %d: round %d at %d ms, max_bw %.1f Mbit/s (%.2f of the link), %s,"
                + " cwnd %d; goodput %.1f Mbit/s, queue drops %.2f%%", seed, round, atNs / MS, maxBw * 8e-6,
                ofLink(), highLoss ? "high loss" : "plateau", cwnd, mbits, 100 * queueDrops);
        }
    }

    /**
     * @param bytes     what to send.
     * @param untilExit stop the run when Startup ends.
     * @return how Startup ended on a path of {@code rttNs} with {@code loss} each way.
     */
    static StartupExit startupExit(final long rttNs, final double loss, final long seed, final long bytes,
        final boolean untilExit) throws Exception
    {
        // round, max_bw, high loss, cwnd: when full_bw_reached first held.
        final long[] exit = {-1, 0, 0, 0};
        final CongestionControlGoodput.Result r = CongestionControlGoodput.run(CongestionAlgorithm.BBR, false, rttNs,
            loss, bytes, seed, 0, c ->
            {
                final Bbr bbr = (Bbr)Tcbs.congestionControl(c);
                if (exit[0] < 0 && bbr.fullBwReached())
                {
                    exit[0] = bbr.roundCount();
                    exit[1] = bbr.maxBw();
                    // Only the high-loss exit sets inflight_longterm in Startup.
                    exit[2] = bbr.inflightLongterm() != Long.MAX_VALUE ? 1 : 0;
                    exit[3] = bbr.cwnd();
                }
                return untilExit && exit[0] >= 0;
            });
        return new StartupExit(seed, exit[0], r.elapsedNs(), exit[1], exit[2] == 1, (int)exit[3], r.mbits(),
            r.queueLossRate());
    }

    /**
     * Issue 10's cell: at 100 ms and 5% random loss, almost every round of Startup entered loss recovery, and the
     * round of packet conservation each began held the window at what was in flight (7-13 segments), so three
     * rounds in a row brought no 25% more bandwidth and Startup took the pipe for full at 1-40% of the link (seeds
     * 20, 24, 31, 33 and 35 here; seed 2 at 20 ms). Startup now leaves packet conservation to the rest of BBR (see
     * {@code Bbr.onCongestionEvent}). Seed 23 still leaves Startup early, at 0.16 of the link, through the high-loss
     * exit in round 7, before the background loss rate is known well; that is another exit and not asserted here.
     */
    @Test
    void shouldNotTakeRoundsHeldByPacketConservationForAFullPipe() throws Exception
    {
        final List<StartupExit> early = new ArrayList<>();
        final List<StartupExit> all = new ArrayList<>();
        for (long seed = 20; seed < 36; seed++)
        {
            all.add(startupExit(100 * MS, 0.05, seed, 256L << 20, true));
        }
        for (long seed = 1; seed <= 4; seed++)
        {
            all.add(startupExit(20 * MS, 0.05, seed, 256L << 20, true));
        }
        for (final StartupExit e : all)
        {
            if (e.earlyPlateau())
            {
                early.add(e);
            }
        }
        assertTrue(early.isEmpty(), "Startup ended on a plateau below half the link: " + early);
    }

    /**
     * Issue 10's diagnosis as a table: {@code -Dflowstack.bbr.startup=true}, 5% loss; {@code
     * -Dflowstack.bbr.startup.rtts=100,20,2} (ms), {@code .first=1} and {@code .seeds=16} choose the runs; {@code
     * -Dflowstack.bbr.startup.bytes=N} sends N bytes and reports the goodput of the whole run instead of stopping when
     * Startup ends. For example {@code mvn -q -o test -pl stack-core,stack-ip,stack-tcp -Dtest=BbrStartupTest
     * -Dsurefire.failIfNoSpecifiedTests=false -Dflowstack.bbr.startup=true -Dflowstack.bbr.startup.seeds=48}.
     */
    @Test
    @EnabledIfSystemProperty(named = "flowstack.bbr.startup", matches = "true")
    void printStartupExits() throws Exception
    {
        final long bytes = Long.getLong("flowstack.bbr.startup.bytes", 0);
        final long first = Long.getLong("flowstack.bbr.startup.first", 1);
        final int seeds = Integer.getInteger("flowstack.bbr.startup.seeds", 16);
        for (final String rtt : System.getProperty("flowstack.bbr.startup.rtts", "100,20,2").split(","))
        {
            for (long seed = first; seed < first + seeds; seed++)
            {
                final StartupExit e =
                    startupExit(Long.parseLong(rtt) * MS, 0.05, seed, bytes > 0 ? bytes : 256L << 20, bytes == 0);
                System.out.println(rtt + " ms, 5%: " + e);
            }
        }
    }
}
