package io.flowstack.tcp.cc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pacer's rate when the core wakes late: a core wakes for its pacing timer, or for the next ACK, some time after
 * the departure time; up to half a quantum of lateness per burst is credited back (as Linux credits OS jitter on each
 * TSO burst), so the connection still sends at its pacing rate.
 */
class PacerTest
{
    private static final int MSS = 1448;
    /** 100 Mbit/s. */
    private static final long RATE = 12_500_000L;
    private static final long S = 1_000_000_000L;

    private final Pacer pacer = new Pacer();

    /** @return bytes sent in one second of wake-ups, each {@code lateNs} after the departure time. */
    private long sendForOneSecond(final long lateNs)
    {
        long now = 0;
        long bytes = 0;
        while (now < S)
        {
            int budget = pacer.budget(now, RATE, MSS);
            assertTrue(budget > 0, "woken after the departure time");
            while (budget > 0)
            {
                pacer.sent(MSS, RATE);
                budget -= MSS;
                bytes += MSS;
            }
            now = pacer.nextSendNs() + lateNs;
        }
        return bytes * S / now;
    }

    @Test
    void shouldKeepThePacingRateWhenWokenUpToHalfAQuantumLate()
    {
        // 0.1 ms late for every 1 ms burst: what a core woken by the next ACK sees at 100 Mbit/s.
        final long rate = sendForOneSecond(100_000L);
        assertTrue(rate >= RATE * 99 / 100, "bytes per second: " + rate);
    }

    @Test
    void shouldNotCreditMoreThanHalfAQuantumSoIdleTimeBuildsNoBurst()
    {
        pacer.budget(0, RATE, MSS);
        pacer.sent(MSS, RATE);
        final long now = S;
        final int quantum = pacer.budget(now, RATE, MSS);
        assertEquals(Pacer.quantum(RATE, MSS), quantum, "one quantum, however long the idle spell");
        assertEquals(now - quantum * S / RATE / 2, pacer.nextSendNs());
    }
}
