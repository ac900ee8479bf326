package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flowstack.ip.wire.TcpFlyweight.ACK;
import static io.flowstack.ip.wire.TcpFlyweight.FIN;
import static io.flowstack.ip.wire.TcpFlyweight.PSH;
import static io.flowstack.ip.wire.TcpFlyweight.RST;
import static io.flowstack.ip.wire.TcpFlyweight.SYN;
import static io.flowstack.ip.wire.TcpFlyweight.URG;
import static io.flowstack.tcp.tcb.TcbScriptTest.bytes;
import static io.flowstack.tcp.tcb.TcpScript.IRS;
import static io.flowstack.tcp.tcb.TcpScript.ISS;
import static io.flowstack.tcp.tcb.TcpScript.PEER_IP;
import static io.flowstack.test.TcpScript.Seg.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The deviations an external conformance run found, one script each, named by the clause they hold us to. Every
 * one of them failed on the code before the TCP core rework (main at 2c07fd8).
 */
class ConformanceScriptTest
{
    private final TcpScript t = new TcpScript();
    private final Recorder app = new Recorder();

    /** Handshake at 0 ms, completed at 100 ms: RTT 100 ms, so RTO = 100 + 4 x 50 = 300 ms (RFC 6298 2.2). */
    private void establishedWithTimestampsAndRto300()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(SYN).seq(IRS).mss(1460).ts(1, 0));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460).ts(t.tsNow(), 1));
        t.advance(100);
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).ts(2, 1));
        assertEquals(List.of("connected"), app.take());
        assertEquals(300_000_000L, app.tcb().snd.rtt.rto());
    }

    // ---- 1. one time for everything a cycle does ------------------------------------------------------------

    @Test
    void rfc6298_5_1_theTimerOfAFinSentAfterAnIdleSpellStartsWhenTheFinIsSent()
    {
        establishedWithTimestampsAndRto300();
        t.advance(200);
        app.conn.shutdownOutput();
        // RFC 7323 3: TSval is the clock when the segment is sent (301), not when the core last saw a segment.
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1).ts(301, 2));
        t.advance(299);
        t.recvNothing();
        t.advance(1);
        t.recv(seg(FIN | ACK).seq(ISS + 1).ack(IRS + 1).ts(601, 2));
    }

    @Test
    void rfc6298_2_2_aWriteAfterAnIdleSpellIsTimedFromWhenItIsSent()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.advance(3000);
        app.conn.write(new UnsafeBuffer(bytes(10)), 0, 10);
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).payload(bytes(10)));
        t.advance(10);
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 11));
        // The sample is the 10 ms the segment took, not the 3 s the core sat idle before it was written.
        assertEquals(10_000_000L / 8, app.tcb().snd.rtt.srtt());
        assertEquals(0, t.counter("tcp.retransmits"));
    }

    @Test
    void rfc7323_3_andRfc6298_aReplyWrittenBySlowApplicationCodeIsStampedWhenItLeaves()
    {
        final Recorder slow = new Recorder()
        {
            @Override
            public void onData(final TcpConnection c)
            {
                super.onData(c);
                // The application's callback runs for 50 ms before it answers.
                t.clock.advance(50_000_000L);
                c.write(new UnsafeBuffer(bytes(10)), 0, 10);
            }
        }.autoRead();
        final Tcb tcb = t.connection(TcpState.ESTABLISHED, true, slow);
        final int arrived = t.tsNow();
        t.send(seg(ACK | PSH).seq(IRS + 1).ack(ISS + 1).ts(2, arrived).payload(bytes(5)));
        // TSval and the transmission record carry when the reply left, 50 ms after the data that prompted it. The
        // 5 bytes read do not reopen the window (RFC 9293 3.8.6.2.2, receiver's SWS avoidance).
        final int left = t.tsNow();
        assertEquals(arrived + 50, left);
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 6).window(65530).ts(left, 2).payload(bytes(10)));
        t.advance(10);
        t.send(seg(ACK).seq(IRS + 6).ack(ISS + 11).ts(3, left));
        assertEquals(10_000_000L, tcb.snd.minRttNs, "the sample is the reply's 10 ms round trip");
    }

    // ---- 2. acceptability against the window we advertised ------------------------------------------------

    @Test
    void rfc9293_3_10_7_4_andRfc5961_3_2_acceptabilityUsesTheAdvertisedWindowNotTheBuffer()
    {
        // 256 KiB of buffer, but the peer offers no window scaling: we advertise 65535.
        final TcpScript big = new TcpScript(TcpConfig.DEFAULT, ISS);
        final Tcb tcb = big.connection(TcpState.ESTABLISHED, false, app);
        // RFC 5961 3.2: a RST outside the window is dropped silently, no challenge ACK.
        big.send(seg(RST).seq(IRS + 1 + 65700));
        big.recvNothing();
        // Data beyond the window is unacceptable: an ACK, and nothing kept.
        big.send(seg(ACK).seq(IRS + 1 + 65700).ack(ISS + 1).payload(bytes(100)));
        big.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        assertFalse(tcb.rcv.buffer.hasOutOfOrder(), "data beyond the advertised window is not kept");
        // A segment that straddles the right edge keeps only what lies inside it.
        big.send(seg(ACK).seq(IRS + 1 + 65500).ack(ISS + 1).payload(bytes(100)));
        big.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1));
        for (int at = 0; at < 65500; at += 1310)
        {
            big.send(seg(ACK).seq(IRS + 1 + at).ack(ISS + 1).payload(bytes(1310)));
        }
        // The hole filled up to the 35 bytes kept: RCV.NXT is the old right edge, not 65 bytes beyond it.
        assertEquals(65535, tcb.readable());
        assertEquals(IRS + 1 + 65535, tcb.rcv.nxt());
    }

    // ---- 3. a RST before our FIN is acknowledged is a reset -----------------------------------------------

    @Test
    void rfc9293_3_10_7_4_aRstInLastAckIsAReset()
    {
        t.connection(TcpState.LAST_ACK, false, app);
        t.send(seg(RST).seq(IRS + 2));
        t.recvNothing();
        assertEquals(List.of("closed connection reset"), app.take());
        assertEquals(0, t.tcp.connectionCount());
    }

    @Test
    void rfc9293_3_10_7_4_aRstInClosingIsAReset()
    {
        t.connection(TcpState.CLOSING, false, app);
        t.send(seg(RST).seq(IRS + 2));
        assertEquals(List.of("closed connection reset"), app.take());
    }

    // ---- 4. TIME-WAIT ------------------------------------------------------------------------------------

    @Test
    void rfc9293_3_10_7_4_timeWaitAcknowledgesAnUnacceptableSegment()
    {
        t.connection(TcpState.TIME_WAIT, false, app);
        t.send(seg(ACK).seq(IRS + 2 + 100_000).ack(ISS + 2).payload(bytes(10)));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2).window(65534));
        t.send(seg(ACK).seq(IRS + 2).ack(ISS + 2).payload(bytes(10)));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2).window(65534));
        // A bare ACK at RCV.NXT is acceptable and needs no answer (Linux restarts the wait, silently).
        t.send(seg(ACK).seq(IRS + 2).ack(ISS + 2));
        t.recvNothing();
    }

    @Test
    void rfc9293_3_10_7_4_aRetransmittedFinInTimeWaitIsAcknowledgedAndRestarts2Msl()
    {
        t.connection(TcpState.TIME_WAIT, false, app);
        t.advance(30_000);
        t.send(seg(FIN | ACK).seq(IRS + 1).ack(ISS + 2));
        t.recv(seg(ACK).seq(ISS + 2).ack(IRS + 2).window(65534));
        t.advance(59_000);
        assertEquals(1, t.tcp.connectionCount(), "2 MSL restarted at 30 s");
        t.advance(1_001);
        assertEquals(0, t.tcp.connectionCount());
    }

    @Test
    void rfc9293_3_10_7_4_anExactRstEndsTimeWait()
    {
        t.connection(TcpState.TIME_WAIT, false, app);
        t.send(seg(RST).seq(IRS + 5));
        assertEquals(1, t.tcp.connectionCount(), "an inexact RST does nothing");
        t.send(seg(RST).seq(IRS + 2));
        t.recvNothing();
        assertEquals(0, t.tcp.connectionCount());
    }

    // ---- 5. text on a SYN ---------------------------------------------------------------------------------

    @Test
    void rfc9293_3_10_7_3_textOnASynAckIsDeliveredAndAcknowledged()
    {
        app.conn = t.tcp.connect(PEER_IP, 7, app);
        final int port = t.sent().get(0).tcp().sourcePort();
        t.send(seg(SYN | ACK).ports(7, port).seq(IRS).ack(ISS + 1).mss(1460).payload(new byte[]{1, 2, 3}));
        t.recv(seg(ACK).ports(7, port).seq(ISS + 1).ack(IRS + 4).window(65535 - 3));
        assertEquals(List.of("connected", "data 3"), app.take());
    }

    @Test
    void rfc9293_3_10_7_3_textOnASynInASimultaneousOpenIsDeliveredOnceEstablished()
    {
        app.conn = t.tcp.connect(PEER_IP, 7, app);
        final int port = t.sent().get(0).tcp().sourcePort();
        t.send(seg(SYN).ports(7, port).seq(IRS).mss(1460).payload(new byte[]{1, 2, 3}));
        // The SYN,ACK acknowledges the SYN only; the text waits for ESTABLISHED.
        t.recv(seg(SYN | ACK).ports(7, port).seq(ISS).ack(IRS + 1).mss(1460));
        assertEquals(List.of(), app.take());
        t.send(seg(ACK).ports(7, port).seq(IRS + 4).ack(ISS + 1));
        t.recv(seg(ACK).ports(7, port).seq(ISS + 1).ack(IRS + 4).window(65535 - 3));
        assertEquals(List.of("connected", "data 3"), app.take());
    }

    @Test
    void rfc9293_3_10_7_2_textOnASynToAListenerIsDeliveredOnceEstablished()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(SYN).seq(IRS).mss(1460).payload(new byte[]{1, 2, 3}));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        t.send(seg(ACK).seq(IRS + 4).ack(ISS + 1));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 4).window(65535 - 3));
        assertEquals(List.of("connected", "data 3"), app.take());
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[3]);
        assertEquals(3, app.conn.read(dst, 0, 3));
        assertEquals(2, dst.getByte(1));
    }

    // ---- 6. a closed port resets whatever arrives but a RST -----------------------------------------------

    @Test
    void rfc9293_3_10_7_1_finNullAndXmasToAClosedPortDrawAReset()
    {
        t.send(seg(FIN).seq(IRS));
        t.recv(seg(RST | ACK).seq(0).ack(IRS + 1).window(0));
        t.send(seg(0).seq(IRS));
        t.recv(seg(RST | ACK).seq(0).ack(IRS).window(0));
        t.send(seg(FIN | PSH | URG).seq(IRS));
        t.recv(seg(RST | ACK).seq(0).ack(IRS + 1).window(0));
        // SYN with FIN: SEG.LEN counts both (Linux answers the same way when no socket has the port).
        t.send(seg(SYN | FIN).seq(IRS));
        t.recv(seg(RST | ACK).seq(0).ack(IRS + 2).window(0));
        t.send(seg(RST | FIN).seq(IRS));
        t.recvNothing();
    }

    @Test
    void rfc9293_3_10_7_2_aSynWithFinToAListenerIsDropped()
    {
        // Decision, following Linux (tcp_rcv_state_process in LISTEN): SYN+FIN opens nothing and draws nothing.
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(SYN | FIN).seq(IRS));
        t.recvNothing();
        assertEquals(0, t.tcp.connectionCount());
        assertEquals(1, t.counter("tcp.rx.bad_flags"));
    }

    // ---- 7. quick acknowledgments --------------------------------------------------------------------------

    @Test
    void rfc5681_4_2_theFirstSegmentsOfAConnectionAreAcknowledgedAtOnce()
    {
        t.connection(TcpState.ESTABLISHED, false, app.autoRead());
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(100)));
        // Read at once, but the edge stays until it can move by an MSS (RFC 9293 3.8.6.2.2): 100 bytes less.
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 101).window(65535 - 100));
        t.send(seg(ACK).seq(IRS + 101).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 201).window(65535 - 200));
    }

    @Test
    void rfc5681_4_2_afterTheSenderWasIdleSegmentsAreAcknowledgedAtOnceAgain()
    {
        t.connection(TcpState.ESTABLISHED, false, app.autoRead());
        int seq = IRS + 1;
        for (int i = 0; i < AckPolicy.MAX_QUICK_ACKS; i++)
        {
            t.send(seg(ACK).seq(seq).ack(ISS + 1).payload(bytes(100)));
            seq += 100;
            t.recv(seg(ACK).seq(ISS + 1).ack(seq).anyWindow());
        }
        t.send(seg(ACK).seq(seq).ack(ISS + 1).payload(bytes(100)));
        seq += 100;
        t.recvNothing();
        t.advance(40);
        t.recv(seg(ACK).seq(ISS + 1).ack(seq).anyWindow());
        // Silent for longer than the RTO (1 s before any sample): quick acknowledgments again.
        t.advance(1_500);
        t.send(seg(ACK).seq(seq).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(seq + 100).anyWindow());
    }

    @Test
    void rfc5681_4_2_aSegmentThatFillsAHoleIsAcknowledgedAtOnce()
    {
        t.connection(TcpState.ESTABLISHED, false, app.autoRead());
        int seq = IRS + 1;
        for (int i = 0; i < AckPolicy.MAX_QUICK_ACKS; i++)
        {
            t.send(seg(ACK).seq(seq).ack(ISS + 1).payload(bytes(100)));
            seq += 100;
            t.sent();
        }
        t.send(seg(ACK).seq(seq + 100).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(seq).anyWindow());
        t.send(seg(ACK).seq(seq).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(seq + 200).anyWindow());
    }
}
