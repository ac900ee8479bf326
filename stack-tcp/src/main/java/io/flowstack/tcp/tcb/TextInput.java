package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpState;
import io.flowstack.tcp.buffer.ReceiveBuffer;

/**
 * The seventh and eighth checks of RFC 9293 3.10.7.4: segment text, trimmed to the window we advertised and
 * placed in the receive buffer (in order or not), the acknowledgment it calls for ({@link AckPolicy}), and the
 * peer's FIN once everything before it arrived. Text and FIN that come on a SYN wait until ESTABLISHED.
 */
final class TextInput
{
    private TextInput()
    {
    }

    static void process(final Tcb tcb, final Segment seg, final int dataSeq, final long nowNs)
    {
        final Receiver rcv = tcb.rcv;
        final boolean acceptsText = tcb.state == TcpState.ESTABLISHED || tcb.state == TcpState.FIN_WAIT_1
            || tcb.state == TcpState.FIN_WAIT_2;
        if (seg.payloadLength > 0 && acceptsText && !rcv.finReceived)
        {
            if (tcb.closeRequested && Seq.gt(dataSeq + seg.payloadLength, rcv.buffer.rcvNxt()))
            {
                // New data for an application that closed: it will never read it. Reset, as Linux does.
                tcb.layer.resets.send(tcb, tcb.snd.nxt);
                tcb.layer.release(tcb, TcpHandler.ABORTED, true);
                return;
            }
            // RFC 9293 3.10.7.4: only what lies inside the advertised window is kept.
            final int room = rcv.adv - dataSeq;
            final int length = room <= 0 ? 0 : Math.min(seg.payloadLength, room);
            if (length == 0)
            {
                // Our window is closed (the segment came in at RCV.NXT for its ACK): the text is not taken, and our
                // ACK tells the peer at once that the window is still closed.
                rcv.ack.ackNow = true;
                return;
            }
            if (tcb.sack && length > 0)
            {
                if (rcv.buffer.holds(dataSeq, length))
                {
                    rcv.sackReport.duplicate(dataSeq, dataSeq + length);
                }
                else if (Seq.lt(dataSeq, rcv.buffer.rcvNxt()))
                {
                    rcv.sackReport.duplicate(dataSeq, rcv.buffer.rcvNxt());
                }
            }
            final boolean inOrder = dataSeq == rcv.buffer.rcvNxt();
            final boolean hadGap = rcv.buffer.hasOutOfOrder();
            if (length > 0 && Seq.gt(dataSeq, rcv.buffer.rcvNxt()) && !rcv.buffer.holds(dataSeq, length)
                && tcb.layer.bounds.outOfOrderFull(tcb, length))
            {
                // The connection's or the core's bound of out-of-order bytes: dropped as if lost (Linux's OFO drop).
                tcb.layer.drop(tcb.layer.counters.rxOutOfOrderLimitDrops);
                return;
            }
            final long rangesFull = rcv.buffer.droppedSegments();
            final int delivered = rcv.buffer.offer(dataSeq, seg.buffer, seg.payloadOffset, length);
            if (delivered == ReceiveBuffer.NO_MEMORY)
            {
                // No ring in the core's buffer memory: dropped as if lost; the peer sends it again.
                tcb.layer.drop(tcb.layer.counters.rxMemoryDrops);
                return;
            }
            if (rcv.buffer.droppedSegments() != rangesFull)
            {
                // Every out-of-order range of the connection is in use: dropped as if lost (still acknowledged at
                // once below, so the sender hears where the holes are).
                tcb.layer.drop(tcb.layer.counters.rxOutOfOrderLimitDrops);
            }
            if (!inOrder || hadGap || rcv.buffer.hasOutOfOrder())
            {
                tcb.layer.bounds.outOfOrderChanged(tcb);
                rcv.onOutOfOrder();
                // RFC 5681 4.2: an out-of-order segment, a duplicate, or one that fills a hole: ACK at once.
                rcv.ack.onOutOfOrder(nowNs);
            }
            else
            {
                rcv.ack.onInOrderData(length, Math.min(length, seg.segmentSize()), rcv.mss, rcv.buffer.capacity(),
                    nowNs, tcb.snd.rtt.rto());
            }
            if (tcb.timestamps && seg.options.hasTimestamps() && seg.options.tsEcr() != 0 && rcv.maxBuffer > 0)
            {
                rcv.rttSample(tcb.layer.sinceTick(nowNs, seg.options.tsEcr()));
            }
            if (delivered > 0)
            {
                rcv.bytesReceived += delivered;
                tcb.signal(Tcb.EV_DATA);
            }
            if (!rcv.ack.ackNow)
            {
                tcb.timers.setIfUnset(TimerTable.DELAYED_ACK, nowNs + tcb.layer.config.delayedAckNs());
            }
        }
        if (seg.fin() && tcb.state != TcpState.SYN_SENT && Seq.le(dataSeq + seg.payloadLength, rcv.adv))
        {
            rcv.peerFinPending = true;
            rcv.peerFinSeq = dataSeq + seg.payloadLength;
        }
        finIfInOrder(tcb, nowNs);
    }

    /**
     * Keeps the text (and FIN) of a SYN until the connection is established (RFC 9293 3.10.7.2 and 3.10.7.3:
     * "queue them for processing after the ESTABLISHED state has been reached"). The SYN,ACK acknowledges the SYN
     * only.
     */
    static void hold(final Tcb tcb, final Segment seg, final int dataSeq)
    {
        final Receiver rcv = tcb.rcv;
        if (seg.payloadLength > 0)
        {
            rcv.buffer.hold(dataSeq, seg.buffer, seg.payloadOffset, seg.payloadLength);
            tcb.layer.bounds.outOfOrderChanged(tcb);
        }
        if (seg.fin())
        {
            rcv.peerFinPending = true;
            rcv.peerFinSeq = dataSeq + seg.payloadLength;
        }
    }

    /**
     * The connection is established: text held from the SYN becomes readable, and is acknowledged.
     */
    static void releaseHeld(final Tcb tcb, final long nowNs)
    {
        final Receiver rcv = tcb.rcv;
        final int released = rcv.buffer.releaseHeld();
        if (released > 0)
        {
            tcb.layer.bounds.outOfOrderChanged(tcb);
            rcv.bytesReceived += released;
            rcv.ack.onOutOfOrder(nowNs);
            tcb.signal(Tcb.EV_DATA);
        }
        finIfInOrder(tcb, nowNs);
    }

    /** Eighth check: the peer's FIN counts once everything before it arrived. */
    private static void finIfInOrder(final Tcb tcb, final long nowNs)
    {
        final Receiver rcv = tcb.rcv;
        if (!rcv.peerFinPending || rcv.finReceived || rcv.peerFinSeq != rcv.buffer.rcvNxt()
            || tcb.state == TcpState.SYN_RECEIVED || tcb.closed)
        {
            return;
        }
        rcv.finReceived = true;
        rcv.peerFinPending = false;
        rcv.ack.ackNow = true;
        switch (tcb.state)
        {
            case ESTABLISHED -> tcb.state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 ->
            {
                if (tcb.snd.finAcked())
                {
                    tcb.layer.enterTimeWait(tcb, nowNs);
                }
                else
                {
                    tcb.state = TcpState.CLOSING;
                }
            }
            case FIN_WAIT_2 -> tcb.layer.enterTimeWait(tcb, nowNs);
            default ->
            {
            }
        }
        tcb.signal(Tcb.EV_PEER_CLOSED);
    }
}
