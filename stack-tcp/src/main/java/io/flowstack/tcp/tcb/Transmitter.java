package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.api.TcpState;
import io.flowstack.tcp.recovery.TransmitRecord;

/**
 * What a connection sends and when (RFC 9293 3.8): data as the windows, Nagle and silly-window avoidance allow, a
 * FIN once the application is done, pure ACKs the receiver owes, SYNs, retransmissions and probes. Segments are
 * built by {@link SegmentWriter}.
 */
final class Transmitter
{
    private Transmitter()
    {
    }

    /**
     * Sends what may go now, and an ACK if one is owed and nothing else carried it.
     */
    static void output(final Tcb tcb, final long nowNs)
    {
        if (tcb.closed)
        {
            return;
        }
        final TcpState state = tcb.state;
        final boolean sends = state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
            || state == TcpState.FIN_WAIT_1 || state == TcpState.CLOSING || state == TcpState.LAST_ACK;
        final boolean sent = sends && sendData(tcb, nowNs);
        if (!sent && tcb.rcv.ack.ackNow && state != TcpState.SYN_SENT)
        {
            sendAck(tcb, nowNs);
        }
        tcb.timers.set(TimerTable.RECOVERY, tcb.snd.recovery.deadline());
    }

    private static boolean sendData(final Tcb tcb, final long nowNs)
    {
        final Sender snd = tcb.snd;
        boolean sent = false;
        // Pacing (Pacer): a quantum of data per wake-up once the departure time has come.
        final long rate = snd.pacer.rate(snd.cc, snd.srttNs());
        int budget = snd.pacer.budget(nowNs, rate, snd.mss);
        while (true)
        {
            final int congestion = snd.recovery.sendWindow(snd.cc.cwnd()) - snd.recovery.pipe();
            // What loss recovery judged lost goes first (RFC 6675 NextSeg), within the congestion window.
            final int lost = snd.recovery.nextRetransmission();
            if (lost >= 0)
            {
                if (congestion <= 0)
                {
                    break;
                }
                if (budget <= 0)
                {
                    tcb.timers.set(TimerTable.PACING, snd.pacer.nextSendNs());
                    break;
                }
                final int bytes = snd.record.end(lost) - snd.record.start(lost);
                retransmitRecord(tcb, lost, nowNs);
                budget = paced(snd, bytes, rate, budget);
                sent = true;
                continue;
            }
            final int unsent = snd.unsent();
            final boolean needFin = snd.outputShutdown && (!snd.finSent || snd.nxt == snd.finSeq);
            if (unsent > 0)
            {
                final int usable = Math.min(congestion, snd.una + snd.wnd - snd.nxt);
                final int mss = snd.segmentSize();
                int len = Math.min(unsent, Math.min(snd.sizeGoal(mss), usable));
                if (len > mss && len < unsent)
                {
                    // A large (TSO) segment cut short by the window or the goal ends on a segment boundary, so that
                    // the device cuts full-sized segments; the rest goes next (Linux's tcp_mss_split_point).
                    len -= len % mss;
                }
                if (len <= 0)
                {
                    armPersistIfStalled(tcb, nowNs);
                    break;
                }
                if (len < mss)
                {
                    if (len < unsent)
                    {
                        // Sender silly-window avoidance (RFC 9293 3.8.6.2.1): a window-limited small segment goes
                        // only if it is at least half the largest window the peer offered.
                        if (len < snd.maxWnd / 2)
                        {
                            armPersistIfStalled(tcb, nowNs);
                            break;
                        }
                    }
                    else if (!needFin && !snd.noDelay && snd.inFlight() > 0)
                    {
                        // Nagle (RFC 9293 3.7.4): a small last piece waits while data is unacknowledged.
                        break;
                    }
                }
                if (budget <= 0)
                {
                    tcb.timers.set(TimerTable.PACING, snd.pacer.nextSendNs());
                    break;
                }
                sendSegment(tcb, snd.nxt, len, needFin && len == unsent, nowNs);
                budget = paced(snd, len, rate, budget);
                sent = true;
                continue;
            }
            if (needFin)
            {
                sendSegment(tcb, snd.nxt, 0, true, nowNs);
                sent = true;
            }
            break;
        }
        return sent;
    }

    /** @return the pacing budget left after {@code bytes} left (the departure time moves on). */
    private static int paced(final Sender snd, final int bytes, final long rate, final int budget)
    {
        if (rate <= 0)
        {
            return budget;
        }
        snd.pacer.sent(bytes, rate);
        return budget - bytes;
    }

    /**
     * Sends a recorded segment again, in pieces of at most one MSS (a record merged when the record was full may
     * be longer), with its FIN when it ends with ours.
     */
    private static void retransmitRecord(final Tcb tcb, final int i, final long nowNs)
    {
        final Sender snd = tcb.snd;
        final int start = snd.record.start(i);
        final int end = snd.record.end(i);
        final boolean fin = snd.finSent && end == snd.finSeq + 1;
        final int dataEnd = fin ? end - 1 : end;
        final int mss = snd.segmentSize();
        int seq = start;
        do
        {
            final int len = Math.min(mss, dataEnd - seq);
            final boolean last = seq + len == dataEnd;
            int flags = TcpFlags.ACK | (fin && last ? TcpFlags.FIN : 0);
            if (len > 0 && seq + len == snd.buffer.endSeq())
            {
                flags |= TcpFlags.PSH;
            }
            SegmentWriter.emit(tcb, seq, flags, len, nowNs);
            snd.retransmits++;
            tcb.layer.counters.retransmits.incrementOrdered();
            seq += len;
        }
        while (Seq.lt(seq, dataEnd));
        snd.record.retransmitted(start, end - start, nowNs);
        snd.recovery.onSent(nowNs, end - start, true);
        if (i == 0)
        {
            // The head went again: the retransmission timer restarts from it (as Linux does), so that a recovery
            // making progress through SACKs is not cut short by the RTO of the original.
            tcb.timers.set(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
        }
        else
        {
            tcb.timers.setIfUnset(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
        }
    }

    /**
     * A tail loss probe (RFC 8985 7.3): one new segment if there is data the peer's window takes, otherwise the
     * last segment not SACKed, again; the retransmission timer restarts.
     */
    static void probe(final Tcb tcb, final long nowNs)
    {
        final Sender snd = tcb.snd;
        tcb.layer.counters.tailLossProbes.incrementOrdered();
        final int room = snd.una + snd.wnd - snd.nxt;
        final int unsent = snd.unsent();
        if (unsent > 0 && room > 0)
        {
            final int len = Math.min(unsent, Math.min(snd.segmentSize(), room));
            sendSegment(tcb, snd.nxt, len, snd.outputShutdown && len == unsent, nowNs);
        }
        else
        {
            for (int i = snd.record.size() - 1; i >= 0; i--)
            {
                if ((snd.record.flags(i) & TransmitRecord.SACKED) == 0)
                {
                    retransmitRecord(tcb, i, nowNs);
                    break;
                }
            }
        }
        tcb.timers.set(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
    }

    private static void armPersistIfStalled(final Tcb tcb, final long nowNs)
    {
        if (tcb.snd.inFlight() == 0)
        {
            // RFC 9293 3.8.6.1: with data waiting and nothing in flight, probe the window periodically.
            tcb.timers.setIfUnset(TimerTable.PERSIST, nowNs + tcb.snd.rtt.rto());
        }
    }

    /**
     * Sends {@code len} bytes of the send buffer from {@code seq}, with FIN if asked, and moves SND.NXT (a
     * retransmission from below SND.MAX moves it no further than what it covers).
     */
    private static void sendSegment(final Tcb tcb, final int seq, final int len, final boolean fin, final long nowNs)
    {
        final Sender snd = tcb.snd;
        int flags = TcpFlags.ACK;
        if (fin)
        {
            flags |= TcpFlags.FIN;
        }
        if (len > 0 && seq + len == snd.buffer.endSeq())
        {
            flags |= TcpFlags.PSH;
        }
        final int pieceBefore = Math.max(1, snd.segmentSize());
        if (!SegmentWriter.emit(tcb, seq, flags, len, nowNs))
        {
            return;
        }
        final int end = seq + len + (fin ? 1 : 0);
        final boolean fresh = Seq.ge(seq, snd.max);
        if (fresh)
        {
            // A large (TSO) segment is recorded as the pieces the device cuts it into: the peer acknowledges and
            // SACKs those, and loss recovery repairs a lost piece, not the whole segment.
            for (int at = seq; at != end; )
            {
                final int piece = Math.min(pieceBefore, end - at);
                snd.record.sent(at, piece, nowNs);
                at += piece;
            }
        }
        else
        {
            snd.record.retransmitted(seq, end - seq, nowNs);
            snd.retransmits++;
            tcb.layer.counters.retransmits.incrementOrdered();
        }
        if (fin && !snd.finSent)
        {
            snd.finSent = true;
            snd.finSeq = seq + len;
            switch (tcb.state)
            {
                case ESTABLISHED -> tcb.state = TcpState.FIN_WAIT_1;
                case CLOSE_WAIT -> tcb.state = TcpState.LAST_ACK;
                default ->
                {
                }
            }
        }
        if (Seq.gt(end, snd.nxt))
        {
            snd.nxt = end;
        }
        if (Seq.gt(snd.nxt, snd.max))
        {
            snd.max = snd.nxt;
        }
        snd.recovery.onSent(nowNs, end - seq, !fresh);
        // RFC 6298 5.1: start the timer when a segment with data goes out and it is not running.
        tcb.timers.setIfUnset(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
    }

    /**
     * Sends as much as the windows allow now, however small (the sender's silly-window override).
     */
    static void sendWhatFits(final Tcb tcb, final long nowNs)
    {
        final Sender snd = tcb.snd;
        final int len = Math.min(snd.unsent(), Math.min(snd.segmentSize(), snd.allowance()));
        if (len > 0)
        {
            sendSegment(tcb, snd.nxt, len, snd.outputShutdown && len == snd.unsent(), nowNs);
        }
    }

    /**
     * Sends a pure ACK. It carries the highest sequence number sent, not SND.NXT: after a timeout SND.NXT goes
     * back to SND.UNA, possibly below what the peer already holds, and an ACK numbered there would be unacceptable
     * to the peer (RFC 9293 3.10.7.4), which then drops its cumulative acknowledgment too. Both sides doing that
     * at once ping-pong ACKs forever; the simulator found it.
     */
    static void sendAck(final Tcb tcb, final long nowNs)
    {
        SegmentWriter.emit(tcb, tcb.snd.max, TcpFlags.ACK, 0, nowNs);
    }

    /**
     * Sends our SYN (active open) or SYN,ACK (passive or simultaneous open), the first time or again.
     */
    static void sendSyn(final Tcb tcb, final long nowNs)
    {
        final Sender snd = tcb.snd;
        final boolean withAck = tcb.state == TcpState.SYN_RECEIVED;
        SegmentWriter.emit(tcb, snd.iss, withAck ? TcpFlags.SYN | TcpFlags.ACK : TcpFlags.SYN, 0, nowNs);
        if (snd.max == snd.iss)
        {
            snd.record.sent(snd.iss, 1, nowNs);
        }
        else
        {
            snd.record.retransmitted(snd.iss, 1, nowNs);
        }
        snd.nxt = snd.iss + 1;
        snd.max = snd.nxt;
        tcb.timers.set(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
    }

    /**
     * Sends the first unacknowledged segment again (fast retransmit, partial ACK) and restarts the timer, unless
     * loss recovery keeps it running.
     */
    static void retransmitFirst(final Tcb tcb, final long nowNs)
    {
        final Sender snd = tcb.snd;
        final int dataEnd = snd.buffer.endSeq();
        final int len = Seq.lt(snd.una, dataEnd) ? Math.min(snd.segmentSize(), dataEnd - snd.una) : 0;
        final boolean fin = snd.finSent && snd.una + len == snd.finSeq;
        if (len > 0 || fin)
        {
            final int flags = TcpFlags.ACK | (fin ? TcpFlags.FIN : 0);
            if (SegmentWriter.emit(tcb, snd.una, flags, len, nowNs))
            {
                snd.record.retransmitted(snd.una, len + (fin ? 1 : 0), nowNs);
                snd.retransmits++;
                tcb.layer.counters.retransmits.incrementOrdered();
            }
        }
        if (snd.recovery.holdsRetransmitTimer(snd.una))
        {
            tcb.timers.setIfUnset(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
        }
        else
        {
            tcb.timers.set(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
        }
    }

    /**
     * A segment just below SND.UNA, which the peer must answer with an ACK carrying its window: the zero-window
     * probe and the keep-alive probe (what Linux sends for both).
     */
    static void sendProbe(final Tcb tcb, final long nowNs)
    {
        SegmentWriter.emit(tcb, tcb.snd.una - 1, TcpFlags.ACK, 0, nowNs);
    }
}
