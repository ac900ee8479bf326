package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flowstack.ip.wire.TcpFlyweight.ACK;
import static io.flowstack.ip.wire.TcpFlyweight.FIN;
import static io.flowstack.ip.wire.TcpFlyweight.PSH;
import static io.flowstack.ip.wire.TcpFlyweight.RST;
import static io.flowstack.ip.wire.TcpFlyweight.SYN;
import static io.flowstack.tcp.tcb.TcpScript.IRS;
import static io.flowstack.tcp.tcb.TcpScript.ISS;
import static io.flowstack.tcp.tcb.TcpScript.PEER_IP;
import static io.flowstack.test.TcpScript.Seg.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packet scripts for RFC 9293's state diagram and rules: a segment in, exactly the expected segments out (every
 * field compared), with a fixed ISN ({@link TcpScript#ISS}, the peer's {@link TcpScript#IRS}) and virtual time.
 */
class TcbScriptTest
{
    private final TcpScript t = new TcpScript();
    private final Recorder app = new Recorder();

    static byte[] bytes(final int n)
    {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++)
        {
            b[i] = (byte)(i * 31 + 7);
        }
        return b;
    }

    /** LISTEN -> SYN-RECEIVED -> ESTABLISHED, without timestamps or window scaling (the peer offers neither). */
    private void established()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recvNothing();
        assertEquals(List.of("connected"), app.take());
        assertEquals(TcpState.ESTABLISHED, app.tcb().state);
    }

    private int write(final byte[] data)
    {
        return app.conn.write(new UnsafeBuffer(data), 0, data.length);
    }

    // ---- opening -------------------------------------------------------------------------------------------

    @Test
    void shouldCompletePassiveOpenWithOptions()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(SYN).seq(IRS).mss(1400).ws(7).ts(100, 0));
        // 64 KiB of buffer needs a shift of 1 (RFC 7323 2.3); the window of a SYN is never scaled.
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460).ws(1).ts(t.tsNow(), 100));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).ts(101, 1));
        t.recvNothing();
        assertEquals(List.of("connected"), app.take());
        assertEquals(1400 - 12, app.tcb().snd.mss, "MSS clamped to the peer's, less the timestamps option");
        assertEquals(7, app.tcb().snd.wndShift);
    }

    @Test
    void shouldCompleteActiveOpen()
    {
        app.conn = t.tcp.connect(PEER_IP, 7, app);
        final TcpScript.Sent syn = t.recv(seg(SYN).seq(ISS).mss(1460).ws(1).sackPermitted().ts(t.tsNow(), 0).anyPorts());
        assertEquals(TcpState.SYN_SENT, app.conn.state());
        final int port = syn.tcp().sourcePort();
        assertTrue(port >= ActiveOpen.EPHEMERAL_MIN && port <= ActiveOpen.EPHEMERAL_MAX);
        t.send(seg(SYN | ACK).ports(7, port).seq(IRS).ack(ISS + 1).mss(1460));
        t.recv(seg(ACK).ports(7, port).seq(ISS + 1).ack(IRS + 1));
        assertEquals(List.of("connected"), app.take());
        assertEquals(TcpState.ESTABLISHED, app.conn.state());
    }

    @Test
    void shouldResetAnUnacceptableAckInSynSentAndCountTheDropWithItsReason()
    {
        // Found by the fuzzer: this drop was in rx.drops without a reason, so the reasons did not add up.
        app.conn = t.tcp.connect(PEER_IP, 7, app);
        final int port = t.sent().get(0).tcp().sourcePort();
        final long drops = t.counter("rx.drops");
        t.send(seg(SYN | ACK).ports(7, port).seq(IRS).ack(ISS + 1000));
        t.recv(seg(RST).ports(7, port).seq(ISS + 1000).window(0));
        assertEquals(1, t.counter("tcp.rx.bad_ack"));
        assertEquals(drops + 1, t.counter("rx.drops"));
        assertEquals(TcpState.SYN_SENT, app.conn.state(), "RFC 9293 3.10.7.3: reset sent, segment dropped");
    }

    @Test
    void shouldReportRefusedConnection()
    {
        app.conn = t.tcp.connect(PEER_IP, 7, app);
        final int port = t.sent().get(0).tcp().sourcePort();
        t.send(seg(RST | ACK).ports(7, port).seq(0).ack(ISS + 1));
        t.recvNothing();
        assertEquals(List.of("closed connection refused"), app.take());
        assertEquals(0, t.tcp.connectionCount());
    }

    @Test
    void shouldOpenSimultaneously()
    {
        app.conn = t.tcp.connect(PEER_IP, 7, app);
        final int port = t.sent().get(0).tcp().sourcePort();
        // The peer's SYN crosses ours (RFC 9293 figure 7); it offers no options, so ours fall away.
        t.send(seg(SYN).ports(7, port).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).ports(7, port).seq(ISS).ack(IRS + 1).mss(1460));
        assertEquals(TcpState.SYN_RECEIVED, app.conn.state());
        // Its SYN,ACK repeats the SYN we already took: unacceptable (RFC 9293 3.10.7.4), answered with an ACK,
        // which completes the peer's side; the peer's own ACK completes ours.
        t.send(seg(SYN | ACK).ports(7, port).seq(IRS).ack(ISS + 1).mss(1460));
        t.recv(seg(ACK).ports(7, port).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.SYN_RECEIVED, app.conn.state());
        t.send(seg(ACK).ports(7, port).seq(IRS + 1).ack(ISS + 1));
        assertEquals(List.of("connected"), app.take());
        assertEquals(TcpState.ESTABLISHED, app.conn.state());
    }

    @Test
    void shouldGiveUpConnectingAfterSynRetransmissions()
    {
        app.conn = t.tcp.connect(PEER_IP, 7, app);
        t.recv(seg(SYN).seq(ISS).mss(1460).ws(1).sackPermitted().ts(t.tsNow(), 0).anyPorts());
        long wait = 1000;
        for (int i = 0; i < TcpConfig.DEFAULT.maxSynRetransmissions(); i++)
        {
            t.advance(wait - 1);
            t.recvNothing();
            t.advance(1);
            t.recv(seg(SYN).seq(ISS).mss(1460).ws(1).sackPermitted().ts(t.tsNow(), 0).anyPorts());
            wait *= 2;
        }
        t.advance(wait);
        t.recvNothing();
        assertEquals(List.of("closed timed out"), app.take());
    }

    @Test
    void shouldRetransmitSynAckAndExpireHalfOpenConnection()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        t.advance(999);
        t.recvNothing();
        t.advance(1);
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        t.advance(1999);
        t.recvNothing();
        t.advance(1);
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        // A repeated SYN from the peer draws the SYN,ACK again.
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        assertEquals(1, t.tcp.connectionCount());
        t.advance(31_000);
        t.sent();
        assertEquals(0, t.tcp.connectionCount(), "SYN-RECEIVED entries expire");
        assertEquals(List.of(), app.take(), "the application never saw it");
    }

    @Test
    void shouldResetAckToListeningPortAndIgnoreRst()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(ACK).seq(IRS).ack(777));
        t.recv(seg(RST).seq(777).window(0));
        t.send(seg(RST).seq(IRS));
        t.recvNothing();
    }

    @Test
    void shouldResetSegmentsToClosedPort()
    {
        t.send(seg(SYN).seq(IRS));
        t.recv(seg(RST | ACK).seq(0).ack(IRS + 1).window(0));
        t.send(seg(ACK).seq(IRS).ack(4242));
        t.recv(seg(RST).seq(4242).window(0));
        t.send(seg(RST | ACK).seq(IRS).ack(4242));
        t.recvNothing();
        assertEquals(3, t.counter("tcp.rx.no_connection"));
    }

    // ---- data ---------------------------------------------------------------------------------------------

    @Test
    void shouldDelayTheAckOfASingleSegmentAtMost40MillisecondsOnceQuickAcksAreSpent()
    {
        established();
        app.autoRead();
        int seq = IRS + 1;
        for (int i = 0; i < AckPolicy.MAX_QUICK_ACKS; i++)
        {
            t.send(seg(ACK).seq(seq).ack(ISS + 1).payload(bytes(100)));
            seq += 100;
            t.recv(seg(ACK).seq(ISS + 1).ack(seq).anyWindow());
        }
        t.send(seg(ACK).seq(seq).ack(ISS + 1).payload(bytes(100)));
        t.recvNothing();
        t.advance(39);
        t.recvNothing();
        t.advance(2);
        t.recv(seg(ACK).seq(ISS + 1).ack(seq + 100).anyWindow());
    }

    @Test
    void shouldAckOutOfOrderDataAtOnceAndDeliverWhenTheHoleFills()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1 + 100).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(List.of(), app.take());
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(100)));
        // 200 bytes unread: the window could open by 1 byte only, so its edge stays (receiver SWS avoidance).
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 201).window(65535 - 200));
        assertEquals(List.of("data 200"), app.take());
    }

    @Test
    void shouldSendDataAndHoldASmallSecondWriteUnderNagle()
    {
        established();
        assertEquals(10, write(bytes(10)));
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).payload(bytes(10)));
        assertEquals(10, write(bytes(10)));
        t.recvNothing();
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 11));
        t.recv(seg(ACK | PSH).seq(ISS + 11).ack(IRS + 1).payload(bytes(10)));
    }

    @Test
    void shouldSendSmallWritesAtOnceWithNoDelay()
    {
        established();
        app.conn.noDelay(true);
        write(bytes(10));
        write(bytes(10));
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(10), seg(ACK | PSH).seq(ISS + 11).ack(IRS + 1).len(10));
    }

    @Test
    void shouldCoalesceWritesMadeInOneCallbackIntoOneSegment()
    {
        established();
        app.conn.noDelay(true);
        // Two writes in one unit of work (as in one callback) go out when the unit ends: one segment.
        t.tcp.units.enter();
        write(bytes(10));
        write(bytes(10));
        t.tcp.units.exit();
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(20));
    }

    @Test
    void shouldRetransmitWithExponentialBackoffThenFail()
    {
        established();
        write(bytes(100));
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(100));
        // The handshake measured an RTT of 0: RFC 6298 gives RTO = max(min RTO, SRTT + 4 RTTVAR) = 200 ms.
        long rto = app.tcb().snd.rtt.rto() / 1_000_000L;
        assertEquals(200, rto);
        for (int i = 0; i < TcpConfig.DEFAULT.maxRetransmissions(); i++)
        {
            t.advance(rto - 1);
            t.recvNothing();
            t.advance(1);
            t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(100));
            // RFC 6298 5.5: back off the timer, up to the maximum.
            rto = Math.min(rto * 2, TcpConfig.DEFAULT.maxRtoNs() / 1_000_000L);
        }
        t.advance(rto);
        t.recv(seg(RST).seq(ISS + 101).window(0));
        assertEquals(List.of("closed timed out"), app.take());
    }

    @Test
    void shouldTakeRttSamplesAndResetBackoffOnNewAck()
    {
        established();
        write(bytes(100));
        t.sent();
        t.advance(200);
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(100));
        assertEquals(400_000_000L, app.tcb().snd.rtt.rto(), "backed off");
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 101));
        assertEquals(200_000_000L, app.tcb().snd.rtt.rto(), "Karn: no sample from the retransmitted segment; backoff reset");
        assertEquals(0L, app.tcb().snd.rtt.srtt(), "the handshake's sample stays");
        write(bytes(100));
        t.sent();
        t.advance(50);
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 201));
        // RFC 6298 2.3 with R = 50 ms after SRTT 0, RTTVAR 0: SRTT 6.25 ms, RTTVAR 12.5 ms; RTO = SRTT + max(4 *
        // RTTVAR, 200 ms), the minimum bounding the variance term as in Linux.
        assertEquals(6_250_000L, app.tcb().snd.rtt.srtt());
        assertEquals(206_250_000L, app.tcb().snd.rtt.rto());
    }

    @Test
    void shouldProbeAZeroWindowAndResumeWhenItOpens()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).window(0));
        write(bytes(100));
        t.recvNothing();
        t.advance(app.tcb().snd.rtt.rto() / 1_000_000L);
        t.recv(seg(ACK).seq(ISS).ack(IRS + 1));
        assertEquals(1, t.counter("tcp.tx.window_probes"));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).window(1000));
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(100));
    }

    @Test
    void shouldReportWritableAfterTheWindowUpdateOfTheSameAck()
    {
        final TcpScript small = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 12), ISS);
        final Recorder r = new Recorder();
        final Tcb tcb = small.connection(TcpState.ESTABLISHED, false, r);
        tcb.noDelay(true);
        assertEquals(4096, tcb.write(new UnsafeBuffer(bytes(5000)), 0, 5000));
        small.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).window(4096).len(1460),
            seg(ACK).seq(ISS + 1461).ack(IRS + 1).window(4096).len(1460),
            seg(ACK | PSH).seq(ISS + 2921).ack(IRS + 1).window(4096).len(1176));
        // The callback sees the state after the whole ACK: the peer's new window is already taken.
        final int[] seenWindow = {-1};
        final Recorder writer = new Recorder()
        {
            @Override
            public void onWritable(final io.flowstack.tcp.api.TcpConnection c)
            {
                seenWindow[0] = ((Tcb)c).snd.wnd;
                super.onWritable(c);
            }
        };
        tcb.handler = writer;
        small.send(seg(ACK).seq(IRS + 1).ack(ISS + 1461).window(3000));
        assertEquals(List.of("writable"), writer.take());
        assertEquals(3000, seenWindow[0]);
    }

    // ---- closing --------------------------------------------------------------------------------------------

    @Test
    void shouldKeepUnreadDataReadableAfterBothSidesClosed()
    {
        established();
        app.conn.shutdownOutput();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 2));
        // Data and FIN arrive; the application has not read yet when the connection reaches TIME-WAIT.
        t.send(seg(ACK | PSH).seq(IRS + 1).ack(ISS + 2).len(300));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 301).window(65235));
        t.send(seg(FIN | ACK).seq(IRS + 301).ack(ISS + 2));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 302).window(65234));
        assertEquals(TcpState.TIME_WAIT, app.tcb().state);
        assertEquals(List.of("data 300", "peer closed"), app.take(), "closed only once the data is read");
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[300]);
        assertEquals(200, app.conn.read(dst, 0, 200));
        assertEquals(List.of(), app.take());
        assertEquals(100, app.conn.read(dst, 0, 300));
        assertEquals(List.of("closed closed"), app.take());
    }

    @Test
    void shouldCloseActivelyThroughFinWait1FinWait2AndTimeWait()
    {
        established();
        app.conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.FIN_WAIT_1, app.tcb().state);
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 2));
        assertEquals(TcpState.FIN_WAIT_2, app.tcb().state);
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        // The FIN took a sequence number and the right edge stays (RFC 9293 3.8.6): the window is one less.
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2).window(65534));
        assertEquals(TcpState.TIME_WAIT, app.tcb().state);
        assertEquals(List.of("peer closed", "closed closed"), app.take());
        t.advance(59_999);
        assertEquals(1, t.tcp.connectionCount());
        t.advance(2);
        assertEquals(0, t.tcp.connectionCount(), "TIME-WAIT lasts 2 MSL");
        assertEquals(List.of(), app.take(), "the application heard once");
    }

    @Test
    void shouldGiveUpFinWait2AfterCloseFollowsAShutdown()
    {
        // shutdownOutput, our FIN acknowledged, then close(): a closed socket waits for the peer's FIN no longer than
        // Linux's tcp_fin_timeout (here 2 MSL, 60 s), as when close() came first.
        established();
        app.conn.shutdownOutput();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 2));
        assertEquals(TcpState.FIN_WAIT_2, app.tcb().state);
        t.advance(120_000);
        assertEquals(1, t.tcp.connectionCount(), "half-closed, not closed: the peer may still send");
        app.conn.close();
        t.advance(59_999);
        assertEquals(1, t.tcp.connectionCount());
        t.advance(2);
        assertEquals(0, t.tcp.connectionCount(), "FIN-WAIT-2 of a closed socket ends");
    }

    @Test
    void shouldClosePassivelyThroughCloseWaitAndLastAck()
    {
        established();
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 2).window(65534));
        assertEquals(TcpState.CLOSE_WAIT, app.tcb().state);
        assertEquals(List.of("peer closed"), app.take());
        assertEquals(-1, app.conn.read(app.rx, 0, 10), "end of stream");
        app.conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 2).window(65534));
        assertEquals(TcpState.LAST_ACK, app.tcb().state);
        t.send(seg(ACK).seq(IRS + 2).ack(ISS + 2));
        assertEquals(TcpState.CLOSED, app.tcb().state);
        assertEquals(0, t.tcp.connectionCount());
        assertEquals(List.of("closed closed"), app.take());
    }

    @Test
    void shouldCloseSimultaneouslyThroughClosing()
    {
        established();
        app.conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2).window(65534));
        assertEquals(TcpState.CLOSING, app.tcb().state);
        t.send(seg(ACK).seq(IRS + 2).ack(ISS + 2));
        assertEquals(TcpState.TIME_WAIT, app.tcb().state);
    }

    @Test
    void shouldKeepReceivingAfterHalfClose()
    {
        established();
        app.conn.shutdownOutput();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 2).payload(bytes(50)));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 51).window(65535 - 50));
        assertEquals(List.of("data 50"), app.take());
        assertEquals(-1, app.conn.write(new UnsafeBuffer(bytes(1)), 0, 1), "no writing after shutdown");
    }

    @Test
    void shouldRetransmitFinWhenItIsLost()
    {
        established();
        app.conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.advance(app.tcb().snd.rtt.rto() / 1_000_000L);
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.FIN_WAIT_1, app.tcb().state);
    }

    @Test
    void shouldResetWhenDataArrivesForAClosedSocket()
    {
        established();
        app.conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 2).payload(bytes(10)));
        t.recv(seg(RST).seq(ISS + 2).window(0));
        assertEquals(List.of("closed aborted"), app.take());
    }

    // ---- resets and bad segments (RFC 9293 3.10.7.4, RFC 5961) ------------------------------------------

    @Test
    void shouldResetOnExactRstAndChallengeAnInWindowOne()
    {
        established();
        t.send(seg(RST).seq(IRS + 5));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.ESTABLISHED, app.tcb().state, "an inexact RST does not reset");
        t.send(seg(RST).seq(IRS + 1));
        t.recvNothing();
        assertEquals(List.of("closed connection reset"), app.take());
    }

    @Test
    void shouldChallengeSynInEstablished()
    {
        established();
        t.send(seg(SYN).seq(IRS + 1000));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.ESTABLISHED, app.tcb().state);
    }

    @Test
    void rfc5961_7_challengeAcksAreLimitedPerCore()
    {
        established();
        // A blind attacker's in-window guesses at the same instant: the core's thousand a second, then silence.
        for (int i = 0; i < TcpLayer.CHALLENGE_ACKS_PER_SECOND + 5; i++)
        {
            t.send(seg(SYN).seq(IRS + 1000 + i));
        }
        assertEquals(TcpLayer.CHALLENGE_ACKS_PER_SECOND, t.sent().size());
        assertEquals(TcpLayer.CHALLENGE_ACKS_PER_SECOND, t.counter("tcp.tx.challenge_acks"));
        assertEquals(5, t.counter("tcp.tx.challenge_acks_limited"));
        // The budget refills with time: a millisecond buys one more.
        t.advance(1);
        t.send(seg(RST).seq(IRS + 5));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.ESTABLISHED, app.tcb().state);
    }

    @Test
    void resetsToClosedPortsAreLimitedPerCore()
    {
        for (int i = 0; i < Resets.BURST + 3; i++)
        {
            t.send(seg(SYN).ports(40000 + i, 81).seq(IRS));
        }
        assertEquals(Resets.BURST, t.sent().size(), "a burst of resets, then none");
        assertEquals(3, t.counter("tcp.tx.resets_limited"));
        t.advance(1);
        t.send(seg(SYN).ports(39999, 81).seq(IRS));
        t.recv(seg(RST | ACK).ports(39999, 81).seq(0).ack(IRS + 1).window(0));
    }

    @Test
    void shouldAckOutOfWindowSegmentsAndCarryOn()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1 + (1 << 20)).ack(ISS + 1).payload(bytes(10)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(1, t.counter("tcp.rx.out_of_window"));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(10)));
        assertEquals(List.of("data 10"), app.take());
    }

    @Test
    void shouldAckAnAckOfUnsentDataAndDropIt()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 5000).payload(bytes(10)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(List.of(), app.take(), "its data is dropped too");
    }

    @Test
    void shouldDropBadChecksumAndBadOptionsAndCarryOn()
    {
        established();
        final long drops = t.counter("rx.drops");
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(10)).badChecksum());
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).rawOptions(new byte[]{2, 3, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
        // A FIN without ACK in a synchronized state: dropped by the fifth check (RFC 9293 3.10.7.4).
        t.send(seg(FIN).seq(IRS + 1));
        t.recvNothing();
        assertEquals(1, t.counter("tcp.rx.bad_checksum"));
        assertEquals(1, t.counter("tcp.rx.bad_options"));
        assertEquals(1, t.counter("tcp.rx.bad_flags"));
        assertEquals(drops + 3, t.counter("rx.drops"));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(10)));
        assertEquals(List.of("data 10"), app.take(), "the connection carries on");
    }

    @Test
    void shouldAbortWithRst()
    {
        established();
        app.conn.abort();
        t.recv(seg(RST).seq(ISS + 1).window(0));
        assertEquals(List.of("closed aborted"), app.take());
        assertEquals(0, t.tcp.connectionCount());
    }

    @Test
    void shouldFastRetransmitOnThirdDuplicateAck()
    {
        established();
        app.conn.noDelay(true);
        write(bytes(1460 * 4));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).len(1460), seg(ACK).seq(ISS + 1461).ack(IRS + 1).len(1460),
            seg(ACK).seq(ISS + 2921).ack(IRS + 1).len(1460), seg(ACK | PSH).seq(ISS + 4381).ack(IRS + 1).len(1460));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recvNothing();
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).len(1460));
        assertEquals(1, t.counter("tcp.fast_retransmits"));
        assertEquals(1, t.counter("tcp.retransmits"));
    }

    @Test
    void rfc3042_theFirstTwoDuplicateAcksEachSendANewSegment()
    {
        established();
        app.conn.noDelay(true);
        write(bytes(1460 * 12));
        // The initial window (RFC 6928) takes ten; two wait for the window.
        assertEquals(10, t.sent().size());
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(ACK).seq(ISS + 1 + 10 * 1460).ack(IRS + 1).len(1460));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(ACK | PSH).seq(ISS + 1 + 11 * 1460).ack(IRS + 1).len(1460));
        assertEquals(10 * 1460, app.tcb().snd.cc.cwnd(), "limited transmit leaves the window alone");
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).len(1460));
        assertEquals(1, t.counter("tcp.fast_retransmits"));
    }

    @Test
    void shouldRetransmitTheNextHoleAtOnceOnAPartialAck()
    {
        established();
        app.conn.noDelay(true);
        write(bytes(1460 * 6));
        t.sent();
        for (int i = 0; i < 3; i++)
        {
            t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        }
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).len(1460));
        // RFC 6582 3.2 step 4: the retransmission filled the first hole only; the next one goes at once.
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1 + 2920));
        t.recv(seg(ACK).seq(ISS + 1 + 2920).ack(IRS + 1).len(1460));
        assertEquals(2, t.counter("tcp.retransmits"));
        // The ACK of everything sent before the loss ends recovery: the window is ssthresh (RFC 6582 3.2 step 3).
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1 + 6 * 1460));
        t.recvNothing();
        assertEquals(app.tcb().snd.cc.ssthresh(), app.tcb().snd.cc.cwnd());
    }

    @Test
    void rfc6582_4_onlyTheFirstPartialAckRestartsTheRetransmissionTimer()
    {
        established();
        app.conn.noDelay(true);
        write(bytes(1460 * 6));
        t.sent();
        for (int i = 0; i < 3; i++)
        {
            t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        }
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).len(1460));
        t.advance(10);
        // The first partial ACK: the next hole goes and the timer restarts from now.
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1 + 1460));
        t.recv(seg(ACK).seq(ISS + 1 + 1460).ack(IRS + 1).len(1460));
        final long rto = app.tcb().snd.rtt.rto() / 1_000_000L;
        t.advance(10);
        // The second does not restart it (the Impatient variant): segments 3 to 6 were all lost, and the timer
        // going off sooner beats one round trip per hole.
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1 + 2 * 1460));
        t.recv(seg(ACK).seq(ISS + 1 + 2 * 1460).ack(IRS + 1).len(1460));
        assertEquals(rto, app.tcb().snd.rtt.rto() / 1_000_000L);
        t.advance(rto - 11);
        t.recvNothing();
        t.advance(1);
        t.recv(seg(ACK).seq(ISS + 1 + 2 * 1460).ack(IRS + 1).len(1460));
        assertEquals(1, t.counter("tcp.timeouts"));
    }

    @Test
    void shouldGoFromFinWait1StraightToTimeWaitWhenFinAndAckArriveTogether()
    {
        established();
        app.conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2).window(65534));
        assertEquals(TcpState.TIME_WAIT, app.tcb().state);
    }

    @Test
    void shouldSendFinOnceEstablishedWhenClosedAsItIsAccepted()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c ->
        {
            // The application closes as soon as it gets the connection: FIN right after the handshake.
            c.close();
            return app;
        });
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
    }

    @Test
    void shouldDropAHalfOpenConnectionOnRstInSynReceivedAndKeepListening()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        t.send(seg(RST).seq(IRS + 1));
        assertEquals(0, t.tcp.connectionCount(), "RFC 9293: back to LISTEN (the listener stays, the TCB goes)");
        t.send(seg(SYN).seq(IRS + 100).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 101).mss(1460));
        assertEquals(List.of(), app.take());
    }

    @Test
    void shouldCrossTheSequenceWrapWithoutLosingData()
    {
        final TcpScript w = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 16), -100);
        w.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        final int irs = 0x7FFF_FFF0;
        w.send(seg(SYN).seq(irs).mss(1460));
        w.recv(seg(SYN | ACK).seq(-100).ack(irs + 1).mss(1460));
        w.send(seg(ACK).seq(irs + 1).ack(-99));
        app.conn.noDelay(true);
        for (int i = 0; i < 4; i++)
        {
            // Peer data across 2^31, our data across 2^32; our answer carries the ACK.
            w.send(seg(ACK).seq(irs + 1 + i * 50).ack(-99 + i * 50).payload(bytes(50)));
            w.recv(seg(ACK).seq(-99 + i * 50).ack(irs + 1 + (i + 1) * 50).window(65535 - (i + 1) * 50));
            app.conn.write(new UnsafeBuffer(bytes(50)), 0, 50);
            w.recv(seg(ACK | PSH).seq(-99 + i * 50).ack(irs + 1 + (i + 1) * 50).window(65535 - (i + 1) * 50)
                .payload(bytes(50)));
        }
        assertEquals(200, app.conn.readable());
        w.send(seg(ACK).seq(irs + 201).ack(-99 + 200));
        assertEquals(-99 + 200, app.tcb().snd.una);
        assertEquals(0, app.tcb().snd.inFlight());
    }
}
