package io.flowstack.tcp.recovery;

import io.flowstack.core.seq.Seq;

/**
 * Fast retransmit and fast recovery (RFC 5681 3.2) with NewReno's partial acknowledgments (RFC 6582): the third
 * duplicate ACK retransmits the first unacknowledged segment and halves the window; each further duplicate ACK
 * lets one more segment out; a partial ACK retransmits the next hole at once; the ACK that covers everything sent
 * before the loss ends recovery. "recover" keeps a second loss in the same window from halving again.
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
    public void onNewAck(final long nowNs, final int ack, final int ackedBytes, final int inFlightBefore)
    {
        dupAcks = 0;
        if (!inRecovery)
        {
            return;
        }
        if (Seq.ge(ack, recover))
        {
            // RFC 6582 3.2 step 3: full acknowledgment, recovery is over.
            inRecovery = false;
            inflation = 0;
            sender.congestionControl().onRecoveryEnd(nowNs);
            return;
        }
        // Step 4: partial acknowledgment. The next hole is lost too: retransmit it, deflate the window by what was
        // acknowledged, and add back one segment.
        // The window never deflates below one segment (so later duplicate ACKs count from there).
        inflation = Math.max(inflation - ackedBytes + sender.mss(), sender.mss() - sender.congestionControl().cwnd());
        sender.retransmitFirst(nowNs);
    }

    @Override
    public void onDuplicateAck(final long nowNs)
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
            // Steps 2 and 3, with RFC 6582's guard against halving twice for the same window.
            recover = sender.sndMax();
            sender.congestionControl().onCongestionEvent(nowNs, sender.inFlight());
            inRecovery = true;
            inflation = DUP_ACK_THRESHOLD * sender.mss();
            sender.countFastRetransmit();
            sender.retransmitFirst(nowNs);
        }
    }

    @Override
    public void onTimeout(final long nowNs)
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
    public int windowAdjustment()
    {
        return inRecovery ? inflation : 0;
    }
}
