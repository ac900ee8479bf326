package io.flowstack.tcp.recovery;

import io.flowstack.tcp.cc.AckSample;
import io.flowstack.tcp.cc.CongestionControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivery rate estimation (draft-ietf-ccwg-bbr 4.1) over the transmission record: what one acknowledgment's rate
 * sample says, with ACK compression, application-limited phases, SACKed segments and losses.
 */
class DeliveryRateTest
{
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;
    private final TransmitRecord record = new TransmitRecord(64);
    private final AckSample ack = new AckSample();

    private void send(final int segment, final long atNs)
    {
        record.sent(segment * MSS, MSS, atNs);
    }

    private AckSample cumulative(final int segments, final long atNs)
    {
        ack.clear();
        record.beginAck(atNs);
        record.acknowledge(segments * MSS, atNs);
        record.endAck(ack);
        return ack;
    }

    @Test
    void aSampleIsTheDataDeliveredOverTheSendOrAckPhaseOfTheNewestSegment()
    {
        for (int i = 0; i < 10; i++)
        {
            send(i, 0);
        }
        final AckSample s = cumulative(1, 10 * MS);
        assertEquals(MSS, s.delivered);
        assertEquals(0, s.priorDelivered);
        assertEquals(MSS, s.rateDelivered);
        assertEquals(10 * MS, s.rateIntervalNs);
        assertEquals(MSS * 100L, s.deliveryRate, "1000 bytes in 10 ms");
        assertEquals(10 * MS, s.rateRttNs);
        assertEquals(MSS, s.txInFlight, "in flight just after the first segment went");
        assertFalse(s.rateAppLimited);
    }

    @Test
    void ackCompressionCannotMakeDataLookFasterThanItWasSent()
    {
        send(0, 0);
        send(1, 0);
        cumulative(1, 10 * MS);
        // Ten segments leave a millisecond apart; their ACKs come bunched, 0.5 ms after the last could have.
        for (int i = 2; i <= 11; i++)
        {
            send(i, (8 + i) * MS);
        }
        final AckSample s = cumulative(12, 20 * MS + MS / 2);
        // The ACK phase (10.5 ms since the ACK before the newest segment was sent) is shorter than its send phase
        // (19 ms since the send of the segment that ACK delivered): the longer one makes the interval.
        assertEquals(11 * MSS, s.rateDelivered);
        assertEquals(19 * MS, s.rateIntervalNs);
        assertEquals(11L * MSS * 1_000_000_000L / (19 * MS), s.deliveryRate);
    }

    @Test
    void aSampleShorterThanTheMinimumRttIsNoRate()
    {
        send(0, 0);
        cumulative(1, 10 * MS);
        // After an idle spell a segment goes and is sent again; the original's ACK comes 1 ms after that: the
        // interval, 6 ms, is shorter than the 10 ms round trip (a spurious retransmission acknowledged early).
        send(1, 20 * MS);
        record.retransmitted(MSS, MSS, 25 * MS);
        final AckSample s = cumulative(2, 26 * MS);
        assertEquals(6 * MS, s.rateIntervalNs);
        assertEquals(0, s.deliveryRate);
        assertEquals(-1, s.rateRttNs, "a retransmission's RTT is ambiguous");
    }

    @Test
    void segmentsSentWhileTheApplicationLeftTheWindowUnusedGiveAppLimitedSamples()
    {
        send(0, 0);
        send(1, 0);
        // Nothing more to send, room in the window: the bubble lasts until what is in flight now is delivered.
        record.checkAppLimited(0, MSS, 10 * MSS);
        assertEquals(2 * MSS, record.rate().appLimited());
        send(2, MS);
        assertFalse(cumulative(1, 10 * MS).rateAppLimited);
        assertFalse(cumulative(2, 10 * MS).rateAppLimited);
        send(3, 10 * MS);
        assertTrue(cumulative(3, 11 * MS).rateAppLimited, "segment 2 was sent in the bubble");
        assertEquals(0, record.rate().appLimited(), "the bubble left the pipe");
        send(4, 11 * MS);
        assertTrue(cumulative(4, 20 * MS).rateAppLimited, "so was segment 3");
        assertFalse(cumulative(5, 21 * MS).rateAppLimited, "segment 4 was not");
        // With data waiting, or the window full, the sender is not application-limited.
        send(5, 21 * MS);
        record.checkAppLimited(MSS, MSS, 10 * MSS);
        record.checkAppLimited(0, MSS, MSS);
        assertEquals(0, record.rate().appLimited());
    }

    @Test
    void aSackedSegmentIsDeliveredOnceAndTheNewestSentMakesTheSample()
    {
        for (int i = 0; i < 4; i++)
        {
            send(i, i * MS);
        }
        ack.clear();
        record.beginAck(10 * MS);
        assertEquals(MSS, record.sack(3 * MSS, 4 * MSS));
        record.endAck(ack);
        assertEquals(MSS, ack.delivered);
        assertEquals(7 * MS, ack.rateRttNs, "segment 3, sent at 3 ms");
        final AckSample s = cumulative(4, 12 * MS);
        assertEquals(4 * MSS, s.delivered, "the SACKed segment is not counted again");
        assertEquals(10 * MS, s.rateRttNs, "segment 2, sent at 2 ms: the newest of those this ACK delivered");
        assertEquals(0, s.priorDelivered);
    }

    @Test
    void eachLossIsReportedWithWhatWasInFlightAndLostSinceItWasSent()
    {
        final LossLog log = new LossLog();
        record.rate().lossListener(log);
        final List<long[]> losses = log.losses;
        for (int i = 0; i < 5; i++)
        {
            send(i, 0);
        }
        record.markLost(0);
        record.markLost(1);
        assertEquals(2 * MSS, record.rate().lost());
        assertEquals(List.of(MSS + ":" + MSS + ":" + MSS, MSS + ":" + 2 * MSS + ":" + 2 * MSS),
            losses.stream().map(l -> l[0] + ":" + l[1] + ":" + l[2]).toList());
        // Sent again after both losses: a loss of it later counts only itself.
        record.retransmitted(0, MSS, MS);
        record.markLost(0);
        assertEquals(MSS + ":" + 4 * MSS + ":" + MSS, losses.get(2)[0] + ":" + losses.get(2)[1] + ":" + losses.get(2)[2]);
    }

    /** A congestion control that only notes the losses reported. */
    private static final class LossLog implements CongestionControl
    {
        final List<long[]> losses = new ArrayList<>();

        @Override
        public void onPacketLost(final int bytes, final int txInFlight, final long lostSinceSend,
            final boolean appLimited)
        {
            losses.add(new long[]{bytes, txInFlight, lostSinceSend});
        }

        @Override
        public void init(final int mss, final long nowNs)
        {
        }

        @Override
        public int cwnd()
        {
            return 0;
        }

        @Override
        public int ssthresh()
        {
            return 0;
        }

        @Override
        public void onAck(final long nowNs, final AckSample ack)
        {
        }

        @Override
        public void onCongestionEvent(final long nowNs, final int inFlight)
        {
        }

        @Override
        public void onRecoveryEnd(final long nowNs)
        {
        }

        @Override
        public void onTimeout(final long nowNs, final int inFlight)
        {
        }

        @Override
        public void onUndo(final long nowNs)
        {
        }

        @Override
        public String name()
        {
            return "loss log";
        }
    }
}
