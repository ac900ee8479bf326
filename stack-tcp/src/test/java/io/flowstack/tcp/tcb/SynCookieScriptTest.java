package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.flowstack.ip.wire.TcpFlyweight.ACK;
import static io.flowstack.ip.wire.TcpFlyweight.PSH;
import static io.flowstack.ip.wire.TcpFlyweight.RST;
import static io.flowstack.ip.wire.TcpFlyweight.SYN;
import static io.flowstack.tcp.tcb.TcbScriptTest.bytes;
import static io.flowstack.tcp.tcb.TcpScript.IRS;
import static io.flowstack.tcp.tcb.TcpScript.ISS;
import static io.flowstack.test.TcpScript.Seg.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * SYN cookies (RFC 4987 3.6, Linux's encoding): with the SYN queue full, a SYN gets a SYN,ACK whose ISN is a
 * cookie and no TCB; the ACK that returns it makes the connection with the MSS, window scale and SACK the cookie
 * kept. A listener with a backlog of one: the first SYN fills the queue.
 */
class SynCookieScriptTest
{
    private static final int FLOOD_PORT = 40000;
    /** The window shift of the default buffers (4 MiB at most): 7. */
    private static final int SHIFT = SynOptions.windowShift(TcpConfig.DEFAULT.maxReceiveBuffer());

    private final TcpScript t = new TcpScript(TcpConfig.DEFAULT.withBacklog(1), ISS);
    private final Recorder app = new Recorder();

    /** The queue's one place taken by a half-open connection from another port. */
    private void fillQueue()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(SYN).ports(FLOOD_PORT, TcpScript.LOCAL_PORT).seq(7).mss(1460));
        t.recv(seg(SYN | ACK).ports(FLOOD_PORT, TcpScript.LOCAL_PORT).seq(ISS).ack(8).mss(1460));
        assertEquals(1, t.tcp.connectionCount());
    }

    /** @return the cookie SYN,ACK's ISN (any), after checking every other field. */
    private int cookieSynAck(final TcpScript.Seg expected)
    {
        final int cookie = t.recv(expected.anySeq()).tcp().sequenceNumber();
        assertNotEquals(ISS, cookie);
        assertEquals(1, t.tcp.connectionCount(), "no state for the cookie");
        assertEquals(1, t.counter("tcp.syncookies.sent"));
        return cookie;
    }

    @Test
    void rfc4987_3_6_aCookieWithTimestampsKeepsMssWindowScaleAndSack()
    {
        fillQueue();
        t.advance(900);
        t.send(seg(SYN).seq(IRS).mss(1460).ws(6).sackPermitted().ts(100, 0));
        // The peer's window scale (6) and SACK-permitted ride in TSval's low six bits, the clock rounded down.
        final int tsVal = SynCookies.timestamp(t.tsNow(), 6, true);
        assertEquals(6 | SynCookies.SACK_BIT, tsVal & SynCookies.TS_OPTION_MASK);
        final int cookie = cookieSynAck(seg(SYN | ACK).ack(IRS + 1).window(65535).mss(1460).ws(SHIFT).sackPermitted()
            .ts(tsVal, 100));
        t.advance(10);
        t.send(seg(ACK).seq(IRS + 1).ack(cookie + 1).window(1000).ts(101, tsVal));
        assertEquals(List.of("connected"), app.take());
        assertEquals(1, t.counter("tcp.syncookies.valid"));
        final Tcb tcb = app.tcb();
        assertEquals(TcpState.ESTABLISHED, tcb.state);
        assertEquals(6, tcb.snd.wndShift);
        assertEquals(1000 << 6, tcb.snd.wnd, "the peer's window is scaled by the shift the cookie kept");
        assertEquals(SHIFT, tcb.rcv.wndShift);
        assertEquals(1460 - 12, tcb.snd.mss);
        // SACK survived: an out-of-order segment is answered with a block.
        t.send(seg(ACK | PSH).seq(IRS + 1 + 100).ack(cookie + 1).window(1000).ts(102, tsVal).payload(bytes(100)));
        // RFC 7323 4.3: an out-of-order segment does not update TS.Recent.
        t.recv(seg(ACK).seq(cookie + 1).ack(IRS + 1).anyWindow().ts(t.tsNow(), 101).sack(IRS + 101, IRS + 201));
    }

    @Test
    void rfc4987_3_6_withoutTimestampsOnlyTheMssSurvives()
    {
        fillQueue();
        t.send(seg(SYN).seq(IRS).mss(1400).ws(6).sackPermitted());
        // 1400 is not in the table: the largest value under it, 1300. No window scale, no SACK: nowhere to keep them.
        final int cookie = cookieSynAck(seg(SYN | ACK).ack(IRS + 1).window(65535).mss(1460));
        t.send(seg(ACK).seq(IRS + 1).ack(cookie + 1).window(2000));
        assertEquals(List.of("connected"), app.take());
        final Tcb tcb = app.tcb();
        assertEquals(1300, tcb.snd.mss);
        assertEquals(0, tcb.snd.wndShift);
        assertEquals(0, tcb.rcv.wndShift);
        assertEquals(false, tcb.sack);
        assertEquals(false, tcb.timestamps);
        // Data flows both ways, unscaled.
        t.send(seg(ACK | PSH).seq(IRS + 1).ack(cookie + 1).window(2000).payload(bytes(10)));
        t.recv(seg(ACK).seq(cookie + 1).ack(IRS + 11).anyWindow());
    }

    @Test
    void rfc4987_3_6_aWrongOrStaleCookieDrawsAReset()
    {
        fillQueue();
        t.send(seg(SYN).seq(IRS).mss(1460));
        final int cookie = cookieSynAck(seg(SYN | ACK).ack(IRS + 1).window(65535).mss(1460));
        // One off: not a cookie of ours.
        t.send(seg(ACK).seq(IRS + 1).ack(cookie + 2));
        t.recv(seg(RST).seq(cookie + 2).window(0));
        assertEquals(1, t.counter("tcp.syncookies.invalid"));
        // The right one, two minutes later: too old.
        t.advance(120_000);
        t.send(seg(ACK).seq(IRS + 1).ack(cookie + 1));
        t.recv(seg(RST).seq(cookie + 1).window(0));
        assertEquals(2, t.counter("tcp.syncookies.invalid"));
        assertEquals(0, t.counter("tcp.syncookies.valid"));
        assertEquals(List.of(), app.take());
    }

    @Test
    void rfc9293_3_10_7_2_withoutARecentOverflowAnAckInListenIsNotHashed()
    {
        t.tcp.listen(0, TcpScript.LOCAL_PORT, c -> app);
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1));
        t.recv(seg(RST).seq(ISS + 1).window(0));
        assertEquals(0, t.counter("tcp.syncookies.invalid"));
    }

    @Test
    void rfc4987_3_6_theQueuedConnectionIsUnaffected()
    {
        fillQueue();
        t.send(seg(SYN).seq(IRS).mss(1460));
        cookieSynAck(seg(SYN | ACK).ack(IRS + 1).window(65535).mss(1460));
        // The half-open connection completes normally.
        t.send(seg(ACK).ports(FLOOD_PORT, TcpScript.LOCAL_PORT).seq(8).ack(ISS + 1));
        assertEquals(List.of("connected"), app.take());
        assertEquals(0, t.counter("tcp.syncookies.valid"));
    }
}
