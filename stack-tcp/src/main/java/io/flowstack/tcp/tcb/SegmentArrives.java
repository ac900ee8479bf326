package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpState;

/**
 * SEGMENT ARRIVES for a connection that has a TCB (RFC 9293 3.10.7.3 and 3.10.7.4), checks in the RFC's order:
 * sequence number, RST (with RFC 5961's exact match), SYN (RFC 5961 challenge ACK), ACK, then text and FIN. PAWS
 * (RFC 7323 5) comes first. TIME-WAIT answers as Linux does. Replies the receiver owes go out when the unit of
 * processing ends, so that they can ride on the application's answer.
 */
final class SegmentArrives
{
    private SegmentArrives()
    {
    }

    static void process(final Tcb tcb, final Segment seg, final long nowNs)
    {
        tcb.layer.units.touch(tcb);
        switch (tcb.state)
        {
            case SYN_SENT -> SynSentInput.process(tcb, seg, nowNs);
            case TIME_WAIT -> timeWait(tcb, seg, nowNs);
            default -> synchronizedOrSynReceived(tcb, seg, nowNs);
        }
    }

    /** RFC 9293 3.10.7.4 for SYN-RECEIVED and the synchronized states but TIME-WAIT. */
    private static void synchronizedOrSynReceived(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        final Receiver rcv = tcb.rcv;
        if (tcb.state == TcpState.SYN_RECEIVED && seg.syn() && !seg.ack() && seg.seq == rcv.irs)
        {
            // The peer repeated its SYN: our SYN,ACK was lost. Send it again rather than the RFC's bare ACK, which
            // a peer in SYN-SENT drops (Linux does the same).
            Transmitter.sendSyn(tcb, nowNs);
            return;
        }
        // RFC 7323 5.3 PAWS: a segment with an older timestamp than TS.Recent is a stale duplicate.
        if (tcb.timestamps && seg.options.hasTimestamps() && !seg.rst()
            && Seq.lt(seg.options.tsVal(), rcv.tsRecent) && tcb.state != TcpState.SYN_RECEIVED)
        {
            layer.drop(layer.counters.rxPaws);
            rcv.ack.ackNow = true;
            return;
        }

        // first: the sequence number, against the window we advertised (RFC 9293 3.10.7.4, RFC 5961 3.2).
        final int rcvNxt = rcv.nxt();
        if (!acceptable(seg.seq, seg.len(), rcvNxt, rcv.wnd()) && !zeroWindowAllowance(seg, rcvNxt, rcv.wnd()))
        {
            layer.drop(layer.counters.rxOutOfWindow);
            if (!seg.rst())
            {
                rcv.ack.ackNow = true;
                if (tcb.sack && seg.payloadLength > 0 && Seq.le(seg.seq + seg.payloadLength, rcvNxt))
                {
                    // RFC 2883: a retransmission of data we hold is reported in a D-SACK block.
                    rcv.sackReport.duplicate(seg.seq, seg.seq + seg.payloadLength);
                }
            }
            return;
        }
        tcb.lastHeardNs = nowNs;
        tcb.keepAliveProbes = 0;

        // second: RST. RFC 5961 3.2: only an exact match resets; in the window otherwise draws a challenge ACK.
        if (seg.rst())
        {
            if (seg.seq != rcvNxt)
            {
                layer.challengeAck(tcb, nowNs);
                return;
            }
            reset(tcb);
            return;
        }

        // fourth: SYN (third, security, does not apply). RFC 5961 4.2: challenge ACK, drop.
        if (seg.syn())
        {
            layer.challengeAck(tcb, nowNs);
            return;
        }

        // fifth: ACK. Without it the segment is dropped.
        if (!seg.ack())
        {
            layer.drop(layer.counters.rxBadFlags);
            return;
        }
        if (tcb.state == TcpState.SYN_RECEIVED && !AckInput.synReceived(tcb, seg, nowNs))
        {
            return;
        }
        if (!AckInput.process(tcb, seg, nowNs) || tcb.closed)
        {
            return;
        }

        // RFC 7323 4.3: remember the peer's timestamp if this segment covers the last ACK we sent.
        if (tcb.timestamps && seg.options.hasTimestamps() && Seq.le(seg.seq, rcv.lastAckSent)
            && Seq.ge(seg.options.tsVal(), rcv.tsRecent))
        {
            rcv.tsRecent = seg.options.tsVal();
        }

        // sixth (URG is not supported: urgent data is delivered as ordinary data), seventh (text), eighth (FIN).
        TextInput.process(tcb, seg, seg.seq, nowNs);
    }

    /** An acceptable RST with the exact sequence number: the connection is over. */
    private static void reset(final Tcb tcb)
    {
        final TcpLayer layer = tcb.layer;
        if (tcb.state == TcpState.SYN_RECEIVED)
        {
            // RFC 9293: a passive open goes back to LISTEN (the listener stays, this TCB goes); an active one
            // (simultaneous open) was refused.
            layer.release(tcb, TcpHandler.REFUSED, tcb.listener == null);
            return;
        }
        // In CLOSING and LAST-ACK our FIN is unacknowledged: a reset, not a normal close (as Linux and FreeBSD).
        layer.release(tcb, TcpHandler.RESET, true);
    }

    /**
     * TIME-WAIT, as Linux answers in it (tcp_timewait_state_process): an exact RST ends it; a bare ACK at RCV.NXT
     * restarts the 2 MSL wait; anything else but a RST (a retransmitted FIN, old or new data, a segment outside
     * the window) is acknowledged, and restarts 2 MSL if it carries an ACK (RFC 9293 3.10.7.4: "restart the 2 MSL
     * timeout" on a retransmitted FIN).
     */
    private static void timeWait(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final Receiver rcv = tcb.rcv;
        final int rcvNxt = rcv.nxt();
        if (seg.rst())
        {
            if (seg.seq == rcvNxt)
            {
                tcb.layer.release(tcb, TcpHandler.CLOSED_NORMALLY, false);
            }
            return;
        }
        if (seg.ack())
        {
            tcb.timers.set(TimerTable.STATE, nowNs + 2 * tcb.layer.config.mslNs());
        }
        if (seg.seq == rcvNxt && seg.len() == 0)
        {
            return;
        }
        tcb.layer.drop(tcb.layer.counters.rxOutOfWindow);
        rcv.ack.ackNow = true;
    }

    /** RFC 9293 3.10.7.4, first check: the four cases of the acceptability test. */
    /**
     * RFC 9293 3.10.7.4: "If the RCV.WND is zero, no segments will be acceptable, but special allowance should be made
     * to accept valid ACKs, URGs, and RSTs." A segment at RCV.NXT goes on to the RST, SYN and ACK checks; its text
     * finds no window and is not taken (as Linux's tcp_sequence takes it and tcp_data_queue drops the text). Without
     * this, a peer whose data meets our closed window could never tell us it received ours, and if we wait for that
     * to make room, both wait forever.
     */
    private static boolean zeroWindowAllowance(final Segment seg, final int rcvNxt, final int rcvWnd)
    {
        return rcvWnd == 0 && seg.seq == rcvNxt;
    }

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
}
