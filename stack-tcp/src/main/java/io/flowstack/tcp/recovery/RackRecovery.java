package io.flowstack.tcp.recovery;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.cc.AckSample;
import io.flowstack.tcp.cc.CongestionControl;

/**
 * Loss recovery with SACK: RACK-TLP (RFC 8985) decides what is lost, by time rather than by counting duplicate
 * ACKs: a segment is lost once a segment sent after it was delivered and a round-trip time plus a reordering
 * window has passed since it was sent. Lost segments are retransmitted first, before new data (RFC 6675); during
 * recovery Proportional Rate Reduction (RFC 6937, with slow-start reduction bound) decides how much goes out per
 * ACK, so the window comes down to ssthresh smoothly instead of stalling and bursting. A tail loss probe sends
 * one segment two round-trip times after the last ACK when nothing else would, so that a loss at the end of a
 * flight shows without waiting for the RTO. A D-SACK widens the reordering window; retransmissions that D-SACK or
 * timestamps show were spurious undo the reduction (RFC 3708 and RFC 4015 style, as Linux does).
 */
public final class RackRecovery implements LossRecovery
{
    private static final long NONE = Long.MAX_VALUE;
    /** RFC 8985 7.2: the worst-case delayed ACK the probe timeout allows for when one segment is in flight. */
    static final long WORST_CASE_DELAYED_ACK_NS = 200_000_000L;
    /** The smallest probe timeout (Linux's 10 ms). */
    static final long MIN_PTO_NS = 10_000_000L;
    /** RFC 8985 6.2: recoveries a widened reordering window lasts. */
    static final int REO_WND_PERSIST = 16;
    /** RFC 6675: DupThresh. */
    static final int DUP_THRESH = 3;

    private final RecoverySender sender;

    // RACK (RFC 8985 6): the most recently sent segment known delivered, and the RTT it measured.
    private boolean rackValid;
    private long rackOrder;
    private long rackRtt;
    private long minRtt;
    private boolean reorderingSeen;
    private int reoWndMult;
    private int reoWndPersist;
    private int dsackRoundEnd;
    private boolean dsackRoundValid;
    private long reorderDeadline;

    // Recovery and PRR (RFC 6937).
    private boolean inRecovery;
    private boolean afterTimeout;
    private int recoveryPoint;
    private int prrDelivered;
    private int prrOut;
    private int recoverFs;
    private int quota;

    // Tail loss probe (RFC 8985 7).
    private long ptoDeadline;
    private boolean tlpOutstanding;
    private boolean tlpRetransmitted;
    private int tlpEnd;

    // Undo.
    private boolean undoValid;
    private int undoRetrans;
    private int retransTs;
    /** The end of the first segment the episode retransmits: only an ACK covering it can tell (RFC 3522). */
    private int undoSeq;

    /**
     * @param sender the sender it works for.
     */
    public RackRecovery(final RecoverySender sender)
    {
        this.sender = sender;
        reset();
    }

    @Override
    public void reset()
    {
        rackValid = false;
        minRtt = NONE;
        reorderingSeen = false;
        reoWndMult = 1;
        reoWndPersist = 0;
        dsackRoundValid = false;
        reorderDeadline = NONE;
        inRecovery = false;
        afterTimeout = false;
        quota = 0;
        ptoDeadline = NONE;
        tlpOutstanding = false;
        undoValid = false;
    }

    @Override
    public void onAck(final long nowNs, final AckSample ack)
    {
        final TransmitRecord record = sender.record();
        final CongestionControl cc = sender.congestionControl();
        final boolean wasRecovering = inRecovery;
        updateRack(nowNs, ack, record);
        if (ack.dsack)
        {
            onDsack(nowNs, ack);
        }
        if (inRecovery && undoValid && ack.ackedBytes > 0 && Seq.ge(ack.ack, undoSeq) && ack.hasTsEcr
            && Seq.lt(ack.tsEcr, retransTs))
        {
            // RFC 3522 (Eifel): the ACK that covers our first retransmission echoes a timestamp older than it, so
            // the original arrived: the loss was reordering. An ACK below it echoes the older segments it covers,
            // and says nothing about the retransmission (taking it as proof undid real losses live).
            undo(nowNs);
        }
        if (tlpOutstanding && Seq.ge(ack.ack, tlpEnd))
        {
            tlpOutstanding = false;
            if (tlpRetransmitted && !ack.dsack && !inRecovery)
            {
                // RFC 8985 7.4: the probe repaired a real loss; the window comes down once for it.
                cc.onCongestionEvent(nowNs, ack.inFlightBefore);
                cc.onRecoveryEnd(nowNs);
            }
        }
        if (inRecovery && Seq.ge(ack.ack, recoveryPoint))
        {
            inRecovery = false;
            quota = 0;
            cc.onRecoveryEnd(nowNs);
        }
        if (afterTimeout && Seq.ge(ack.ack, recoveryPoint))
        {
            afterTimeout = false;
        }
        detectLosses(nowNs, record);
        if (!inRecovery && !afterTimeout && record.lostBytes() > 0)
        {
            enterRecovery(nowNs, ack.inFlightBefore);
        }
        if (inRecovery)
        {
            proportionalRateReduction(ack);
        }
        else if (ack.ackedBytes > 0 && !wasRecovering)
        {
            // The ACK that ends recovery does not grow the window (RFC 6582 3.2 step 3, RFC 6937).
            cc.onAck(nowNs, ack);
        }
        armProbe(nowNs);
    }

    /** RFC 8985 6.2 steps 1-3: the newest delivered segment and its RTT. */
    private void updateRack(final long nowNs, final AckSample ack, final TransmitRecord record)
    {
        if (record.reordered())
        {
            reorderingSeen = true;
        }
        if (!record.delivered())
        {
            return;
        }
        final long rtt = nowNs - record.deliveredSentAt();
        // A retransmitted segment acknowledged sooner than the minimum RTT after its retransmission was delivered
        // by its original transmission: the sample is ambiguous (RFC 8985 6.2 step 2).
        if (record.deliveredRetransmitted() && (minRtt == NONE || rtt < minRtt))
        {
            return;
        }
        minRtt = Math.min(minRtt, rtt);
        if (!rackValid || record.deliveredOrder() > rackOrder)
        {
            rackValid = true;
            rackOrder = record.deliveredOrder();
            rackRtt = rtt;
        }
    }

    private void onDsack(final long nowNs, final AckSample ack)
    {
        // RFC 8985 6.2 step 4: widen the reordering window, at most once per round trip. A D-SACK alone is no sign
        // of reordering (a lost ACK, a probe, a late SACK also make one): the window it widens applies once
        // reordering was seen (step 3), as in Linux, where only reordering sets reord_seen. Taken for reordering, the
        // D-SACKs of a lossy path put a quarter to a whole RTT before every loss was declared in recovery.
        if (!dsackRoundValid || Seq.ge(ack.ack, dsackRoundEnd))
        {
            reoWndMult = Math.min(reoWndMult + 1, 64);
            reoWndPersist = REO_WND_PERSIST;
            dsackRoundEnd = sender.sndMax();
            dsackRoundValid = true;
        }
        if (undoValid && undoRetrans > 0 && --undoRetrans == 0)
        {
            // Every retransmission of the episode came back as a duplicate: all of them were spurious.
            undo(nowNs);
        }
    }

    private void undo(final long nowNs)
    {
        undoValid = false;
        sender.congestionControl().onUndo(nowNs);
        sender.countUndo();
        reorderingSeen = true;
        if (inRecovery)
        {
            inRecovery = false;
            quota = 0;
        }
    }

    /** RFC 8985 6.2 step 4. */
    private long reorderWindow(final TransmitRecord record)
    {
        if (!reorderingSeen && (inRecovery || afterTimeout || record.sackedBytes() >= DUP_THRESH * sender.mss()))
        {
            return 0;
        }
        final long base = minRtt == NONE ? sender.srttNs() : minRtt;
        final long srtt = sender.srttNs();
        final long window = base / 4 * reoWndMult;
        return srtt > 0 ? Math.min(window, srtt) : window;
    }

    /** RFC 8985 6.2 step 5: segments sent before the newest delivered one, and long enough ago, are lost. */
    private void detectLosses(final long nowNs, final TransmitRecord record)
    {
        reorderDeadline = NONE;
        if (!rackValid)
        {
            return;
        }
        final long reoWnd = reorderWindow(record);
        long timeout = 0;
        for (int i = 0; i < record.size(); i++)
        {
            if ((record.flags(i) & (TransmitRecord.SACKED | TransmitRecord.LOST)) != 0)
            {
                continue;
            }
            final long sentAt = record.sentAt(i);
            if (rackOrder > record.sentOrder(i))
            {
                final long remaining = sentAt + rackRtt + reoWnd - nowNs;
                if (remaining <= 0)
                {
                    record.markLost(i);
                }
                else
                {
                    timeout = Math.max(timeout, remaining);
                }
            }
        }
        if (timeout > 0)
        {
            reorderDeadline = nowNs + timeout;
        }
    }


    private void enterRecovery(final long nowNs, final int flightSize)
    {
        inRecovery = true;
        recoveryPoint = sender.sndMax();
        recoverFs = Math.max(flightSize, sender.mss());
        prrDelivered = 0;
        prrOut = 0;
        // The first retransmission goes at once, whatever PRR says (RFC 6937 3: the fast retransmit).
        quota = sender.mss();
        undoValid = true;
        undoRetrans = 0;
        retransTs = sender.tsNow();
        final int first = nextRetransmission();
        undoSeq = first >= 0 ? sender.record().end(first) : sender.sndMax();
        sender.congestionControl().onCongestionEvent(nowNs, flightSize);
        sender.countFastRetransmit();
        ptoDeadline = NONE;
        if (reoWndPersist > 0 && --reoWndPersist == 0)
        {
            reoWndMult = 1;
        }
    }

    /** RFC 6937 3: how much may go out for what this ACK delivered. */
    private void proportionalRateReduction(final AckSample ack)
    {
        final int delivered = ack.deliveredBytes();
        if (delivered <= 0)
        {
            return;
        }
        prrDelivered += delivered;
        final int pipe = pipe();
        final int ssthresh = sender.congestionControl().ssthresh();
        final long sndcnt;
        if (pipe > ssthresh)
        {
            sndcnt = ((long)prrDelivered * ssthresh + recoverFs - 1) / recoverFs - prrOut;
        }
        else
        {
            // PRR-SSRB: grow back towards ssthresh no faster than slow start.
            final long limit = Math.max((long)prrDelivered - prrOut, delivered) + sender.mss();
            sndcnt = Math.min((long)ssthresh - pipe, limit);
        }
        // The formula counts everything delivered and sent since recovery began, so what an ACK did not use is
        // still in it at the next one; only the fast retransmit of the entry is guaranteed on top.
        quota = (int)Math.max(prrOut == 0 ? sender.mss() : 0, sndcnt);
    }

    /** RFC 8985 7.2: arm the probe timeout while data is outstanding and nothing else would reveal a tail loss. */
    private void armProbe(final long nowNs)
    {
        if (inRecovery || afterTimeout || tlpOutstanding || sender.inFlight() == 0)
        {
            ptoDeadline = NONE;
            return;
        }
        final long srtt = sender.srttNs();
        long pto = srtt > 0 ? 2 * srtt : 1_000_000_000L;
        if (sender.inFlight() <= sender.mss())
        {
            pto += WORST_CASE_DELAYED_ACK_NS;
        }
        pto = Math.max(pto, MIN_PTO_NS);
        ptoDeadline = pto < sender.rtoNs() ? nowNs + pto : NONE;
    }

    @Override
    public void onRetransmissionTimeout(final long nowNs)
    {
        // RFC 8985 6.3: the first outstanding segment is lost, and every one sent longer than an RTO ago.
        final TransmitRecord record = sender.record();
        final long rto = sender.rtoNs();
        for (int i = 0; i < record.size(); i++)
        {
            if (i == 0 || record.sentAt(i) <= nowNs - rto)
            {
                record.markLost(i);
            }
        }
        inRecovery = false;
        afterTimeout = true;
        recoveryPoint = sender.sndMax();
        quota = 0;
        ptoDeadline = NONE;
        tlpOutstanding = false;
        reorderDeadline = NONE;
        undoValid = false;
    }

    @Override
    public boolean inRecovery()
    {
        return inRecovery;
    }

    @Override
    public int sendWindow(final int cwnd)
    {
        return inRecovery && !sender.congestionControl().modulatesRecoveryWindow() ? pipe() + quota : cwnd;
    }

    @Override
    public int pipe()
    {
        final TransmitRecord record = sender.record();
        return sender.sndMax() - sender.sndUna() - record.sackedBytes() - record.lostBytes();
    }

    @Override
    public int nextRetransmission()
    {
        final TransmitRecord record = sender.record();
        if (record.lostBytes() == 0)
        {
            return -1;
        }
        for (int i = 0; i < record.size(); i++)
        {
            if ((record.flags(i) & TransmitRecord.LOST) != 0)
            {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void onSent(final long nowNs, final int bytes, final boolean retransmission)
    {
        if (inRecovery)
        {
            prrOut += bytes;
            quota = Math.max(0, quota - bytes);
        }
        if (retransmission && undoValid)
        {
            undoRetrans++;
        }
        if (!retransmission && ptoDeadline == NONE)
        {
            armProbe(nowNs);
        }
    }

    @Override
    public long deadline()
    {
        return Math.min(reorderDeadline, ptoDeadline);
    }

    @Override
    public void onTimer(final long nowNs)
    {
        final TransmitRecord record = sender.record();
        if (reorderDeadline <= nowNs)
        {
            // RFC 8985 6.3: the reordering window of a suspect segment passed.
            detectLosses(nowNs, record);
            if (!inRecovery && !afterTimeout && record.lostBytes() > 0)
            {
                enterRecovery(nowNs, sender.inFlight());
            }
        }
        if (ptoDeadline <= nowNs)
        {
            ptoDeadline = NONE;
            if (!inRecovery && !afterTimeout && sender.inFlight() > 0)
            {
                tlpOutstanding = true;
                final int before = sender.sndMax();
                sender.probe(nowNs);
                tlpRetransmitted = sender.sndMax() == before;
                tlpEnd = sender.sndMax();
            }
        }
    }
}
