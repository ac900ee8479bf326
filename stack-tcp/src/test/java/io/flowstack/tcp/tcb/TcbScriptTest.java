package io.flowstack.tcp.tcb;

import io.flowstack.tcp.TcpConfig;
import io.flowstack.tcp.TcpConnection;
import io.flowstack.tcp.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.flowstack.ip.wire.TcpFlyweight.ACK;
import static io.flowstack.ip.wire.TcpFlyweight.FIN;
import static io.flowstack.ip.wire.TcpFlyweight.RST;
import static io.flowstack.ip.wire.TcpFlyweight.SYN;
import static io.flowstack.tcp.tcb.TcpScript.ISS;
import static io.flowstack.tcp.tcb.TcpScript.PEER_IP;
import static io.flowstack.tcp.tcb.TcpScript.REMOTE_PORT;
import static io.flowstack.tcp.tcb.TcpScript.Seg.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packet scripts for RFC 9293's state diagram and rules: a segment in, exactly the expected segments out, with a
 * fixed ISN ({@link TcpScript#ISS}) and virtual time. The peer's ISN is {@code IRS}.
 */
class TcbScriptTest
{
    private static final int IRS = 5000;

    private final TcpScript t = new TcpScript();
    private final List<String> events = new ArrayList<>();
    private TcpConnection conn;
    private final UnsafeBuffer rx = new UnsafeBuffer(new byte[1 << 17]);

    private final TcpHandler recorder = new TcpHandler()
    {
        @Override
        public void onConnected(final TcpConnection c)
        {
            conn = c;
            events.add("connected");
        }

        @Override
        public void onData(final TcpConnection c)
        {
            events.add("data " + c.readable());
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            events.add("peer closed");
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason)
        {
            events.add("closed " + TcpHandler.reasonName(reason));
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            events.add("writable");
        }
    };

    private Tcb tcb()
    {
        return (Tcb)conn;
    }

    private static byte[] bytes(final int n)
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
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> recorder);
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recvNothing();
        assertEquals(List.of("connected"), events);
        events.clear();
        assertEquals(TcpState.ESTABLISHED, tcb().tcpState());
    }

    private int write(final byte[] data)
    {
        return conn.write(new UnsafeBuffer(data), 0, data.length);
    }

    // ---- opening -------------------------------------------------------------------------------------------

    @Test
    void shouldCompletePassiveOpenWithOptions()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> recorder);
        t.send(seg(SYN).seq(IRS).mss(1400).ws(7).ts(100, 0));
        final TcpScript.Sent synAck = t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        assertTrue(synAck.tcp().windowScale() >= 0, "window scale offered back");
        assertTrue(synAck.tcp().timestamps(), "timestamps echoed");
        assertEquals(100, synAck.tcp().tsEcr());
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).ts(101, synAck.tcp().tsVal()));
        assertEquals(List.of("connected"), events);
        assertEquals(1400 - 12, tcb().sendMss, "MSS clamped to the peer's, less the timestamps option");
    }

    @Test
    void shouldCompleteActiveOpen()
    {
        conn = t.tcp.connect(PEER_IP, 7, recorder);
        final TcpScript.Sent syn = t.recv(seg(SYN).seq(ISS).mss(1460));
        assertEquals("SYN-SENT", conn.state());
        final int port = syn.tcp().sourcePort();
        assertTrue(port >= TcpLayer.EPHEMERAL_MIN && port <= TcpLayer.EPHEMERAL_MAX);
        t.send(seg(SYN | ACK).ports(7, port).seq(IRS).ack(ISS + 1).mss(1460));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(List.of("connected"), events);
        assertEquals("ESTABLISHED", conn.state());
    }

    @Test
    void shouldReportRefusedConnection()
    {
        conn = t.tcp.connect(PEER_IP, 7, recorder);
        final int port = t.sent().get(0).tcp().sourcePort();
        t.send(seg(RST | ACK).ports(7, port).seq(0).ack(ISS + 1));
        t.recvNothing();
        assertEquals(List.of("closed connection refused"), events);
        assertEquals(0, t.tcp.connectionCount());
    }

    @Test
    void shouldOpenSimultaneously()
    {
        conn = t.tcp.connect(PEER_IP, 7, recorder);
        final int port = t.sent().get(0).tcp().sourcePort();
        // The peer's SYN crosses ours (RFC 9293 figure 7).
        t.send(seg(SYN).ports(7, port).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1));
        assertEquals("SYN-RECEIVED", conn.state());
        // Its SYN,ACK repeats the SYN we already took: unacceptable (RFC 9293 3.10.7.4), answered with an ACK,
        // which completes the peer's side; the peer's own ACK completes ours.
        t.send(seg(SYN | ACK).ports(7, port).seq(IRS).ack(ISS + 1).mss(1460));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals("SYN-RECEIVED", conn.state());
        t.send(seg(ACK).ports(7, port).seq(IRS + 1).ack(ISS + 1));
        assertEquals(List.of("connected"), events);
        assertEquals("ESTABLISHED", conn.state());
    }

    @Test
    void shouldGiveUpConnectingAfterSynRetransmissions()
    {
        conn = t.tcp.connect(PEER_IP, 7, recorder);
        t.recv(seg(SYN).seq(ISS));
        long wait = 1000;
        for (int i = 0; i < TcpConfig.DEFAULT.maxSynRetransmissions(); i++)
        {
            t.advance(wait - 1);
            t.recvNothing();
            t.advance(1);
            t.recv(seg(SYN).seq(ISS));
            wait *= 2;
        }
        t.advance(wait);
        assertEquals(List.of("closed timed out"), events);
    }

    @Test
    void shouldRetransmitSynAckAndExpireHalfOpenConnection()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> recorder);
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1));
        t.advance(999);
        t.recvNothing();
        t.advance(1);
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1));
        t.advance(1999);
        t.recvNothing();
        t.advance(1);
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1));
        // A repeated SYN from the peer draws the SYN,ACK again.
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1));
        assertEquals(1, t.tcp.connectionCount());
        t.advance(31_000);
        t.sent();
        assertEquals(0, t.tcp.connectionCount(), "SYN-RECEIVED entries expire");
        assertEquals(List.of(), events, "the application never saw it");
    }

    @Test
    void shouldResetAckToListeningPortAndIgnoreRst()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> recorder);
        t.send(seg(ACK).seq(IRS).ack(777));
        t.recv(seg(RST).seq(777));
        t.send(seg(RST).seq(IRS));
        t.recvNothing();
    }

    @Test
    void shouldResetSegmentsToClosedPort()
    {
        t.send(seg(SYN).seq(IRS));
        t.recv(seg(RST | ACK).seq(0).ack(IRS + 1));
        t.send(seg(ACK).seq(IRS).ack(4242));
        t.recv(seg(RST).seq(4242));
        t.send(seg(RST | ACK).seq(IRS).ack(4242));
        t.recvNothing();
        assertTrue(t.counter("tcp.rx.no_connection") >= 3);
    }

    // ---- data ---------------------------------------------------------------------------------------------

    @Test
    void shouldDeliverDataAndAckEverySecondFullSegment()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(1460)));
        t.recvNothing();
        assertEquals(List.of("data 1460"), events);
        t.send(seg(ACK).seq(IRS + 1 + 1460).ack(ISS + 1).payload(bytes(1460)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1 + 2920));
    }

    @Test
    void shouldDelayAckOfASingleSegmentAtMost40Milliseconds()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(100)));
        t.recvNothing();
        t.advance(39);
        t.recvNothing();
        t.advance(2);
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 101));
    }

    @Test
    void shouldAckOutOfOrderDataAtOnceAndDeliverWhenTheHoleFills()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1 + 100).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(List.of(), events);
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 201));
        assertEquals(List.of("data 200"), events);
    }

    @Test
    void shouldSendDataAndHoldASmallSecondWriteUnderNagle()
    {
        established();
        assertEquals(10, write(bytes(10)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).len(10));
        assertEquals(10, write(bytes(10)));
        t.recvNothing();
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 11));
        t.recv(seg(ACK).seq(ISS + 11).len(10));
    }

    @Test
    void shouldSendSmallWritesAtOnceWithNoDelay()
    {
        established();
        conn.noDelay(true);
        write(bytes(10));
        write(bytes(10));
        t.recv(seg(ACK).seq(ISS + 1).len(10), seg(ACK).seq(ISS + 11).len(10));
    }

    @Test
    void shouldRetransmitWithExponentialBackoffThenFail()
    {
        established();
        write(bytes(100));
        t.recv(seg(ACK).seq(ISS + 1).len(100));
        // The handshake measured an RTT of 0: RFC 6298 gives RTO = max(min RTO, SRTT + 4 RTTVAR) = 200 ms.
        long rto = tcb().rto() / 1_000_000L;
        assertEquals(200, rto);
        for (int i = 0; i < TcpConfig.DEFAULT.maxRetransmissions(); i++)
        {
            t.advance(rto - 1);
            t.recvNothing();
            t.advance(1);
            t.recv(seg(ACK).seq(ISS + 1).len(100));
            // RFC 6298 5.5: back off the timer, up to the maximum.
            rto = Math.min(rto * 2, TcpConfig.DEFAULT.maxRtoNs() / 1_000_000L);
        }
        t.advance(rto);
        t.recv(seg(RST).seq(ISS + 101));
        assertEquals(List.of("closed timed out"), events);
    }

    @Test
    void shouldTakeRttSamplesAndResetBackoffOnNewAck()
    {
        established();
        write(bytes(100));
        t.sent();
        t.advance(200);
        t.recv(seg(ACK).seq(ISS + 1).len(100));
        assertEquals(400_000_000L, tcb().rto(), "backed off");
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 101));
        assertEquals(200_000_000L, tcb().rto(), "Karn: no sample from the retransmitted segment; backoff reset");
        write(bytes(100));
        t.sent();
        t.advance(50);
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 201));
        assertTrue(tcb().rto() >= 200_000_000L);
    }

    @Test
    void shouldProbeAZeroWindowAndResumeWhenItOpens()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).window(0));
        write(bytes(100));
        t.recvNothing();
        t.advance(tcb().rto() / 1_000_000L);
        t.recv(seg(ACK).seq(ISS).ack(IRS + 1));
        assertEquals(1, t.counter("tcp.tx.window_probes"));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).window(1000));
        t.recv(seg(ACK).seq(ISS + 1).len(100));
    }

    // ---- closing --------------------------------------------------------------------------------------------

    @Test
    void shouldCloseActivelyThroughFinWait1FinWait2AndTimeWait()
    {
        established();
        conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.FIN_WAIT_1, tcb().tcpState());
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 2));
        assertEquals(TcpState.FIN_WAIT_2, tcb().tcpState());
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2));
        assertEquals(TcpState.TIME_WAIT, tcb().tcpState());
        assertEquals(List.of("peer closed", "closed closed").size(), 2);
        // A retransmitted FIN is acknowledged again in TIME-WAIT.
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2));
        t.advance(59_999);
        assertEquals(1, t.tcp.connectionCount());
        t.advance(2);
        assertEquals(0, t.tcp.connectionCount(), "TIME-WAIT lasts 2 MSL");
    }

    @Test
    void shouldClosePassivelyThroughCloseWaitAndLastAck()
    {
        established();
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 2));
        assertEquals(TcpState.CLOSE_WAIT, tcb().tcpState());
        assertEquals(List.of("peer closed"), events);
        assertEquals(-1, conn.read(rx, 0, 10), "end of stream");
        conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 2));
        assertEquals(TcpState.LAST_ACK, tcb().tcpState());
        t.send(seg(ACK).seq(IRS + 2).ack(ISS + 2));
        assertEquals(TcpState.CLOSED, tcb().tcpState());
        assertEquals(0, t.tcp.connectionCount());
        assertEquals(List.of("peer closed", "closed closed"), events);
    }

    @Test
    void shouldCloseSimultaneouslyThroughClosing()
    {
        established();
        conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2));
        assertEquals(TcpState.CLOSING, tcb().tcpState());
        t.send(seg(ACK).seq(IRS + 2).ack(ISS + 2));
        assertEquals(TcpState.TIME_WAIT, tcb().tcpState());
    }

    @Test
    void shouldKeepReceivingAfterHalfClose()
    {
        established();
        conn.shutdownOutput();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 2).payload(bytes(50)));
        assertEquals(List.of("data 50"), events);
        assertEquals(-1, conn.write(new UnsafeBuffer(bytes(1)), 0, 1), "no writing after shutdown");
    }

    @Test
    void shouldRetransmitFinWhenItIsLost()
    {
        established();
        conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.advance(tcb().rto() / 1_000_000L + 1);
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.FIN_WAIT_1, tcb().tcpState());
    }

    // ---- resets and bad segments (RFC 9293 3.10.7.4, RFC 5961) ------------------------------------------

    @Test
    void shouldResetOnExactRstAndChallengeAnInWindowOne()
    {
        established();
        t.send(seg(RST).seq(IRS + 5));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.ESTABLISHED, tcb().tcpState(), "an inexact RST does not reset");
        t.send(seg(RST).seq(IRS + 1));
        t.recvNothing();
        assertEquals(List.of("closed connection reset"), events);
    }

    @Test
    void shouldChallengeSynInEstablished()
    {
        established();
        t.send(seg(SYN).seq(IRS + 1000));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(TcpState.ESTABLISHED, tcb().tcpState());
    }

    @Test
    void shouldAckOutOfWindowSegmentsAndCarryOn()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1 + (1 << 20)).ack(ISS + 1).payload(bytes(10)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(1, t.counter("tcp.rx.out_of_window"));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(10)));
        assertEquals(List.of("data 10"), events);
    }

    @Test
    void shouldAckAnAckOfUnsentDataAndDropIt()
    {
        established();
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 5000).payload(bytes(10)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertEquals(List.of(), events, "its data is dropped too");
    }

    @Test
    void shouldDropBadChecksumImpossibleFlagsAndBadOptionsAndCarryOn()
    {
        established();
        final long drops = t.counter("rx.drops");
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(10)).badChecksum());
        t.send(seg(SYN | FIN).seq(IRS + 1).ack(ISS + 1));
        t.send(seg(FIN).seq(IRS + 1));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).rawOptions(new byte[]{2, 3, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
        t.recvNothing();
        assertEquals(1, t.counter("tcp.rx.bad_checksum"));
        assertEquals(2, t.counter("tcp.rx.bad_flags"));
        assertEquals(1, t.counter("tcp.rx.bad_options"));
        assertEquals(drops + 4, t.counter("rx.drops"));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(10)));
        assertEquals(List.of("data 10"), events, "the connection carries on");
    }

    @Test
    void shouldAbortWithRst()
    {
        established();
        conn.abort();
        t.recv(seg(RST).seq(ISS + 1));
        assertEquals(List.of("closed aborted"), events);
        assertEquals(0, t.tcp.connectionCount());
    }

    @Test
    void shouldFastRetransmitOnThirdDuplicateAck()
    {
        established();
        conn.noDelay(true);
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).window(65535));
        write(bytes(1460 * 4));
        final var sent = t.sent();
        assertEquals(4, sent.size(), "initial window allows four segments");
        for (int i = 0; i < 3; i++)
        {
            t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).window(65535));
        }
        final var re = t.sent();
        assertNotNull(re);
        assertTrue(re.stream().anyMatch(s -> s.tcp().sequenceNumber() == ISS + 1 && s.tcp().payloadLength() > 0),
            "the first segment goes again: " + re);
        assertEquals(1, t.counter("tcp.fast_retransmits"));
    }

    @Test
    void shouldGoFromFinWait1StraightToTimeWaitWhenFinAndAckArriveTogether()
    {
        established();
        conn.close();
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2));
        assertEquals(TcpState.TIME_WAIT, tcb().tcpState());
    }

    @Test
    void shouldSendFinOnceEstablishedWhenClosedInSynReceived()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c ->
        {
            // The application closes as soon as it gets the connection: FIN right after the handshake.
            c.close();
            return recorder;
        });
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1));
    }

    @Test
    void shouldDropAHalfOpenConnectionOnRstInSynReceivedAndKeepListening()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> recorder);
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1));
        t.send(seg(RST).seq(IRS + 1));
        assertEquals(0, t.tcp.connectionCount(), "RFC 9293: back to LISTEN (the listener stays, the TCB goes)");
        t.send(seg(SYN).seq(IRS + 100).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 101));
        assertEquals(List.of(), events);
    }

    @Test
    void shouldCrossTheSequenceWrapWithoutLosingData()
    {
        final TcpScript w = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 16), -100);
        w.tcp.listen(0, TcpScript.LOCAL_PORT, c -> recorder);
        final int irs = 0x7FFF_FFF0;
        w.send(seg(SYN).seq(irs).mss(1460));
        w.recv(seg(SYN | ACK).seq(-100).ack(irs + 1));
        w.send(seg(ACK).seq(irs + 1).ack(-99));
        for (int i = 0; i < 4; i++)
        {
            // Peer data across 2^31, our data across 2^32.
            w.send(seg(ACK).seq(irs + 1 + i * 50).ack(-99 + i * 50).payload(bytes(50)));
            conn.noDelay(true);
            conn.write(new UnsafeBuffer(bytes(50)), 0, 50);
            w.sent();
        }
        assertEquals(200, conn.readable());
        w.send(seg(ACK).seq(irs + 201).ack(-99 + 200));
        assertEquals(-99 + 200, tcb().sndUna);
        assertEquals(0, tcb().inFlight());
    }
}
