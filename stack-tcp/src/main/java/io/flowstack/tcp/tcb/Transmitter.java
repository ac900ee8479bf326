package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.api.TcpState;

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
    }

    private static boolean sendData(final Tcb tcb, final long nowNs)
    {
        final Sender snd = tcb.snd;
        boolean sent = false;
        while (true)
        {
            final int unsent = snd.unsent();
            final boolean needFin = snd.outputShutdown && (!snd.finSent || snd.nxt == snd.finSeq);
            if (unsent > 0)
            {
                final int usable = snd.window() - snd.inFlight();
                int len = Math.min(unsent, Math.min(snd.sizeGoal(), usable));
                if (len > snd.mss && len < unsent)
                {
                    // A large (TSO) segment cut short by the window or the goal ends on an MSS boundary, so that
                    // the device cuts full-sized segments; the rest goes next (Linux's tcp_mss_split_point).
                    len -= len % snd.mss;
                }
                if (len <= 0)
                {
                    armPersistIfStalled(tcb, nowNs);
                    break;
                }
                if (len < snd.mss)
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
                sendSegment(tcb, snd.nxt, len, needFin && len == unsent, nowNs);
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
        if (!SegmentWriter.emit(tcb, seq, flags, len, nowNs))
        {
            return;
        }
        final int end = seq + len + (fin ? 1 : 0);
        if (Seq.ge(seq, snd.max))
        {
            snd.record.sent(seq, end - seq, nowNs);
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
        // RFC 6298 5.1: start the timer when a segment with data goes out and it is not running.
        tcb.timers.setIfUnset(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
    }

    /**
     * Sends as much as the windows allow now, however small (the sender's silly-window override).
     */
    static void sendWhatFits(final Tcb tcb, final long nowNs)
    {
        final Sender snd = tcb.snd;
        final int len = Math.min(snd.unsent(), Math.min(snd.mss, snd.window() - snd.inFlight()));
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
     * Sends the first unacknowledged segment again (fast retransmit, partial ACK) and restarts the timer.
     */
    static void retransmitFirst(final Tcb tcb, final long nowNs)
    {
        final Sender snd = tcb.snd;
        final int dataEnd = snd.buffer.endSeq();
        final int len = Seq.lt(snd.una, dataEnd) ? Math.min(snd.mss, dataEnd - snd.una) : 0;
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
        tcb.timers.set(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
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
