package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpState;
import io.flowstack.tcp.cc.AckSample;

/**
 * The fifth check of RFC 9293 3.10.7.4: the ACK field. It completes a passive open, moves SND.UNA (RTT samples,
 * congestion control, loss recovery, the retransmission timer), updates the send window, and moves the closing
 * states on when our FIN is acknowledged; RFC 5961 5.2's ACK validity test guards it.
 */
final class AckInput
{
    private AckInput()
    {
    }

    /**
     * SYN-RECEIVED: an ACK of our SYN establishes the connection.
     *
     * @return false if the segment is to be dropped.
     */
    static boolean synReceived(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final Sender snd = tcb.snd;
        if (!(Seq.lt(snd.una, seg.ack) && Seq.le(seg.ack, snd.nxt)))
        {
            tcb.layer.resets.sendFor(seg, nowNs);
            return false;
        }
        ackOfSyn(tcb, seg, nowNs);
        tcb.state = TcpState.ESTABLISHED;
        snd.wnd = seg.window << snd.wndShift;
        snd.maxWnd = Math.max(snd.maxWnd, snd.wnd);
        snd.wl1 = seg.seq;
        snd.wl2 = seg.ack;
        snd.backoffs = 0;
        tcb.timers.cancel(TimerTable.RETRANSMIT);
        tcb.timers.cancel(TimerTable.STATE);
        tcb.layer.established(tcb, nowNs);
        TextInput.releaseHeld(tcb, nowNs);
        return true;
    }

    /**
     * Our SYN is acknowledged: the handshake's RTT sample (from the timestamp echo, or the record unless the SYN
     * was retransmitted), and the congestion window starts.
     */
    static void ackOfSyn(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final Sender snd = tcb.snd;
        long sample = snd.record.acknowledge(seg.ack, nowNs);
        if (sample < 0 && tcb.timestamps && seg.options.hasTimestamps() && seg.options.tsEcr() != 0)
        {
            sample = tsSample(tcb, seg, nowNs);
        }
        if (sample >= 0)
        {
            snd.rtt.sample(sample);
            snd.minRttNs = Math.min(snd.minRttNs, sample);
        }
        snd.una = seg.ack;
        snd.cc.init(snd.mss, nowNs);
    }

    /**
     * The ACK field in a synchronized state.
     *
     * @return false if the segment is to be dropped.
     */
    static boolean process(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        final Sender snd = tcb.snd;
        if (Seq.gt(seg.ack, snd.max))
        {
            // Acknowledges something not yet sent: send an ACK, drop (RFC 9293 3.10.7.4, RFC 5961 5.2).
            layer.challengeAck(tcb, nowNs);
            return false;
        }
        if (Seq.lt(seg.ack, snd.una - Math.max(snd.maxWnd, 1 << 16)))
        {
            // RFC 5961 5.2: older than the largest window could explain: not genuine.
            layer.challengeAck(tcb, nowNs);
            return false;
        }
        if (Seq.gt(seg.ack, snd.nxt))
        {
            // After a timeout SND.NXT went back; an ACK for data sent before that is fine.
            snd.nxt = seg.ack;
        }
        final AckSample a = snd.ackSample;
        a.clear();
        a.ack = seg.ack;
        a.inFlightBefore = snd.inFlight();
        a.sndNxt = snd.nxt;
        if (tcb.timestamps && seg.options.hasTimestamps() && seg.options.tsEcr() != 0)
        {
            a.hasTsEcr = true;
            a.tsEcr = seg.options.tsEcr();
        }
        // Before this ACK changes what is in flight: did the sender run out of data (draft-ietf-ccwg-bbr 4.1.2.4)?
        snd.record.checkAppLimited(snd.unsent(), snd.mss, snd.cc.cwnd());
        snd.record.beginAck(nowNs);
        final boolean advances = Seq.gt(seg.ack, snd.una);
        if (advances)
        {
            newDataAcked(tcb, seg, a, nowNs);
        }
        else if (seg.ack == snd.una && seg.payloadLength == 0 && !seg.syn() && !seg.fin()
            && (seg.window << snd.wndShift) == snd.wnd && snd.inFlight() > 0)
        {
            // RFC 5681 2: a duplicate acknowledgment.
            layer.counters.dupAcks.incrementOrdered();
            a.duplicate = true;
        }
        if (tcb.sack && seg.options.sackBlockCount() > 0)
        {
            readSack(tcb, seg, a);
        }
        if (a.ackedBytes > 0 && Seq.ge(seg.ack, snd.roundEnd))
        {
            a.roundStart = true;
            snd.roundEnd = snd.max;
        }
        snd.record.endAck(a);
        snd.recovery.onAck(nowNs, a);
        a.pipe = snd.recovery.pipe();
        snd.cc.onRateSample(nowNs, a);
        tcb.timers.set(TimerTable.RECOVERY, snd.recovery.deadline());
        snd.tuneBuffer(nowNs);
        updateWindow(tcb, seg, advances);

        if (snd.finAcked())
        {
            switch (tcb.state)
            {
                case FIN_WAIT_1 ->
                {
                    tcb.state = TcpState.FIN_WAIT_2;
                    if (tcb.closeRequested)
                    {
                        // A closed socket does not wait forever for the peer's FIN (Linux's tcp_fin_timeout).
                        tcb.timers.set(TimerTable.STATE, nowNs + 2 * layer.config.mslNs());
                    }
                }
                case CLOSING -> layer.enterTimeWait(tcb, nowNs);
                case LAST_ACK ->
                {
                    layer.release(tcb, TcpHandler.CLOSED_NORMALLY, true);
                    return false;
                }
                default ->
                {
                }
            }
        }
        return true;
    }

    private static void newDataAcked(final Tcb tcb, final Segment seg, final AckSample a, final long nowNs)
    {
        final Sender snd = tcb.snd;
        final int acked = seg.ack - snd.una;
        // The SYN and FIN occupy sequence space but not the send buffer.
        snd.buffer.acknowledge(seg.ack);
        // The record's sample (nanoseconds) first, as Linux's tcp_ack_update_rtt: the echoed timestamp counts in
        // milliseconds, too coarse for a short path (a 20 us round trip measured as 1 us or 1 ms). RFC 7323 4.1's
        // RTTM from the echo, valid for retransmitted data too, where Karn's rule leaves the record without one.
        long sample = snd.record.acknowledge(seg.ack, nowNs);
        if (sample < 0 && a.hasTsEcr)
        {
            sample = tsSample(tcb, seg, nowNs);
        }
        if (sample >= 0)
        {
            snd.rtt.sample(sample);
            snd.minRttNs = Math.min(snd.minRttNs, sample);
        }
        snd.una = seg.ack;
        snd.bytesAcked += acked;
        snd.backoffs = 0;
        snd.rtt.resetBackoff();
        a.ackedBytes = acked;
        a.rttNs = sample;
        a.stretch = stretch(snd, acked);
        // RFC 6298 5.2/5.3: stop the timer when all is acknowledged, else restart it (unless loss recovery keeps it).
        if (snd.inFlight() == 0)
        {
            tcb.timers.cancel(TimerTable.RETRANSMIT);
        }
        else if (!snd.recovery.holdsRetransmitTimer(seg.ack))
        {
            tcb.timers.set(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
        }
        if (tcb.wantWritable && snd.buffer.free() > 0)
        {
            tcb.wantWritable = false;
            tcb.signal(Tcb.EV_WRITABLE);
        }
    }

    /**
     * The SACK blocks of an ACK (RFC 2018): each marks what it covers in the transmission record. The first block
     * is a D-SACK (RFC 2883 4) when it lies below the cumulative ACK or inside the second block. Blocks beyond
     * what was sent or far below SND.UNA are ignored.
     */
    private static void readSack(final Tcb tcb, final Segment seg, final AckSample a)
    {
        final Sender snd = tcb.snd;
        final int n = seg.options.sackBlockCount();
        final int oldest = snd.una - Math.max(snd.maxWnd, 1 << 16);
        for (int b = 0; b < n; b++)
        {
            final int left = seg.options.sackLeft(b);
            final int right = seg.options.sackRight(b);
            if (!Seq.lt(left, right) || Seq.gt(right, snd.max) || Seq.lt(left, oldest))
            {
                continue;
            }
            if (b == 0 && (Seq.le(right, seg.ack)
                || n > 1 && Seq.ge(left, seg.options.sackLeft(1)) && Seq.le(right, seg.options.sackRight(1))))
            {
                a.dsack = true;
                a.dsackLeft = left;
                a.dsackRight = right;
                continue;
            }
            if (Seq.gt(right, snd.una))
            {
                a.sackedBytes += snd.record.sack(left, right);
            }
        }
    }

    /**
     * How many ACKs these bytes stand for: a peer that received them as large (TSO) segments, whole, acknowledges
     * each once, where it would have acknowledged every second full-sized segment (RFC 5681 4.2); congestion
     * control applies RFC 3465's per-ACK limit per such ACK, or slow start would lag by the segmentation factor.
     */
    private static int stretch(final Sender snd, final int acked)
    {
        final int step = 2 * snd.mss;
        return snd.offloads.txTcpSegmentation() && acked > step ? (acked + step - 1) / step : 1;
    }

    private static long tsSample(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final long sample = (long)(tcb.layer.tsClock(nowNs) - seg.options.tsEcr()) * 1_000_000L;
        return sample < 0 ? -1 : Math.max(sample, 1_000L);
    }

    /**
     * The SND.WND update rule of RFC 9293 3.10.7.4 (fifth check, ESTABLISHED), and also whenever the ACK moves SND.UNA,
     * as Linux does (tcp_may_update_window). The window a segment offers is counted from its own ACK: taking the new
     * ACK without its window would move the right edge right by what was acknowledged. The RFC's rule alone does that
     * when the peer retransmits old data (SEG.SEQ below SND.WL1) with a newer ACK: the sender then sends beyond the
     * edge the peer offered, which the peer drops; with the peer's window closed, its ACKs carried a sequence number
     * beyond the peer's RCV.NXT and were dropped in turn, and an echo between two stacks deadlocked (found by
     * TwoCoreChurnSimTest, seed 1128).
     */
    private static void updateWindow(final Tcb tcb, final Segment seg, final boolean advances)
    {
        final Sender snd = tcb.snd;
        if (advances || Seq.lt(snd.wl1, seg.seq) || snd.wl1 == seg.seq && Seq.le(snd.wl2, seg.ack))
        {
            final int window = seg.window << snd.wndShift;
            if (snd.wnd == 0 && window > 0)
            {
                tcb.timers.cancel(TimerTable.PERSIST);
            }
            snd.wnd = window;
            snd.maxWnd = Math.max(snd.maxWnd, window);
            snd.wl1 = seg.seq;
            snd.wl2 = seg.ack;
        }
    }
}
