package io.flowstack.tcp.tcb;

import io.flowstack.tcp.TcpConnection;
import io.flowstack.tcp.TcpHandler;
import io.flowstack.tcp.buffer.ReceiveBuffer;
import io.flowstack.tcp.buffer.RttEstimator;
import io.flowstack.tcp.buffer.SendBuffer;
import io.flowstack.tcp.cc.CongestionControl;
import io.flowstack.tcp.cc.Reno;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The transmission control block of one connection (RFC 9293 3.3.1), with the variables named as the RFC names
 * them. It lives on its owning core and is touched by that core's thread only. The rules for arriving segments
 * are in {@link TcpInput}, sending in {@link TcpOutput}; this class holds the state, the timers and the
 * application's side ({@link TcpConnection}).
 */
public final class Tcb implements TcpConnection
{
    static final long NONE = Long.MAX_VALUE;

    final TcpLayer layer;
    final SendBuffer sendBuffer;
    final ReceiveBuffer receiveBuffer;
    final RttEstimator rtt;
    final CongestionControl cc = new Reno();

    int localAddress;
    int localPort;
    int remoteAddress;
    int remotePort;
    long key;
    TcpState state = TcpState.CLOSED;
    Listener listener;

    // Send sequence variables (RFC 9293 3.3.1).
    int iss;
    int sndUna;
    int sndNxt;
    int sndWnd;
    int sndWl1;
    int sndWl2;
    int maxSndWnd;
    int sndWndShift;
    int sendMss;
    /** Highest sequence number sent so far (SND.NXT goes back on retransmission timeout, this does not). */
    int sndMax;

    // Receive sequence variables.
    int irs;
    int rcvWndShift;
    /** Right edge of the window we advertised last: it must never move left (RFC 9293 3.8.6). */
    int rcvAdv;
    int rcvMss;
    boolean finReceived;
    boolean peerFinPending;
    int peerFinSeq;

    // Options (RFC 7323).
    boolean windowScaling;
    boolean timestamps;
    int tsRecent;
    int lastAckSent;

    // Closing.
    boolean outputShutdown;
    boolean finSent;
    int finSeq;
    boolean closeRequested;

    // Retransmission and recovery.
    int retransmits;
    int dupAcks;
    int recover;
    boolean rttTiming;
    int rttSeq;
    long rttStart;

    // Acknowledgment policy.
    int segmentsSinceAck;
    boolean ackNow;

    // Timers: one wheel timer per TCB, at the earliest of these deadlines.
    long retransmitDeadline = NONE;
    long persistDeadline = NONE;
    long delayedAckDeadline = NONE;
    long stateDeadline = NONE;
    long timerId = -1;
    long timerDeadline = NONE;

    boolean noDelay;
    boolean wantWritable;
    boolean closed;
    TcpHandler handler;
    Object attachment;

    Tcb(final TcpLayer layer, final int sendBufferSize, final int receiveBufferSize, final long minRtoNs, final long maxRtoNs)
    {
        this.layer = layer;
        this.sendBuffer = new SendBuffer(sendBufferSize);
        this.receiveBuffer = new ReceiveBuffer(receiveBufferSize, 32);
        this.rtt = new RttEstimator(minRtoNs, maxRtoNs, 1_000_000_000L, 1_000_000L);
    }

    /**
     * @return SND.NXT - SND.UNA: bytes (and SYN/FIN) in flight.
     */
    int inFlight()
    {
        return sndNxt - sndUna;
    }

    /**
     * @return RCV.NXT, counting the peer's FIN once it arrived.
     */
    int rcvNxt()
    {
        return receiveBuffer.rcvNxt() + (finReceived ? 1 : 0);
    }

    /**
     * @return RCV.WND: what we can still take.
     */
    int rcvWnd()
    {
        return finReceived ? 0 : receiveBuffer.window();
    }

    /**
     * @return bytes written by the application and not sent yet.
     */
    int unsent()
    {
        return Math.max(0, sendBuffer.endSeq() - sndNxt);
    }

    /**
     * Makes sure the layer's timer wheel fires no later than the earliest of the TCB's deadlines. A deadline that
     * moved later (the retransmission timer restarted by every ACK) keeps the earlier wheel timer: it fires, finds
     * nothing due and sets the next one, which costs far less than a cancel and a new timer per ACK.
     */
    void rescheduleTimer()
    {
        long d = retransmitDeadline;
        d = Math.min(d, persistDeadline);
        d = Math.min(d, delayedAckDeadline);
        d = Math.min(d, stateDeadline);
        if (d < timerDeadline)
        {
            layer.schedule(this, d);
        }
    }

    // ---- TcpConnection --------------------------------------------------------------------------------------

    @Override
    public int write(final DirectBuffer src, final int offset, final int length)
    {
        if (closed || outputShutdown || !(state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
            || state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED))
        {
            return -1;
        }
        final int taken = sendBuffer.write(src, offset, length);
        if (taken < length)
        {
            wantWritable = true;
        }
        if (taken > 0 && state.isSynchronized())
        {
            TcpOutput.output(this, layer.now());
        }
        return taken;
    }

    @Override
    public int writable()
    {
        final int free = closed || outputShutdown ? 0 : sendBuffer.free();
        if (free == 0)
        {
            // The application is waiting for room: tell it when there is some.
            wantWritable = true;
        }
        return free;
    }

    @Override
    public int read(final MutableDirectBuffer dst, final int offset, final int length)
    {
        final int n = receiveBuffer.read(dst, offset, length);
        if (n == 0 && finReceived && receiveBuffer.readable() == 0)
        {
            return -1;
        }
        if (n > 0 && state.isSynchronized())
        {
            TcpOutput.windowUpdateIfWorthIt(this, layer.now());
        }
        return n;
    }

    @Override
    public int readable()
    {
        return receiveBuffer.readable();
    }

    @Override
    public void shutdownOutput()
    {
        if (closed || outputShutdown)
        {
            return;
        }
        outputShutdown = true;
        switch (state)
        {
            case SYN_SENT -> layer.release(this, TcpHandler.CLOSED_NORMALLY, false);
            case SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT -> TcpOutput.output(this, layer.now());
            default ->
            {
            }
        }
    }

    @Override
    public void close()
    {
        closeRequested = true;
        shutdownOutput();
    }

    @Override
    public void abort()
    {
        if (closed)
        {
            return;
        }
        if (state == TcpState.SYN_RECEIVED || state.isSynchronized() && state != TcpState.TIME_WAIT)
        {
            // RFC 9293 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>.
            layer.sendReset(this, sndNxt);
        }
        layer.release(this, TcpHandler.ABORTED, true);
    }

    @Override
    public void noDelay(final boolean noDelay)
    {
        this.noDelay = noDelay;
        if (noDelay && state.isSynchronized())
        {
            TcpOutput.output(this, layer.now());
        }
    }

    @Override
    public int remoteAddress()
    {
        return remoteAddress;
    }

    @Override
    public int remotePort()
    {
        return remotePort;
    }

    @Override
    public int localAddress()
    {
        return localAddress;
    }

    @Override
    public int localPort()
    {
        return localPort;
    }

    @Override
    public String state()
    {
        return state.toString();
    }

    /**
     * @return the state.
     */
    public TcpState tcpState()
    {
        return state;
    }

    @Override
    public boolean isClosed()
    {
        return closed;
    }

    @Override
    public void attach(final Object attachment)
    {
        this.attachment = attachment;
    }

    @Override
    public Object attachment()
    {
        return attachment;
    }

    /**
     * @return SND.UNA.
     */
    public int sndUna()
    {
        return sndUna;
    }

    /**
     * @return SND.NXT.
     */
    public int sndNxt()
    {
        return sndNxt;
    }

    /**
     * @return SND.WND.
     */
    public int sndWnd()
    {
        return sndWnd;
    }

    /**
     * @return the right edge of the receive window last advertised.
     */
    public int rcvAdv()
    {
        return rcvAdv;
    }

    /**
     * @return ISS.
     */
    public int iss()
    {
        return iss;
    }

    /**
     * @return IRS.
     */
    public int irs()
    {
        return irs;
    }

    /**
     * @return the current retransmission timeout.
     */
    public long rto()
    {
        return rtt.rto();
    }

    /**
     * @return the congestion window.
     */
    public int cwnd()
    {
        return cc.cwnd();
    }

    @Override
    public String toString()
    {
        return "Tcb{" + state + " " + Integer.toUnsignedString(localPort) + "->" + remotePort
            + " una=" + sndUna + " nxt=" + sndNxt + " wnd=" + sndWnd + " rcv.nxt=" + rcvNxt() + "}";
    }
}
