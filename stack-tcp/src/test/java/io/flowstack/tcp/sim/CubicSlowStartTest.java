package io.flowstack.tcp.sim;

import io.flowstack.tcp.api.CongestionAlgorithm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Locale;

import static io.flowstack.tcp.sim.CongestionControlGoodput.MS;
import static io.flowstack.tcp.sim.CongestionControlGoodput.RATE;
import static io.flowstack.tcp.sim.CongestionControlGoodput.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CUBIC's first slow start on lossy-path.sh's kind of path without loss: 100 Mbit/s, a bottleneck queue of one
 * bandwidth-delay product, an unpaced sender. Slow start must end before the queue overflows, as Linux's does
 * (HyStart's ACK train): the path holds two bandwidth-delay products in flight, and RFC 9406's delay test alone
 * let the window reach 2.7 of them at 100 ms (953 segments dropped by the queue, 493 at 20 ms).
 */
class CubicSlowStartTest
{
    private static final long SEED = 20261202L;

    @ParameterizedTest
    @ValueSource(longs = {20, 100})
    void shouldLeaveSlowStartBeforeTheBottleneckQueueOverflows(final long rttMs) throws Exception
    {
        final CongestionControlGoodput.Result r =
            CongestionControlGoodput.run(CongestionAlgorithm.CUBIC, false, rttMs * MS, 0, 16L << 20, SEED);
        final double bdp = (double)RATE / 8 * rttMs * MS / S;
        System.out.printf(Locale.ROOT, "%d ms: %.1f Mbit/s, queue drops %d, retransmits %d, ssthresh %.2f BDP%n",
            rttMs, r.mbits(), r.queueDrops(), r.sender().retransmits, r.sender().ssthresh / bdp);
        assertEquals(0, r.queueDrops(), "the bottleneck queue overflowed");
        assertEquals(0, r.sender().retransmits);
        // Slow start ended (ssthresh = cwnd then) with the path full and the queue less than full.
        assertTrue(r.sender().ssthresh > bdp && r.sender().ssthresh < 2 * bdp, "ssthresh " + r.sender().ssthresh);
    }
}
