package io.flowstack.tcp.recovery;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.cc.AckSample;
import io.flowstack.tcp.cc.CongestionControl;

/**
 * Loss recovery for a peer without SACK: fast retransmit and fast recovery (RFC 5681 3.2) with NewReno's
 * partial acknowledgments (RFC 6582). The third duplicate ACK retransmits the first unacknowledged segment and
 * reduces the window; each further duplicate ACK lets one more segment out; a partial ACK retransmits the next
 * hole at once; the ACK that covers everything sent before the loss ends recovery. "recover" keeps a second loss
 * in the same window from reducing again. Before that, the first two duplicate ACKs send new data (limited
 * transmit, RFC 3042). After a timeout the sender goes back to SND.UNA (go-back-N).
 */
public final class NewRenoRecovery implements LossRecovery
{
    /** RFC 5681 3.2: the third duplicate ACK signals a loss. */
    public static final int DUP_ACK_THRESHOLD = 3;

    private final RecoverySender sender;
    private int dupAcks;
    private int recover;
    private boolean inRecovery;
    private int inflation;
    private int partialAcks;

    /**
     * @param sender the sender it works for.
     */
    public NewRenoRecovery(final RecoverySender sender)
    {
        this.sender = sender;
    }

    @Override
    public void reset()
    {
        dupAcks = 0;
        recover = sender.sndUna();
        inRecovery = false;
        inflation = 0;
    }

    @Override
    public void onAck(final long nowNs, final AckSample ack)
    {
        final CongestionControl cc = sender.congestionControl();
        if (ack.duplicate)
        {
            duplicate(nowNs);
            return;
        }
        if (ack.ackedBytes <= 0)
        {
            return;
        }
        dupAcks = 0;
        if (!inRecovery)
        {
            cc.onAck(nowNs, ack);
            return;
        }
        if (Seq.ge(ack.ack, recover))
        {
            // RFC 6582 3.2 step 3: full acknowledgment, recovery is over.
            inRecovery = false;
            inflation = 0;
            cc.onRecoveryEnd(nowNs);
            return;
        }
        // Step 4: partial acknowledgment. The next hole is lost too: retransmit it, deflate the window by what was
        // acknowledged, add back one segment; the window never deflates below one segment.
        inflation = Math.max(inflation - ack.ackedBytes + sender.mss(), sender.mss() - cc.cwnd());
        partialAcks++;
        sender.retransmitFirst(nowNs);
    }

    private void duplicate(final long nowNs)
    {
        dupAcks++;
        if (inRecovery)
        {
            // RFC 5681 3.2 step 4: every further duplicate ACK means a segment left the network.
            inflation += sender.mss();
            return;
        }
        if (dupAcks == DUP_ACK_THRESHOLD && Seq.gt(sender.sndUna(), recover))
        {
            // Steps 2 and 3, with RFC 6582's guard against reducing twice for the same window.
            recover = sender.sndMax();
            sender.congestionControl().onCongestionEvent(nowNs, sender.inFlight());
            inRecovery = true;
            inflation = DUP_ACK_THRESHOLD * sender.mss();
            partialAcks = 0;
            sender.countFastRetransmit();
            sender.retransmitFirst(nowNs);
        }
    }

    @Override
    public void onRetransmissionTimeout(final long nowNs)
    {
        // RFC 6582 3.2 step 1 after a timeout: recover = the highest sequence number sent.
        recover = sender.sndMax();
        dupAcks = 0;
        inRecovery = false;
        inflation = 0;
    }

    @Override
    public boolean inRecovery()
    {
        return inRecovery;
    }

    @Override
    public int sendWindow(final int cwnd)
    {
        if (inRecovery)
        {
            return Math.max(sender.mss(), cwnd + inflation);
        }
        // Limited transmit (RFC 3042): the first two duplicate ACKs each let one new segment out, the window
        // itself unchanged, so that a small window still gets the three duplicates a fast retransmit needs.
        return Math.max(sender.mss(), cwnd + Math.min(dupAcks, 2) * sender.mss());
    }

    /**
     * The "Impatient" variant (RFC 6582 3.2 step 5 and 4): only the first partial acknowledgment restarts the
     * timer. With many segments lost from one window, NewReno repairs one per round trip; letting the timer fire
     * instead goes back to slow start from the first hole, which is faster than as many round trips as holes.
     */
    @Override
    public boolean holdsRetransmitTimer(final int ack)
    {
        return inRecovery && partialAcks > 0 && Seq.lt(ack, recover);
    }

    @Override
    public int pipe()
    {
        return sender.inFlight();
    }

    @Override
    public int nextRetransmission()
    {
        return -1;
    }

    @Override
    public void onSent(final long nowNs, final int bytes, final boolean retransmission)
    {
    }

    @Override
    public long deadline()
    {
        return Long.MAX_VALUE;
    }

    @Override
    public void onTimer(final long nowNs)
    {
    }
}
