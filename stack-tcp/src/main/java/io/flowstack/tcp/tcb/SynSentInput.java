package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpState;

/**
 * SEGMENT ARRIVES in SYN-SENT (RFC 9293 3.10.7.3): the peer's SYN,ACK completes our active open (text and FIN on
 * it are processed at once, from the sixth step); its bare SYN is a simultaneous open (text on it waits for
 * ESTABLISHED); a RST that acknowledges our SYN is a refusal.
 */
final class SynSentInput
{
    private SynSentInput()
    {
    }

    static void process(final Tcb tcb, final Segment seg, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        final Sender snd = tcb.snd;
        boolean ackAcceptable = false;
        if (seg.ack())
        {
            // first: if SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the segment is one) and drop.
            if (Seq.le(seg.ack, snd.iss) || Seq.gt(seg.ack, snd.nxt))
            {
                if (!seg.rst())
                {
                    layer.resets.sendFor(seg, nowNs);
                }
                layer.drop(layer.counters.rxBadAck);
                return;
            }
            ackAcceptable = Seq.le(snd.una, seg.ack) && Seq.le(seg.ack, snd.nxt);
        }
        if (seg.rst())
        {
            // second: a RST that acknowledges our SYN means the peer refused.
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
        final Receiver rcv = tcb.rcv;
        final int announced = Math.min(rcv.space(), 65535);
        rcv.reset(seg.seq);
        rcv.adv = seg.seq + 1 + announced;
        SynOptions.apply(tcb, seg);
        snd.wl1 = seg.seq;
        snd.wl2 = seg.ack;
        tcb.lastHeardNs = nowNs;
        if (seg.ack())
        {
            AckInput.ackOfSyn(tcb, seg, nowNs);
        }
        if (Seq.gt(snd.una, snd.iss))
        {
            tcb.state = TcpState.ESTABLISHED;
            tcb.timers.cancel(TimerTable.RETRANSMIT);
            snd.backoffs = 0;
            layer.established(tcb, nowNs);
            // Text or FIN on the SYN,ACK: go on as in ESTABLISHED from the sixth step; it is acknowledged with
            // the handshake's ACK.
            rcv.ack.ackNow = true;
            TextInput.process(tcb, seg, seg.seq + 1, nowNs);
        }
        else
        {
            // Simultaneous open (RFC 9293 3.5 figure 7): SYN-RECEIVED, send SYN,ACK; text and FIN wait for
            // ESTABLISHED.
            tcb.state = TcpState.SYN_RECEIVED;
            TextInput.hold(tcb, seg, seg.seq + 1);
            Transmitter.sendSyn(tcb, nowNs);
        }
    }
}
