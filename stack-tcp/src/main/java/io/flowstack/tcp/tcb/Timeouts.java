package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpState;

/**
 * What each of a connection's timers does when it fires: the end of a state (TIME-WAIT, an unfinished passive
 * open, FIN-WAIT-2 of a closed socket), the delayed ACK, retransmission (RFC 6298 5.4-5.7 and RFC 5681 3.1),
 * the zero-window probe (RFC 9293 3.8.6.1) and keep-alive (RFC 9293 3.8.4, RFC 1122 4.2.3.6).
 */
final class Timeouts
{
    private Timeouts()
    {
    }

    /**
     * Runs the connection's timers that are due.
     */
    static void run(final Tcb tcb, final long nowNs)
    {
        final TimerTable timers = tcb.timers;
        // Timers may send data: check first whether the sender ran out of it (draft-ietf-ccwg-bbr 4.1.2.4).
        final Sender snd = tcb.snd;
        snd.record.checkAppLimited(snd.unsent(), snd.mss, snd.cc.cwnd());
        if (timers.expire(TimerTable.STATE, nowNs))
        {
            stateTimeout(tcb);
            if (tcb.closed)
            {
                return;
            }
        }
        if (timers.expire(TimerTable.DELAYED_ACK, nowNs))
        {
            // Sent when this unit of processing ends, on data if there is some to send.
            tcb.rcv.ack.ackNow = true;
        }
        if (timers.expire(TimerTable.RETRANSMIT, nowNs))
        {
            retransmitTimeout(tcb, nowNs);
            if (tcb.closed)
            {
                return;
            }
        }
        if (timers.expire(TimerTable.PERSIST, nowNs))
        {
            persistTimeout(tcb, nowNs);
        }
        if (timers.expire(TimerTable.KEEPALIVE, nowNs))
        {
            keepAliveTimeout(tcb, nowNs);
        }
        if (timers.expire(TimerTable.RECOVERY, nowNs))
        {
            tcb.snd.recovery.onTimer(nowNs);
            timers.set(TimerTable.RECOVERY, tcb.snd.recovery.deadline());
        }
        // PACING: the departure time of the next segment came. Nothing to do here: the connection is touched, and
        // the end of this unit of work runs Transmitter.output, which sends the next quantum.
        timers.expire(TimerTable.PACING, nowNs);
    }

    private static void stateTimeout(final Tcb tcb)
    {
        switch (tcb.state)
        {
            // 2 MSL passed, or a closed socket waited long enough for the peer's FIN.
            case TIME_WAIT, FIN_WAIT_2 -> tcb.layer.release(tcb, TcpHandler.CLOSED_NORMALLY, true);
            // An unfinished passive open expires unseen; an active one that got here reports the timeout.
            case SYN_RECEIVED -> tcb.layer.release(tcb, TcpHandler.TIMED_OUT, tcb.listener == null);
            default ->
            {
            }
        }
    }

    private static void retransmitTimeout(final Tcb tcb, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        final Sender snd = tcb.snd;
        if (tcb.state == TcpState.SYN_SENT || tcb.state == TcpState.SYN_RECEIVED)
        {
            snd.backoffs++;
            snd.timeouts++;
            layer.counters.timeouts.incrementOrdered();
            if (snd.backoffs > layer.config.maxSynRetransmissions())
            {
                // An active open reports the failure; a half-open passive one just disappears.
                layer.release(tcb, TcpHandler.TIMED_OUT, tcb.listener == null);
                return;
            }
            snd.rtt.backoff();
            Transmitter.sendSyn(tcb, nowNs);
            return;
        }
        if (snd.inFlight() == 0)
        {
            return;
        }
        snd.backoffs++;
        snd.timeouts++;
        layer.counters.timeouts.incrementOrdered();
        if (snd.backoffs > layer.config.maxRetransmissions())
        {
            layer.resets.send(tcb, snd.nxt);
            layer.release(tcb, TcpHandler.TIMED_OUT, true);
            return;
        }
        snd.cc.onTimeout(nowNs, snd.inFlight());
        snd.recovery.onRetransmissionTimeout(nowNs);
        snd.rtt.backoff();
        if (!tcb.sack)
        {
            // Go back to SND.UNA and resend as the window (now one segment) allows (RFC 5681 3.1, RFC 6298 5.4);
            // with SACK the record says what is lost and only that goes again.
            snd.nxt = snd.una;
        }
        Transmitter.output(tcb, nowNs);
        tcb.timers.setIfUnset(TimerTable.RETRANSMIT, nowNs + snd.rtt.rto());
    }

    private static void persistTimeout(final Tcb tcb, final long nowNs)
    {
        final Sender snd = tcb.snd;
        if (snd.unsent() == 0 && !(snd.outputShutdown && !snd.finSent) || snd.inFlight() > 0)
        {
            return;
        }
        if (snd.wnd == 0)
        {
            tcb.layer.counters.windowProbes.incrementOrdered();
            Transmitter.sendProbe(tcb, nowNs);
            snd.rtt.backoff();
            tcb.timers.set(TimerTable.PERSIST, nowNs + snd.rtt.rto());
            return;
        }
        // A window too small for silly-window avoidance to send into: after the timeout send what fits
        // (RFC 9293 3.8.6.2.1, the override timeout).
        Transmitter.sendWhatFits(tcb, nowNs);
    }

    private static void keepAliveTimeout(final Tcb tcb, final long nowNs)
    {
        if (tcb.keepAliveIdleNs == 0 || !probesKeepAlive(tcb.state))
        {
            return;
        }
        final Sender snd = tcb.snd;
        if (snd.inFlight() > 0 || snd.unsent() > 0)
        {
            // Data outstanding: retransmission covers a dead peer; look again after an idle time.
            tcb.timers.set(TimerTable.KEEPALIVE, nowNs + tcb.keepAliveIdleNs);
            return;
        }
        final long idle = nowNs - tcb.lastHeardNs;
        if (idle < tcb.keepAliveIdleNs)
        {
            tcb.timers.set(TimerTable.KEEPALIVE, tcb.lastHeardNs + tcb.keepAliveIdleNs);
            return;
        }
        if (tcb.keepAliveProbes >= tcb.keepAliveCount)
        {
            // RFC 1122 4.2.3.6: the peer is dead. Like Linux, say so with a RST and report a timeout.
            tcb.layer.resets.send(tcb, snd.nxt);
            tcb.layer.release(tcb, TcpHandler.TIMED_OUT, true);
            return;
        }
        tcb.keepAliveProbes++;
        tcb.layer.counters.keepAliveProbes.incrementOrdered();
        Transmitter.sendProbe(tcb, nowNs);
        tcb.timers.set(TimerTable.KEEPALIVE, nowNs + tcb.keepAliveIntervalNs);
    }

    /**
     * Arms (or disarms) the keep-alive timer for the connection's current settings, counting from when the peer
     * was last heard.
     */
    static void armKeepAlive(final Tcb tcb, final long nowNs)
    {
        if (tcb.keepAliveIdleNs > 0 && probesKeepAlive(tcb.state))
        {
            tcb.timers.set(TimerTable.KEEPALIVE, Math.max(nowNs, tcb.lastHeardNs + tcb.keepAliveIdleNs));
        }
        else
        {
            tcb.timers.cancel(TimerTable.KEEPALIVE);
        }
    }

    private static boolean probesKeepAlive(final TcpState state)
    {
        return state.isSynchronized() && state != TcpState.TIME_WAIT;
    }
}
