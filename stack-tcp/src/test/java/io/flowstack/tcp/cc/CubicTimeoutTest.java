package io.flowstack.tcp.cc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CUBIC's reduction at a retransmission timeout: once per loss episode, as RFC 5681 3.1 holds ssthresh constant
 * for a segment already resent by the timer and Linux's tcp_enter_loss reduces only outside recovery.
 */
class CubicTimeoutTest
{
    private static final int MSS = 1000;
    private final Cubic cubic = new Cubic();
    private final AckSample ack = new AckSample();

    private void acked(final int bytes)
    {
        ack.clear();
        ack.ackedBytes = bytes;
        ack.rttNs = 100_000_000L;
        cubic.onAck(0, ack);
    }

    /** Slow start from 10 to 100 segments, an ACK per two segments. */
    private void grow()
    {
        for (int i = 0; i < 45; i++)
        {
            acked(2 * MSS);
        }
    }

    @Test
    void aTimeoutInsideFastRecoveryDoesNotReduceAgain()
    {
        cubic.init(MSS, 0);
        grow();
        assertEquals(100 * MSS, cubic.cwnd());
        cubic.onCongestionEvent(0, 100 * MSS);
        assertEquals(70 * MSS, cubic.ssthresh());
        cubic.onTimeout(0, 70 * MSS);
        assertEquals(70 * MSS, cubic.ssthresh(), "the episode's reduction was made");
        assertEquals(MSS, cubic.cwnd());
    }

    @Test
    void aBackedOffTimeoutDoesNotReduceAgainButOneAfterNewDataDoes()
    {
        cubic.init(MSS, 0);
        grow();
        cubic.onTimeout(0, 100 * MSS);
        assertEquals(70 * MSS, cubic.ssthresh());
        cubic.onTimeout(0, 100 * MSS);
        assertEquals(70 * MSS, cubic.ssthresh(), "the same segment timed out again: held constant");
        acked(MSS);
        cubic.onTimeout(0, 2 * MSS);
        assertEquals(2 * MSS, cubic.ssthresh(), "a new episode: 0.7 of a 2-segment window, at least 2 segments");
    }
}
