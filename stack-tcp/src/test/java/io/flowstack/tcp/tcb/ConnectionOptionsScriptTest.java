package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpInfo;
import io.flowstack.tcp.api.TcpState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flowstack.ip.wire.TcpFlyweight.ACK;
import static io.flowstack.ip.wire.TcpFlyweight.PSH;
import static io.flowstack.ip.wire.TcpFlyweight.RST;
import static io.flowstack.ip.wire.TcpFlyweight.SYN;
import static io.flowstack.tcp.tcb.TcbScriptTest.bytes;
import static io.flowstack.tcp.tcb.TcpScript.IRS;
import static io.flowstack.tcp.tcb.TcpScript.ISS;
import static io.flowstack.tcp.tcb.TcpScript.PEER_IP;
import static io.flowstack.test.TcpScript.Seg.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-connection options as applications set them: TCP_MAXSEG, the buffer sizes (and the window scale that
 * follows), keep-alive (RFC 9293 3.8.4, RFC 1122 4.2.3.6) and SO_LINGER 0, on connects and on listeners.
 */
class ConnectionOptionsScriptTest
{
    private static final long S = 1000;
    private final TcpScript t = new TcpScript();
    private final Recorder app = new Recorder();

    @Test
    void shouldAnnounceAndUseTheMssOfTheOptionsOnAConnect()
    {
        app.conn = t.tcp.connect(PEER_IP, 7, app, ConnectionOptions.DEFAULT.withMss(1000).withNoDelay(true));
        final int port = t.recv(seg(SYN).seq(ISS).mss(1000).ws(1).sackPermitted().ts(t.tsNow(), 0).anyPorts()).tcp().sourcePort();
        t.send(seg(SYN | ACK).ports(7, port).seq(IRS).ack(ISS + 1).mss(1460));
        t.recv(seg(ACK).ports(7, port).seq(ISS + 1).ack(IRS + 1));
        app.conn.write(new UnsafeBuffer(bytes(2500)), 0, 2500);
        t.recv(seg(ACK).ports(7, port).seq(ISS + 1).ack(IRS + 1).len(1000),
            seg(ACK).ports(7, port).seq(ISS + 1001).ack(IRS + 1).len(1000),
            seg(ACK | PSH).ports(7, port).seq(ISS + 2001).ack(IRS + 1).len(500));
    }

    @Test
    void shouldGiveAcceptedConnectionsTheListenersMssAndBuffers()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app, ConnectionOptions.DEFAULT.withMss(800).withBuffers(4096, 4096));
        t.send(seg(SYN).seq(IRS).mss(1460).ws(2));
        // A 4 KiB receive buffer needs no window scale; the window is the buffer.
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(800).ws(0).window(4096));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        assertEquals(List.of("connected"), app.take());
        assertEquals(4096, app.conn.write(new UnsafeBuffer(bytes(5000)), 0, 5000), "the send buffer is 4 KiB");
        assertEquals(800, app.tcb().snd.mss);
    }

    @Test
    void shouldScaleTheWindowForALargeReceiveBuffer()
    {
        app.conn = t.tcp.connect(PEER_IP, 7, app, ConnectionOptions.DEFAULT.withBuffers(0, 4 << 20));
        // RFC 7323 2.3: the smallest shift that lets 4 MiB be advertised is 7.
        t.recv(seg(SYN).seq(ISS).mss(1460).ws(7).sackPermitted().ts(t.tsNow(), 0).anyPorts());
    }

    @Test
    void shouldProbeAnIdlePeerAndKeepTheConnectionWhileItAnswers()
    {
        final Tcb tcb = t.connection(TcpState.ESTABLISHED, false, app);
        tcb.keepAlive(10_000_000_000L, 1_000_000_000L, 3);
        t.advance(10 * S - 1);
        t.recvNothing();
        t.advance(1);
        // The probe: one sequence number below SND.UNA, no data (what Linux sends).
        t.recv(seg(ACK).seq(ISS).ack(IRS + 1));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.advance(10 * S - 1);
        t.recvNothing();
        t.advance(1);
        t.recv(seg(ACK).seq(ISS).ack(IRS + 1));
        assertEquals(1, tcb.info(new TcpInfo()).keepAliveProbes);
        assertEquals(2, t.counter("tcp.tx.keepalive_probes"));
        assertEquals(List.of(), app.take());
    }

    @Test
    void shouldReportADeadPeerAsATimeoutAfterIdlePlusCountIntervals()
    {
        final Tcb tcb = t.connection(TcpState.ESTABLISHED, false, app);
        tcb.keepAlive(10_000_000_000L, 1_000_000_000L, 3);
        t.advance(10 * S);
        t.recv(seg(ACK).seq(ISS).ack(IRS + 1));
        t.advance(S);
        t.recv(seg(ACK).seq(ISS).ack(IRS + 1));
        t.advance(S);
        t.recv(seg(ACK).seq(ISS).ack(IRS + 1));
        t.advance(S - 1);
        t.recvNothing();
        t.advance(1);
        // 10 s + 3 x 1 s without an answer: the peer is dead. Linux says so with a RST.
        t.recv(seg(RST).seq(ISS + 1).window(0));
        assertEquals(List.of("closed timed out"), app.take());
        assertEquals(0, t.tcp.connectionCount());
    }

    @Test
    void shouldNotProbeWhileDataIsOutstanding()
    {
        final Tcb tcb = t.connection(TcpState.ESTABLISHED, false, app);
        tcb.keepAlive(1_000_000_000L, 1_000_000_000L, 3);
        tcb.noDelay(true);
        tcb.write(new UnsafeBuffer(bytes(10)), 0, 10);
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(10));
        // At 1 s both the keep-alive and the retransmission timer (RTO 1 s before any sample) are due: only the
        // retransmission goes; an unanswered retransmission already covers a dead peer.
        t.advance(S);
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(10));
        assertEquals(0, t.counter("tcp.tx.keepalive_probes"));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 11));
        t.advance(S);
        t.recv(seg(ACK).seq(ISS + 10).ack(IRS + 1));
    }

    @Test
    void shouldInheritKeepAliveFromTheListener()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app,
            ConnectionOptions.DEFAULT.withKeepAlive(5_000_000_000L, 1_000_000_000L, 2));
        t.send(seg(SYN).seq(IRS).mss(1460));
        t.recv(seg(SYN | ACK).seq(ISS).ack(IRS + 1).mss(1460));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.advance(5 * S);
        t.recv(seg(ACK).seq(ISS).ack(IRS + 1));
    }

    @Test
    void shouldResetOnCloseWithLingerZero()
    {
        final Tcb tcb = t.connection(TcpState.ESTABLISHED, false, app);
        tcb.lingerZero(true);
        tcb.write(new UnsafeBuffer(bytes(10)), 0, 10);
        t.sent();
        tcb.close();
        t.recv(seg(RST).seq(ISS + 11).window(0));
        assertEquals(List.of("closed aborted"), app.take());
        assertEquals(0, t.tcp.connectionCount());
    }
}
