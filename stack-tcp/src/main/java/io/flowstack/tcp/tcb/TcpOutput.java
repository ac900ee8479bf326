package io.flowstack.tcp.tcb;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.seq.Seq;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.tcp.TcpHandler;

/**
 * Sending for a connection: what may go now (windows, Nagle, silly-window avoidance), SYNs and their options,
 * ACKs, window updates, retransmissions and probes. Segments are built in a pool buffer, headers written in
 * front of the payload, and handed to IPv4.
 */
final class TcpOutput
{
    /** Maximum segment size assumed when the peer sends none (RFC 9293 3.7.1). */
    static final int DEFAULT_MSS = 536;
    /** Largest window shift (RFC 7323 2.3). */
    static final int MAX_WINDOW_SHIFT = 14;
    /** Bytes of the timestamps option with its two NOPs. */
    static final int TIMESTAMPS_LENGTH = 12;

    private TcpOutput()
    {
    }

    /**
     * Sends what the windows, Nagle and silly-window avoidance allow, and a FIN when the application is done.
     *
     * @param tcb   the connection.
     * @param nowNs current time.
     */
    static void output(final Tcb tcb, final long nowNs)
    {
        if (tcb.closed)
        {
            return;
        }
        final TcpState state = tcb.state;
        if (state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT && state != TcpState.FIN_WAIT_1
            && state != TcpState.CLOSING && state != TcpState.LAST_ACK)
        {
            if (tcb.ackNow)
            {
                sendAck(tcb, nowNs);
            }
            return;
        }
        boolean sent = false;
        while (true)
        {
            final int unsent = Math.max(0, tcb.sendBuffer.endSeq() - tcb.sndNxt);
            final boolean needFin = tcb.outputShutdown && (!tcb.finSent || tcb.sndNxt == tcb.finSeq);
            if (unsent > 0)
            {
                final int window = Math.min(tcb.sndWnd, tcb.cc.cwnd());
                final int usable = window - tcb.inFlight();
                final int len = Math.min(unsent, Math.min(tcb.sendMss, usable));
                if (len <= 0)
                {
                    armPersistIfStalled(tcb, nowNs);
                    break;
                }
                if (len < tcb.sendMss)
                {
                    if (len < unsent)
                    {
                        // Sender silly-window avoidance (RFC 9293 3.8.6.2.1): a window-limited small segment goes
                        // only if it is at least half the largest window the peer offered.
                        if (len < tcb.maxSndWnd / 2)
                        {
                            armPersistIfStalled(tcb, nowNs);
                            break;
                        }
                    }
                    else if (!needFin && !tcb.noDelay && tcb.layer.config.nagle() && tcb.inFlight() > 0)
                    {
                        // Nagle (RFC 9293 3.7.4): a small last piece waits while data is unacknowledged.
                        break;
                    }
                }
                sendData(tcb, tcb.sndNxt, len, needFin && len == unsent, nowNs);
                sent = true;
                continue;
            }
            if (needFin)
            {
                sendData(tcb, tcb.sndNxt, 0, true, nowNs);
                sent = true;
            }
            break;
        }
        if (!sent && tcb.ackNow)
        {
            sendAck(tcb, nowNs);
        }
    }

    private static void armPersistIfStalled(final Tcb tcb, final long nowNs)
    {
        if (tcb.inFlight() == 0 && tcb.persistDeadline == Tcb.NONE)
        {
            // RFC 9293 3.8.6.1: with data waiting and nothing in flight, probe the window periodically.
            tcb.persistDeadline = nowNs + tcb.rtt.rto();
            tcb.rescheduleTimer();
        }
    }

    /**
     * Sends {@code len} bytes from the send buffer starting at {@code seq}, optionally with FIN, and advances
     * SND.NXT (a retransmission sends from SND.UNA and advances nothing it need not).
     */
    private static void sendData(final Tcb tcb, final int seq, final int len, final boolean fin, final long nowNs)
    {
        int flags = TcpFlags.ACK;
        if (fin)
        {
            flags |= TcpFlags.FIN;
        }
        if (len > 0 && seq + len == tcb.sendBuffer.endSeq())
        {
            flags |= TcpFlags.PSH;
        }
        final boolean fresh = Seq.ge(seq, tcb.sndMax);
        if (!emit(tcb, seq, flags, len, nowNs))
        {
            return;
        }
        int next = seq + len;
        if (fin)
        {
            if (!tcb.finSent)
            {
                tcb.finSent = true;
                tcb.finSeq = next;
                switch (tcb.state)
                {
                    case SYN_RECEIVED, ESTABLISHED -> tcb.state = TcpState.FIN_WAIT_1;
                    case CLOSE_WAIT -> tcb.state = TcpState.LAST_ACK;
                    default ->
                    {
                    }
                }
            }
            next++;
        }
        if (Seq.gt(next, tcb.sndNxt))
        {
            tcb.sndNxt = next;
        }
        if (Seq.gt(tcb.sndNxt, tcb.sndMax))
        {
            tcb.sndMax = tcb.sndNxt;
        }
        if (!tcb.timestamps && !tcb.rttTiming && len > 0 && fresh)
        {
            // Karn: time one fresh segment at a time when timestamps are not available.
            tcb.rttTiming = true;
            tcb.rttSeq = seq;
            tcb.rttStart = nowNs;
        }
        if (tcb.retransmitDeadline == Tcb.NONE)
        {
            tcb.retransmitDeadline = nowNs + tcb.rtt.rto();
            tcb.rescheduleTimer();
        }
    }

    /**
     * @param tcb   the connection.
     * @param nowNs current time.
     */
    static void sendAck(final Tcb tcb, final long nowNs)
    {
        // The highest sequence number sent, not SND.NXT: after a timeout SND.NXT goes back to SND.UNA, possibly
        // below what the peer already holds, and an ACK numbered there would be unacceptable to the peer
        // (RFC 9293 3.10.7.4), which then drops its cumulative acknowledgment too. Both sides doing that at once
        // ping-pong ACKs forever; the simulator found it.
        emit(tcb, tcb.sndMax, TcpFlags.ACK, 0, nowNs);
    }

    /**
     * Sends our SYN (active open) or SYN,ACK (passive or simultaneous open) with our options.
     */
    static void sendSyn(final Tcb tcb, final boolean withAck, final long nowNs)
    {
        emit(tcb, tcb.iss, withAck ? TcpFlags.SYN | TcpFlags.ACK : TcpFlags.SYN, 0, nowNs);
        tcb.sndNxt = tcb.iss + 1;
        tcb.sndMax = tcb.sndNxt;
        if (tcb.retransmits == 0)
        {
            tcb.rttTiming = true;
            tcb.rttStart = nowNs;
            tcb.rttSeq = tcb.iss;
        }
        tcb.retransmitDeadline = nowNs + tcb.rtt.rto();
        tcb.rescheduleTimer();
    }

    /**
     * Sends the SYN or SYN,ACK again (lost, or the peer repeated its SYN).
     */
    static void retransmitSyn(final Tcb tcb, final long nowNs)
    {
        sendSyn(tcb, tcb.state == TcpState.SYN_RECEIVED, nowNs);
    }

    /**
     * Retransmits the first unacknowledged segment (fast retransmit, partial ACK).
     */
    static void retransmitFirst(final Tcb tcb, final long nowNs)
    {
        tcb.layer.counters.retransmits.incrementOrdered();
        final int dataEnd = tcb.sendBuffer.endSeq();
        final int len = Math.max(0, Math.min(tcb.sendMss, Seq.lt(tcb.sndUna, dataEnd) ? dataEnd - tcb.sndUna : 0));
        final boolean fin = tcb.finSent && tcb.sndUna + len == tcb.finSeq;
        int flags = TcpFlags.ACK | (fin ? TcpFlags.FIN : 0);
        if (len > 0 || fin)
        {
            emit(tcb, tcb.sndUna, flags, len, nowNs);
        }
        tcb.rttTiming = false;
        tcb.retransmitDeadline = nowNs + tcb.rtt.rto();
        tcb.rescheduleTimer();
    }

    /**
     * The retransmission timer fired (RFC 6298 5.4-5.7, RFC 5681 3.1).
     */
    static void retransmitTimeout(final Tcb tcb, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        tcb.retransmitDeadline = Tcb.NONE;
        tcb.retransmits++;
        layer.counters.timeouts.incrementOrdered();
        if (tcb.state == TcpState.SYN_SENT || tcb.state == TcpState.SYN_RECEIVED)
        {
            if (tcb.retransmits > layer.config.maxSynRetransmissions())
            {
                // An active open reports the failure; a half-open passive one just disappears.
                layer.release(tcb, TcpHandler.TIMED_OUT, tcb.listener == null);
                return;
            }
            tcb.rtt.backoff();
            tcb.rttTiming = false;
            retransmitSyn(tcb, nowNs);
            return;
        }
        if (tcb.inFlight() == 0)
        {
            return;
        }
        if (tcb.retransmits > layer.config.maxRetransmissions())
        {
            layer.sendReset(tcb, tcb.sndNxt);
            layer.release(tcb, TcpHandler.TIMED_OUT, true);
            return;
        }
        tcb.cc.onTimeout(tcb.inFlight());
        tcb.recover = tcb.sndMax;
        tcb.dupAcks = 0;
        tcb.rtt.backoff();
        tcb.rttTiming = false;
        layer.counters.retransmits.incrementOrdered();
        // Go back to SND.UNA and resend as the window (now one segment) allows (RFC 5681 3.1, RFC 6298 5.4).
        tcb.sndNxt = tcb.sndUna;
        output(tcb, nowNs);
        if (tcb.retransmitDeadline == Tcb.NONE)
        {
            tcb.retransmitDeadline = nowNs + tcb.rtt.rto();
        }
        tcb.rescheduleTimer();
    }

    /**
     * The persist timer fired: probe the zero window with a segment just below SND.UNA, which the peer must
     * answer with an ACK carrying its window (what Linux does).
     */
    static void persistTimeout(final Tcb tcb, final long nowNs)
    {
        tcb.layer.counters.windowProbes.incrementOrdered();
        emit(tcb, tcb.sndUna - 1, TcpFlags.ACK, 0, nowNs);
        tcb.rtt.backoff();
        tcb.persistDeadline = nowNs + tcb.rtt.rto();
        tcb.rescheduleTimer();
    }

    /**
     * After the application read: tell the peer about a window that opened by a useful amount (receiver-side
     * silly-window avoidance, RFC 9293 3.8.6.2.2).
     */
    static void windowUpdateIfWorthIt(final Tcb tcb, final long nowNs)
    {
        final int rcvNxt = tcb.rcvNxt();
        final int opened = rcvNxt + tcb.rcvWnd() - tcb.rcvAdv;
        if (opened >= Math.min(tcb.receiveBuffer.capacity() / 2, tcb.rcvMss))
        {
            sendAck(tcb, nowNs);
        }
    }

    /**
     * Takes the peer's SYN options (RFC 9293 3.7.1 MSS, RFC 7323 window scale and timestamps).
     */
    static void applySynOptions(final Tcb tcb, final Segment seg)
    {
        final int peerMss = seg.options.mss() > 0 ? seg.options.mss() : DEFAULT_MSS;
        tcb.windowScaling = tcb.windowScaling && seg.options.windowScale() >= 0;
        if (tcb.windowScaling)
        {
            tcb.sndWndShift = Math.min(seg.options.windowScale(), MAX_WINDOW_SHIFT);
        }
        else
        {
            tcb.sndWndShift = 0;
            tcb.rcvWndShift = 0;
        }
        tcb.timestamps = tcb.timestamps && seg.options.hasTimestamps();
        if (tcb.timestamps)
        {
            tcb.tsRecent = seg.options.tsVal();
        }
        tcb.sendMss = Math.max(64, Math.min(peerMss, tcb.rcvMss) - (tcb.timestamps ? TIMESTAMPS_LENGTH : 0));
        tcb.sndWnd = seg.window;
        tcb.maxSndWnd = seg.window;
    }

    /**
     * @return the window field to send: never moving the right edge left, never opening by a silly amount.
     */
    private static int windowField(final Tcb tcb, final boolean syn)
    {
        final int rcvNxt = tcb.rcvNxt();
        int window = tcb.rcvWnd();
        final int advertised = tcb.rcvAdv - rcvNxt;
        if (Seq.gt(tcb.rcvAdv, rcvNxt))
        {
            if (window < advertised)
            {
                // RFC 9293 3.8.6: do not shrink the window.
                window = advertised;
            }
            else if (window - advertised < Math.min(tcb.receiveBuffer.capacity() / 2, tcb.rcvMss))
            {
                // Receiver SWS avoidance: keep the old edge until the window can open by a useful amount.
                window = advertised;
            }
        }
        if (syn)
        {
            // The window in a SYN is never scaled (RFC 7323 2.2).
            window = Math.min(window, 65535);
            tcb.rcvAdv = Seq.max(tcb.rcvAdv, rcvNxt + window);
            return window;
        }
        final int field = Math.min(window >>> tcb.rcvWndShift, 65535);
        final int edge = rcvNxt + (field << tcb.rcvWndShift);
        if (Seq.gt(edge, tcb.rcvAdv))
        {
            tcb.rcvAdv = edge;
        }
        return field;
    }

    /**
     * Builds and sends one segment of this connection.
     *
     * @return false if no buffer was free (the segment is lost; timers recover).
     */
    private static boolean emit(final Tcb tcb, final int seq, final int flags, final int len, final long nowNs)
    {
        final TcpLayer layer = tcb.layer;
        final PacketBuffer buf = layer.pool.acquire();
        if (buf == null)
        {
            layer.counters.txDrops.incrementOrdered();
            return false;
        }
        final boolean syn = (flags & TcpFlags.SYN) != 0;
        final int at = buf.offset();
        if (len > 0)
        {
            tcb.sendBuffer.copy(seq, buf.buffer(), at, len);
        }
        buf.window(at, len);
        final int optionsLength = syn ? synOptionsLength(tcb) : tcb.timestamps ? TIMESTAMPS_LENGTH : 0;
        final int headerLength = TcpFlyweight.HEADER_LENGTH + optionsLength;
        final int tcpAt = buf.prepend(headerLength);
        final TcpFlyweight tcp = layer.txTcp;
        final int ackField = (flags & TcpFlags.ACK) != 0 ? tcb.rcvNxt() : 0;
        tcp.wrap(buf.buffer(), tcpAt, buf.length())
            .sourcePort(tcb.localPort)
            .destinationPort(tcb.remotePort)
            .sequenceNumber(seq)
            .acknowledgmentNumber(ackField)
            .dataOffset(headerLength)
            .flags(flags)
            .window(windowField(tcb, syn))
            .urgentPointer(0);
        writeOptions(tcb, buf, tcpAt + TcpFlyweight.HEADER_LENGTH, syn, nowNs);
        tcp.computeChecksum(tcb.localAddress, tcb.remoteAddress, buf.length());
        if ((flags & TcpFlags.ACK) != 0)
        {
            tcb.lastAckSent = ackField;
            tcb.ackNow = false;
            tcb.segmentsSinceAck = 0;
            if (tcb.delayedAckDeadline != Tcb.NONE)
            {
                tcb.delayedAckDeadline = Tcb.NONE;
                tcb.rescheduleTimer();
            }
        }
        layer.ipv4.prependHeader(buf, tcb.localAddress, tcb.remoteAddress, Ipv4Flyweight.PROTO_TCP, true);
        layer.counters.txSegments.incrementOrdered();
        layer.ipv4.send(buf);
        return true;
    }

    private static int synOptionsLength(final Tcb tcb)
    {
        // MSS (4), NOP + window scale (4), NOP NOP + timestamps (12): always a multiple of 4.
        return 4 + (tcb.windowScaling ? 4 : 0) + (tcb.timestamps ? TIMESTAMPS_LENGTH : 0);
    }

    private static void writeOptions(final Tcb tcb, final PacketBuffer buf, final int at, final boolean syn, final long nowNs)
    {
        final var b = buf.buffer();
        int i = at;
        if (syn)
        {
            b.putByte(i, (byte)2);
            b.putByte(i + 1, (byte)4);
            b.putShort(i + 2, (short)tcb.rcvMss, java.nio.ByteOrder.BIG_ENDIAN);
            i += 4;
            if (tcb.windowScaling)
            {
                b.putByte(i, (byte)1);
                b.putByte(i + 1, (byte)3);
                b.putByte(i + 2, (byte)3);
                b.putByte(i + 3, (byte)tcb.rcvWndShift);
                i += 4;
            }
        }
        if (tcb.timestamps)
        {
            b.putByte(i, (byte)1);
            b.putByte(i + 1, (byte)1);
            b.putByte(i + 2, (byte)8);
            b.putByte(i + 3, (byte)10);
            b.putInt(i + 4, tcb.layer.tsClock(nowNs), java.nio.ByteOrder.BIG_ENDIAN);
            b.putInt(i + 8, syn && tcb.state == TcpState.SYN_SENT ? 0 : tcb.tsRecent, java.nio.ByteOrder.BIG_ENDIAN);
        }
    }
}
