package io.flowstack.tcp.tcb;

import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.net.Route;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpState;

/**
 * The published packet scripts ({@link io.flowstack.test.TcpScript}) with the TCB's own access: the core's
 * {@link TcpLayer} and connections built directly in a state ({@link #connection}), so that a script starts where
 * its subject starts.
 */
final class TcpScript extends io.flowstack.test.TcpScript
{
    final TcpLayer tcp;

    TcpScript(final TcpConfig config, final int iss)
    {
        super(config, iss);
        tcp = stack.tcp(0);
    }

    /** 64 KiB buffers (no window scaling needed), the default configuration otherwise. */
    TcpScript()
    {
        tcp = stack.tcp(0);
    }

    /**
     * Builds a connection directly in a state, as if a handshake with the script's defaults had happened (ISS and
     * IRS as the script's constants, the peer's window {@link #WINDOW}, MSS 1460, no window scaling): no segment
     * is exchanged. Closing states are reached as their usual path would: FIN-WAIT-1 has our FIN in flight,
     * FIN-WAIT-2 has it acknowledged, CLOSE-WAIT has the peer's FIN, LAST-ACK and CLOSING both.
     *
     * @param state      ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK or TIME-WAIT.
     * @param timestamps whether both sides use timestamps (the peer's last TSval is then 1).
     * @param handler    the application.
     * @return the connection.
     */
    Tcb connection(final TcpState state, final boolean timestamps, final TcpHandler handler)
    {
        return connection(state, timestamps, false, handler);
    }

    /**
     * As {@link #connection(TcpState, boolean, TcpHandler)}, with SACK negotiated or not (RFC 2018).
     */
    Tcb connection(final TcpState state, final boolean timestamps, final boolean sack, final TcpHandler handler)
    {
        tcp.units.enter();
        try
        {
            final long now = clock.nanoTime();
            final Route route = new Route();
            tcp.network.routeReply(route, 0, 0, IpAddress.ipv4Low(STACK_IP), 0, IpAddress.ipv4Low(PEER_IP));
            final Tcb tcb = tcp.tcbs.newTcb(route, LOCAL_PORT, REMOTE_PORT, ConnectionOptions.DEFAULT, now);
            tcb.handler = handler;
            tcb.sack = sack;
            tcb.windowScaling = false;
            tcb.rcv.wndShift = 0;
            tcb.timestamps = timestamps;
            tcb.rcv.tsRecent = timestamps ? 1 : 0;
            tcb.rcv.reset(IRS);
            tcb.rcv.lastAckSent = IRS + 1;
            tcb.snd.una = ISS + 1;
            tcb.snd.nxt = ISS + 1;
            tcb.snd.max = ISS + 1;
            tcb.snd.wnd = WINDOW;
            tcb.snd.maxWnd = WINDOW;
            tcb.snd.wl1 = IRS + 1;
            tcb.snd.wl2 = ISS + 1;
            tcb.snd.mss = 1460 - (timestamps ? SynOptions.TIMESTAMPS_LENGTH : 0);
            tcb.snd.cc.init(tcb.snd.mss, now);
            tcb.snd.record.clear();
            tcb.snd.roundEnd = tcb.snd.una;
            tcb.snd.useSack(sack);
            tcb.rcv.windowField(false);
            tcb.lastHeardNs = now;
            tcb.state = TcpState.ESTABLISHED;
            final boolean ourFin = state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2
                || state == TcpState.CLOSING || state == TcpState.LAST_ACK || state == TcpState.TIME_WAIT;
            final boolean peerFin = state == TcpState.CLOSE_WAIT || state == TcpState.CLOSING
                || state == TcpState.LAST_ACK || state == TcpState.TIME_WAIT;
            final boolean finAcked = state == TcpState.FIN_WAIT_2 || state == TcpState.TIME_WAIT;
            if (ourFin)
            {
                tcb.closeRequested = true;
                tcb.snd.outputShutdown = true;
                tcb.snd.finSent = true;
                tcb.snd.finSeq = ISS + 1;
                tcb.snd.nxt = ISS + 2;
                tcb.snd.max = ISS + 2;
                if (finAcked)
                {
                    tcb.snd.una = ISS + 2;
                }
                else
                {
                    tcb.snd.record.sent(ISS + 1, 1, now);
                    tcb.timers.set(TimerTable.RETRANSMIT, now + tcb.snd.rtt.rto());
                }
            }
            if (peerFin)
            {
                tcb.rcv.finReceived = true;
            }
            tcb.state = state;
            if (state == TcpState.TIME_WAIT)
            {
                tcp.enterTimeWait(tcb, now);
            }
            tcb.events = 0;
            tcp.units.touch(tcb);
            return tcb;
        }
        finally
        {
            tcp.units.exit();
        }
    }
}
