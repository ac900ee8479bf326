package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.TcpHandler;

/**
 * SEGMENT ARRIVES for a connection that has a TCB (RFC 9293 3.10.7.3 and 3.10.7.4), step by step as the RFC
 * orders it, with RFC 5961's defences (exact-match RST, challenge ACKs) that RFC 9293 adopts, RFC 7323's PAWS,
 * and RFC 5681's duplicate-ACK counting.
 */
final class TcpInput
{
    private TcpInput()
    {
    }

    /**
     * @param tcb   the connection (not CLOSED, not LISTEN).
     * @param seg   the segment, already checksum-verified and options-parsed.
     * @param nowNs current time.
     */
    static void segmentArrives(final Tcb tcb, final Segment seg, final long nowNs)
    {
        if (tcb.state == TcpState.SYN_SENT)
        {
            synSent(tcb, seg, nowNs);
            return;
        }
        otherStates(tcb, seg, nowNs);
    }

    /** RFC 9293 3.10.7.3. */
    private static void synSent(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        boolean ackAcceptable = false;
        if (seg.ack())
        {
            // first: if SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the segment is one) and drop.
            if (Seq.le(seg.ack, tcb.iss) || Seq.gt(seg.ack, tcb.sndNxt))
            {
                if (!seg.rst())
                {
                    layer.sendResetFor(seg);
                }
                layer.counters.rxDropped.incrementOrdered();
                return;
            }
            ackAcceptable = Seq.le(tcb.sndUna, seg.ack) && Seq.le(seg.ack, tcb.sndNxt);
        }
        if (seg.rst())
        {
            // second: an RST that acknowledges our SYN means the peer refused.
            if (ackAcceptable)
            {
                layer.release(tcb, TcpHandler.REFUSED, true);
            }
            return;
        }
        if (!seg.syn())
        {
            return;
        }
        // fourth: SYN.
        tcb.irs = seg.seq;
        tcb.receiveBuffer.reset(seg.seq);
        tcb.rcvAdv = seg.seq + 1;
        TcpOutput.applySynOptions(tcb, seg);
        tcb.sndWl1 = seg.seq;
        tcb.sndWl2 = seg.ack;
        if (seg.ack())
        {
            ackOfSyn(tcb, seg, nowNs);
            tcb.sndUna = seg.ack;
        }
        if (Seq.gt(tcb.sndUna, tcb.iss))
        {
            tcb.state = TcpState.ESTABLISHED;
            updateWindow(tcb, seg);
            tcb.retransmitDeadline = Tcb.NONE;
            tcb.retransmits = 0;
            tcb.rescheduleTimer();
            TcpOutput.sendAck(tcb, nowNs);
            layer.established(tcb);
            if (seg.payloadLength > 0 || seg.fin())
            {
                // Data or FIN on the SYN-ACK: go on as if in ESTABLISHED from the sixth step.
                processText(tcb, seg, seg.seq + 1, nowNs);
            }
            TcpOutput.output(tcb, nowNs);
        }
        else
        {
            // Simultaneous open (RFC 9293 3.5 figure 7): SYN-RECEIVED, send SYN,ACK.
            tcb.state = TcpState.SYN_RECEIVED;
            tcb.sndNxt = tcb.iss;
            TcpOutput.sendSyn(tcb, true, nowNs);
        }
    }

    /** RFC 9293 3.10.7.4. */
    private static void otherStates(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        if (tcb.state == TcpState.SYN_RECEIVED && seg.syn() && !seg.ack() && seg.seq == tcb.irs)
        {
            // The peer repeated its SYN: our SYN,ACK was lost. Send it again rather than the RFC's bare ACK, which
            // a peer in SYN-SENT drops (Linux does the same).
            TcpOutput.retransmitSyn(tcb, nowNs);
            return;
        }
        // RFC 7323 5.3 PAWS: a segment with an older timestamp than TS.Recent is a stale duplicate.
        if (tcb.timestamps && seg.options.hasTimestamps() && !seg.rst()
            && Seq.lt(seg.options.tsVal(), tcb.tsRecent) && tcb.state != TcpState.SYN_RECEIVED)
        {
            layer.counters.rxPaws.incrementOrdered();
            TcpOutput.sendAck(tcb, nowNs);
            return;
        }

        // first: check sequence number (the four acceptability cases).
        final int rcvNxt = tcb.rcvNxt();
        final int rcvWnd = Math.max(tcb.rcvWnd(), tcb.rcvAdv - rcvNxt);
        final int segLen = seg.len();
        if (!acceptable(seg.seq, segLen, rcvNxt, rcvWnd))
        {
            layer.counters.rxOutOfWindow.incrementOrdered();
            if (!seg.rst())
            {
                TcpOutput.sendAck(tcb, nowNs);
            }
            return;
        }

        // second: RST. RFC 5961 3.2: only an exact match resets; in window otherwise draws a challenge ACK.
        if (seg.rst())
        {
            if (seg.seq != rcvNxt)
            {
                layer.counters.challengeAcks.incrementOrdered();
                TcpOutput.sendAck(tcb, nowNs);
                return;
            }
            switch (tcb.state)
            {
                case SYN_RECEIVED -> layer.release(tcb, TcpHandler.RESET, tcb.listener == null);
                case CLOSING, LAST_ACK, TIME_WAIT -> layer.release(tcb, TcpHandler.CLOSED_NORMALLY, true);
                default -> layer.release(tcb, TcpHandler.RESET, true);
            }
            return;
        }

        // fourth: SYN (third, security, does not apply).
        if (seg.syn())
        {
            // RFC 5961 4.2: challenge ACK, drop.
            layer.counters.challengeAcks.incrementOrdered();
            TcpOutput.sendAck(tcb, nowNs);
            return;
        }

        // fifth: ACK.
        if (!seg.ack())
        {
            return;
        }
        if (tcb.state == TcpState.SYN_RECEIVED)
        {
            if (Seq.lt(tcb.sndUna, seg.ack) && Seq.le(seg.ack, tcb.sndNxt))
            {
                tcb.state = TcpState.ESTABLISHED;
                ackOfSyn(tcb, seg, nowNs);
                tcb.sndWnd = seg.window << tcb.sndWndShift;
                tcb.maxSndWnd = Math.max(tcb.maxSndWnd, tcb.sndWnd);
                tcb.sndWl1 = seg.seq;
                tcb.sndWl2 = seg.ack;
                tcb.sndUna = seg.ack;
                tcb.retransmits = 0;
                tcb.retransmitDeadline = Tcb.NONE;
                tcb.stateDeadline = Tcb.NONE;
                tcb.rescheduleTimer();
                layer.established(tcb);
                if (tcb.closed)
                {
                    return;
                }
            }
            else
            {
                layer.sendResetFor(seg);
                return;
            }
        }
        if (!processAck(tcb, seg, nowNs))
        {
            return;
        }
        if (tcb.closed)
        {
            return;
        }

        // RFC 7323 4.3: remember the peer's timestamp if this segment covers the last ACK we sent.
        if (tcb.timestamps && seg.options.hasTimestamps() && Seq.le(seg.seq, tcb.lastAckSent)
            && Seq.ge(seg.options.tsVal(), tcb.tsRecent))
        {
            tcb.tsRecent = seg.options.tsVal();
        }

        // sixth (URG is not supported: urgent data is delivered as ordinary data), seventh (text), eighth (FIN).
        processText(tcb, seg, seg.seq, nowNs);
        if (!tcb.closed)
        {
            TcpOutput.output(tcb, nowNs);
        }
    }

    /** RFC 9293 3.10.7.4, first check, table of the four cases. */
    static boolean acceptable(final int seq, final int segLen, final int rcvNxt, final int rcvWnd)
    {
        if (segLen == 0)
        {
            return rcvWnd == 0 ? seq == rcvNxt : Seq.le(rcvNxt, seq) && Seq.lt(seq, rcvNxt + rcvWnd);
        }
        if (rcvWnd == 0)
        {
            return false;
        }
        final int last = seq + segLen - 1;
        return Seq.le(rcvNxt, seq) && Seq.lt(seq, rcvNxt + rcvWnd)
            || Seq.le(rcvNxt, last) && Seq.lt(last, rcvNxt + rcvWnd);
    }

    private static void ackOfSyn(final Tcb tcb, final Segment seg, final long nowNs)
    {
        // The handshake gives the first RTT sample, unless the SYN was retransmitted (Karn).
        if (tcb.retransmits == 0 && tcb.rttTiming)
        {
            tcb.rtt.sample(nowNs - tcb.rttStart);
            tcb.rttTiming = false;
        }
        tcb.cc.init(tcb.sendMss);
    }

    /** The fifth check for synchronized states. @return false if the segment is to be dropped. */
    private static boolean processAck(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        if (Seq.gt(seg.ack, tcb.sndMax))
        {
            // Acknowledges something not yet sent: send an ACK, drop (RFC 9293 3.10.7.4, RFC 5961 5.2).
            layer.counters.challengeAcks.incrementOrdered();
            TcpOutput.sendAck(tcb, nowNs);
            return false;
        }
        if (Seq.lt(seg.ack, tcb.sndUna - Math.max(tcb.maxSndWnd, 1 << 16)))
        {
            // RFC 5961 5.2: too old to be genuine.
            layer.counters.challengeAcks.incrementOrdered();
            TcpOutput.sendAck(tcb, nowNs);
            return false;
        }
        if (Seq.gt(seg.ack, tcb.sndNxt))
        {
            // After a timeout SND.NXT went back; an ACK for data sent before that is fine.
            tcb.sndNxt = seg.ack;
        }
        final int inFlightBefore = tcb.inFlight();
        if (Seq.gt(seg.ack, tcb.sndUna))
        {
            newDataAcked(tcb, seg, inFlightBefore, nowNs);
        }
        else if (seg.ack == tcb.sndUna && seg.payloadLength == 0 && !seg.syn() && !seg.fin()
            && (seg.window << tcb.sndWndShift) == tcb.sndWnd && tcb.inFlight() > 0)
        {
            duplicateAck(tcb, nowNs);
        }
        updateWindow(tcb, seg);

        if (tcb.finSent && Seq.ge(tcb.sndUna, tcb.finSeq + 1))
        {
            switch (tcb.state)
            {
                case FIN_WAIT_1 ->
                {
                    tcb.state = TcpState.FIN_WAIT_2;
                    if (tcb.closeRequested)
                    {
                        // A closed socket does not wait forever for the peer's FIN (Linux's tcp_fin_timeout).
                        tcb.stateDeadline = nowNs + 2 * layer.config.mslNs();
                        tcb.rescheduleTimer();
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
        if (tcb.state == TcpState.TIME_WAIT && seg.fin())
        {
            // A retransmitted FIN: acknowledge it and restart the 2 MSL timeout.
            TcpOutput.sendAck(tcb, nowNs);
            layer.enterTimeWait(tcb, nowNs);
            return false;
        }
        return true;
    }

    private static void newDataAcked(final Tcb tcb, final Segment seg, final int inFlightBefore, final long nowNs)
    {
        int acked = seg.ack - tcb.sndUna;
        // The SYN and FIN occupy sequence space but not the send buffer.
        tcb.sendBuffer.acknowledge(seg.ack);
        tcb.sndUna = seg.ack;
        if (tcb.timestamps && seg.options.hasTimestamps() && seg.options.tsEcr() != 0)
        {
            // RFC 7323 4.1: RTTM from the echoed timestamp, valid even for retransmitted data.
            final long sample = (long)(tcb.layer.tsClock(nowNs) - seg.options.tsEcr()) * 1_000_000L;
            if (sample >= 0)
            {
                tcb.rtt.sample(Math.max(sample, 1_000L));
            }
        }
        else if (tcb.rttTiming && Seq.gt(seg.ack, tcb.rttSeq))
        {
            tcb.rtt.sample(nowNs - tcb.rttStart);
            tcb.rttTiming = false;
        }
        tcb.retransmits = 0;
        tcb.rtt.resetBackoff();
        if (tcb.cc.inRecovery())
        {
            if (Seq.ge(seg.ack, tcb.recover))
            {
                tcb.cc.onRecoveryEnd();
            }
            else
            {
                // RFC 6582 partial ACK: the next hole is lost too; retransmit it at once.
                tcb.cc.onAck(acked, inFlightBefore);
                TcpOutput.retransmitFirst(tcb, nowNs);
            }
        }
        else
        {
            tcb.cc.onAck(acked, inFlightBefore);
        }
        tcb.dupAcks = 0;
        // RFC 6298 5.2/5.3: stop the timer when all is acknowledged, else restart it.
        tcb.retransmitDeadline = tcb.inFlight() == 0 ? Tcb.NONE : nowNs + tcb.rtt.rto();
        tcb.rescheduleTimer();
        if (tcb.wantWritable && tcb.sendBuffer.free() > 0 && tcb.handler != null)
        {
            tcb.wantWritable = false;
            tcb.handler.onWritable(tcb);
        }
    }

    private static void duplicateAck(final Tcb tcb, final long nowNs)
    {
        tcb.dupAcks++;
        tcb.layer.counters.dupAcks.incrementOrdered();
        if (tcb.cc.inRecovery())
        {
            tcb.cc.onDuplicateAckInRecovery();
        }
        else if (tcb.dupAcks == 3 && Seq.gt(tcb.sndUna, tcb.recover))
        {
            // RFC 5681 3.2 fast retransmit, RFC 6582 guard against re-entering for the same window.
            tcb.recover = tcb.sndMax;
            tcb.cc.onFastRetransmit(tcb.inFlight());
            tcb.layer.counters.fastRetransmits.incrementOrdered();
            TcpOutput.retransmitFirst(tcb, nowNs);
        }
    }

    /** SND.WND update rule of RFC 9293 3.10.7.4 (fifth check, ESTABLISHED). */
    private static void updateWindow(final Tcb tcb, final Segment seg)
    {
        if (Seq.lt(tcb.sndWl1, seg.seq) || tcb.sndWl1 == seg.seq && Seq.le(tcb.sndWl2, seg.ack))
        {
            final int window = seg.syn() ? seg.window : seg.window << tcb.sndWndShift;
            final boolean opened = tcb.sndWnd == 0 && window > 0;
            tcb.sndWnd = window;
            tcb.maxSndWnd = Math.max(tcb.maxSndWnd, window);
            tcb.sndWl1 = seg.seq;
            tcb.sndWl2 = seg.ack;
            if (opened)
            {
                tcb.persistDeadline = Tcb.NONE;
                tcb.rescheduleTimer();
            }
        }
    }

    /** Seventh (segment text) and eighth (FIN) checks. */
    static void processText(final Tcb tcb, final Segment seg, final int dataSeq, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        final boolean acceptsText = tcb.state == TcpState.ESTABLISHED || tcb.state == TcpState.FIN_WAIT_1
            || tcb.state == TcpState.FIN_WAIT_2;
        if (seg.payloadLength > 0)
        {
            if (!acceptsText || tcb.finReceived)
            {
                // RFC 9293: text after the peer's FIN is ignored; after our close it resets (3.10.4 CLOSE on a
                // socket that cannot read any more: Linux answers data to a closed socket with RST).
                if (tcb.closeRequested && acceptsText)
                {
                    layer.sendReset(tcb, tcb.sndNxt);
                    layer.release(tcb, TcpHandler.ABORTED, true);
                    return;
                }
            }
            else
            {
                final boolean wasInOrder = dataSeq == tcb.receiveBuffer.rcvNxt();
                final boolean hadGap = tcb.receiveBuffer.hasOutOfOrder();
                final int delivered = tcb.receiveBuffer.offer(dataSeq, seg.buffer, seg.payloadOffset, seg.payloadLength);
                if (!wasInOrder || hadGap || tcb.receiveBuffer.hasOutOfOrder())
                {
                    // RFC 5681 4.2: an out-of-order segment, or one that fills a hole, is acknowledged at once.
                    tcb.ackNow = true;
                }
                else
                {
                    // RFC 9293 3.8.6.3 / RFC 5681 4.2: ACK at least every second full-sized segment (a peer
                    // using timestamps sends MSS - 12 bytes, hence the slack).
                    if (seg.payloadLength >= tcb.rcvMss - 64 && ++tcb.segmentsSinceAck >= 2)
                    {
                        tcb.ackNow = true;
                    }
                }
                if (delivered > 0 && tcb.handler != null)
                {
                    if (tcb.closeRequested)
                    {
                        // The application closed: it will never read this.
                        layer.sendReset(tcb, tcb.sndNxt);
                        layer.release(tcb, TcpHandler.ABORTED, true);
                        return;
                    }
                    tcb.handler.onData(tcb);
                    if (tcb.closed)
                    {
                        return;
                    }
                }
            }
        }
        if (seg.fin() && acceptsFin(tcb))
        {
            final int finAt = dataSeq + seg.payloadLength;
            tcb.peerFinPending = true;
            tcb.peerFinSeq = finAt;
        }
        if (tcb.peerFinPending && !tcb.finReceived && tcb.peerFinSeq == tcb.receiveBuffer.rcvNxt())
        {
            finArrived(tcb, nowNs);
            return;
        }
        if (tcb.ackNow)
        {
            TcpOutput.sendAck(tcb, nowNs);
        }
        else if (seg.payloadLength > 0 && tcb.delayedAckDeadline == Tcb.NONE)
        {
            tcb.delayedAckDeadline = nowNs + layer.config.delayedAckNs();
            tcb.rescheduleTimer();
        }
    }

    private static boolean acceptsFin(final Tcb tcb)
    {
        return tcb.state != TcpState.CLOSED && tcb.state != TcpState.LISTEN && tcb.state != TcpState.SYN_SENT;
    }

    private static void finArrived(final Tcb tcb, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        tcb.finReceived = true;
        tcb.peerFinPending = false;
        TcpOutput.sendAck(tcb, nowNs);
        switch (tcb.state)
        {
            case SYN_RECEIVED, ESTABLISHED -> tcb.state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 ->
            {
                if (tcb.finSent && Seq.ge(tcb.sndUna, tcb.finSeq + 1))
                {
                    layer.enterTimeWait(tcb, nowNs);
                }
                else
                {
                    tcb.state = TcpState.CLOSING;
                }
            }
            case FIN_WAIT_2 -> layer.enterTimeWait(tcb, nowNs);
            case TIME_WAIT -> layer.enterTimeWait(tcb, nowNs);
            default ->
            {
            }
        }
        if (tcb.handler != null && !tcb.closed)
        {
            tcb.handler.onPeerClosed(tcb);
        }
        if (!tcb.closed)
        {
            TcpOutput.output(tcb, nowNs);
        }
    }
}
