package io.flowstack.tcp.recovery;

import io.flowstack.tcp.cc.AckSample;
import io.flowstack.tcp.cc.CongestionControl;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who sets the window in loss recovery: Proportional Rate Reduction (RFC 6937) for a window-based congestion
 * control, the congestion control itself for one that models the path (BBR, draft-ietf-ccwg-bbr 5.6.4.4; Linux's
 * {@code cong_control} hook bypasses PRR the same way).
 */
class RecoveryWindowTest
{
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;
    private static final int CWND = 20 * MSS;

    @Test
    void prrSetsTheWindowOfAWindowBasedControl()
    {
        final RackRecovery recovery = recoveryAfterThreeLosses(false);
        assertTrue(recovery.inRecovery());
        // PRR: what is in the network plus its quota, far below the congestion window.
        assertTrue(recovery.sendWindow(CWND) < CWND, "PRR's window: " + recovery.sendWindow(CWND));
    }

    @Test
    void aModelBasedControlSetsItsOwnWindowInRecovery()
    {
        final RackRecovery recovery = recoveryAfterThreeLosses(true);
        assertTrue(recovery.inRecovery());
        assertEquals(CWND, recovery.sendWindow(CWND));
    }

    /** Ten segments sent; the peer SACKs segments 4 to 10: RACK finds 1 to 3 lost and recovery begins. */
    private static RackRecovery recoveryAfterThreeLosses(final boolean modulates)
    {
        final TransmitRecord record = new TransmitRecord(64);
        final Sender sender = new Sender(record, new FixedWindow(modulates));
        final RackRecovery recovery = new RackRecovery(sender);
        for (int i = 0; i < 10; i++)
        {
            record.sent(i * MSS, MSS, i * MS / 10);
        }
        final AckSample ack = new AckSample();
        ack.inFlightBefore = 10 * MSS;
        record.beginAck(20 * MS);
        ack.sackedBytes = record.sack(3 * MSS, 10 * MSS);
        record.endAck(ack);
        recovery.onAck(20 * MS, ack);
        return recovery;
    }

    /** The sender's side of recovery, over a bare transmission record. */
    private record Sender(TransmitRecord record, CongestionControl congestionControl) implements RecoverySender
    {
        @Override
        public int sndUna()
        {
            return 0;
        }

        @Override
        public int sndMax()
        {
            return 10 * MSS;
        }

        @Override
        public int inFlight()
        {
            return 10 * MSS;
        }

        @Override
        public int mss()
        {
            return MSS;
        }

        @Override
        public long srttNs()
        {
            return 10 * MS;
        }

        @Override
        public long rtoNs()
        {
            return 200 * MS;
        }

        @Override
        public int tsNow()
        {
            return 20;
        }

        @Override
        public void retransmitFirst(final long nowNs)
        {
        }

        @Override
        public void probe(final long nowNs)
        {
        }

        @Override
        public void countFastRetransmit()
        {
        }

        @Override
        public void countUndo()
        {
        }
    }

    /** A window of 20 segments and a slow start threshold of 5 that never change. */
    private static final class FixedWindow implements CongestionControl
    {
        private final boolean modulates;

        FixedWindow(final boolean modulates)
        {
            this.modulates = modulates;
        }

        @Override
        public boolean modulatesRecoveryWindow()
        {
            return modulates;
        }

        @Override
        public void init(final int mss, final long nowNs)
        {
        }

        @Override
        public int cwnd()
        {
            return CWND;
        }

        @Override
        public int ssthresh()
        {
            return 5 * MSS;
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
            return "fixed";
        }
    }
}
