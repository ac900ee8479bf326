package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.CongestionAlgorithm;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpState;
import io.flowstack.tcp.cc.Bbr;
import io.flowstack.tcp.cc.BbrState;
import io.flowstack.tcp.cc.Pacer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.flowstack.tcp.tcb.TcpScript.ISS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BBR (draft-ietf-ccwg-bbr) over a scripted bottleneck ({@link BottleneckPath}): one segment per millisecond
 * (1460 bytes/ms), 5 ms each way, no loss. Every segment is matched strictly; the state, bandwidth estimate, pacing
 * rate and window are read from the connection, the segments' timing from the virtual clock.
 */
class BbrScriptTest
{
    private static final int MSS = 1460;
    private static final long MS = 1_000_000L;
    private static final long RATE = 1_460_000L;
    private static final long ONE_WAY = 5 * MS;
    /** The round-trip time of an empty path: both delays and one segment's serialization. */
    private static final long MIN_RTT = 2 * ONE_WAY + MS;

    private final TcpScript t = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 16)
        .withCongestionControl(CongestionAlgorithm.BBR), ISS);
    private final Tcb tcb = t.connection(TcpState.ESTABLISHED, false, true, new Recorder());
    private final Bbr bbr = (Bbr)tcb.snd.cc;
    private final BottleneckPath path = new BottleneckPath(t, tcb, MSS, RATE, ONE_WAY);

    /** A state the connection entered, when, and the model then. */
    private record Transition(BbrState state, long atNs, long pacingRate, int cwnd)
    {
    }

    private final List<Transition> transitions = new ArrayList<>();

    private void run(final long untilNs)
    {
        path.runUntil(untilNs, () ->
        {
            if (transitions.isEmpty() || transitions.get(transitions.size() - 1).state() != bbr.state())
            {
                transitions.add(new Transition(bbr.state(), t.elapsedNs(), bbr.pacingRate(), bbr.cwnd()));
            }
        });
    }

    private Transition first(final BbrState state, final long afterNs)
    {
        for (final Transition x : transitions)
        {
            if (x.state() == state && x.atNs() >= afterNs)
            {
                return x;
            }
        }
        throw new AssertionError("no " + state + " after " + afterNs + " ns in " + transitions);
    }

    private static void assertNear(final double expected, final double actual, final double tolerance, final String what)
    {
        assertTrue(Math.abs(actual - expected) <= tolerance * expected, what + ": expected " + expected + " +- "
            + tolerance * 100 + "%, was " + actual);
    }

    @Test
    void startupFindsTheBottleneckThenDrainEmptiesTheQueueIntoProbeBw()
    {
        assertEquals(BbrState.STARTUP, bbr.state());
        run(400 * MS);
        final Transition drain = first(BbrState.DRAIN, 0);
        final Transition cruise = first(BbrState.PROBE_BW_CRUISE, drain.atNs());
        assertEquals(BbrState.STARTUP, transitions.get(0).state());
        assertEquals(BbrState.DRAIN, transitions.get(1).state(), "" + transitions);
        // Drain ends when in flight is down to the BDP, which is also when ProbeBW's Down may give way to Cruise:
        // both happen on the same ACK (5.3.2, 5.3.3.6).
        assertEquals(BbrState.PROBE_BW_CRUISE, transitions.get(2).state(), "" + transitions);
        assertTrue(bbr.fullBwReached());
        // Startup doubles each round; the plateau takes three rounds to show: it ends within a dozen round trips.
        assertTrue(drain.atNs() < 12 * MIN_RTT, "startup lasted " + drain.atNs());
        // The model: the bottleneck's rate and the empty path's round trip.
        assertNear(RATE, bbr.maxBw(), 0.02, "max_bw");
        assertEquals(MIN_RTT, bbr.minRtt());
        // Drain paces at 0.35 of the bandwidth (less the 1% margin) until in flight is down to the BDP.
        assertNear(0.35 * 0.99 * RATE, drain.pacingRate(), 0.03, "drain pacing rate");
        assertTrue(tcb.snd.recovery.pipe() <= 2 * RATE * MIN_RTT / 1_000_000_000L + 3 * 2 * MSS, "in flight");
        // Cruising: paced at the bandwidth less 1%, a two-segment quantum (1 ms of data is less) per wake-up.
        assertNear(0.99 * RATE, bbr.pacingRate(), 0.03, "cruise pacing rate");
        assertEquals(2 * MSS, Pacer.quantum(bbr.pacingRate(), MSS));
        final List<BottleneckPath.Departure> d = path.departures();
        final long quantumNs = 2L * MSS * 1_000_000_000L / bbr.pacingRate();
        int pairs = 0;
        for (int i = d.size() - 8; i + 2 < d.size(); i += 2)
        {
            if (d.get(i).atNs() >= cruise.atNs() + 4 * MIN_RTT)
            {
                assertEquals(d.get(i).atNs(), d.get(i + 1).atNs(), "a quantum leaves at once: " + d.subList(i, i + 2));
                assertNear(quantumNs, d.get(i + 2).atNs() - d.get(i).atNs(), 0.02, "pacing interval");
                pairs++;
            }
        }
        assertTrue(pairs >= 3, "paced departures checked: " + pairs);
    }

    @Test
    void probeBwCyclesDownCruiseRefillUpAndFindsMoreBandwidth()
    {
        run(400 * MS);
        final long settled = t.elapsedNs();
        // The bottleneck doubles: only probing (Refill, then Up at 1.25) can find it.
        path.rate(2 * RATE);
        run(settled + 1500 * MS);
        final Transition refill = first(BbrState.PROBE_BW_REFILL, settled);
        final Transition up = first(BbrState.PROBE_BW_UP, refill.atNs());
        final Transition down = first(BbrState.PROBE_BW_DOWN, up.atNs());
        first(BbrState.PROBE_BW_CRUISE, down.atNs());
        // Refill lasts one round trip at the estimated bandwidth, Up paces at 1.25 times it.
        assertTrue(up.atNs() - refill.atNs() >= MIN_RTT, "refill " + refill + ", up " + up);
        assertTrue(up.pacingRate() > 1.2 * refill.pacingRate(), "up " + up + ", refill " + refill);
        // Probing repeats (Reno coexistence: within a BDP's worth of rounds) and climbs to the new rate.
        assertNear(2 * RATE, bbr.maxBw(), 0.05, "max_bw after the bottleneck doubled");
    }

    @Test
    void probeRttHalvesTheWindowForTwoHundredMillisecondsFiveSecondsAfterTheRttWasLastNearItsMinimum()
    {
        run(1000 * MS);
        // The path's delay grows by a millisecond each way: from here on every RTT sample is 18% above the
        // minimum, more than the 12.5% that counts as seeing it again.
        final long changed = t.elapsedNs();
        path.delay(ONE_WAY + MS);
        run(changed + 4500 * MS);
        assertTrue(transitions.stream().noneMatch(x -> x.state() == BbrState.PROBE_RTT), "" + transitions);
        final int cwndBefore = bbr.cwnd();
        run(changed + 5600 * MS);
        final Transition probeRtt = first(BbrState.PROBE_RTT, 0);
        // The last sample near the minimum came in the last cruise before the change (probes for bandwidth queue
        // a little every dozen round trips here), or with the ACKs in flight at it: 5 s later ProbeRTT comes.
        assertTrue(probeRtt.atNs() > changed + 4500 * MS && probeRtt.atNs() < changed + 5000 * MS + 4 * MIN_RTT,
            "" + probeRtt);
        // The window: half the BDP of the minimum RTT (measured in the first round trip, 10 s not over yet), at
        // least four segments.
        assertEquals(MIN_RTT, bbr.minRtt());
        final long bdp = bbr.maxBw() * MIN_RTT / 1_000_000_000L;
        assertEquals(Math.max(bdp / 2, 4 * MSS), probeRtt.cwnd(), 2.0);
        final Transition after = first(BbrState.PROBE_BW_CRUISE, probeRtt.atNs());
        // 200 ms once in flight came down, and a round trip: then back to cruising with the window restored.
        assertTrue(after.atNs() - probeRtt.atNs() >= 200 * MS, "ProbeRTT lasted " + (after.atNs() - probeRtt.atNs()));
        assertTrue(after.atNs() - probeRtt.atNs() < 200 * MS + 4 * MIN_RTT, "" + after);
        assertTrue(after.cwnd() >= cwndBefore * 0.85, "restored " + after.cwnd() + " of " + cwndBefore);
    }

    /**
     * The departure from the draft (BbrModel.updateMinRtt): RTT samples within 12.5% of the minimum renew it, so a
     * flow whose queue keeps draining never halves its window for ProbeRTT; the minimum itself stays.
     */
    @Test
    void probeRttWaitsWhileTheRttStaysWithinAnEighthOfItsMinimum()
    {
        run(1000 * MS);
        // Half a millisecond more each way: samples 9% above the minimum, never a new one.
        path.delay(ONE_WAY + MS / 2);
        run(12_000 * MS);
        assertTrue(transitions.stream().noneMatch(x -> x.state() == BbrState.PROBE_RTT), "" + transitions);
        assertEquals(MIN_RTT, bbr.minRtt());
        assertTrue(bbr.state() == BbrState.PROBE_BW_CRUISE || bbr.state() == BbrState.PROBE_BW_DOWN
            || bbr.state() == BbrState.PROBE_BW_REFILL || bbr.state() == BbrState.PROBE_BW_UP, "" + bbr.state());
    }
}
