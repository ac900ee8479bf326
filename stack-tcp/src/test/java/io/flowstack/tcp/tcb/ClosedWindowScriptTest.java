package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.flowstack.ip.wire.TcpFlyweight.ACK;
import static io.flowstack.ip.wire.TcpFlyweight.PSH;
import static io.flowstack.tcp.tcb.TcbScriptTest.bytes;
import static io.flowstack.tcp.tcb.TcpScript.IRS;
import static io.flowstack.tcp.tcb.TcpScript.ISS;
import static io.flowstack.test.TcpScript.Seg.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two rules whose absence deadlocked an echo between two stacks in the simulator (TwoCoreChurnSimTest, seed 1128,
 * duplication and reordering): the client took a new ACK from a retransmitted segment without its window, sent
 * 13 KB beyond the edge the server offered, and the server dropped it; the server's window then closed (its
 * application waited for room to echo), and every segment of the client carried a sequence number beyond RCV.NXT or
 * text, so the server dropped each one and never took the ACK that would have made the room. Both retransmission
 * timers backed off to a minute.
 */
class ClosedWindowScriptTest
{
    private final Recorder app = new Recorder();

    @Test
    void rfc9293_3_10_7_4_anAckThatMovesSndUnaBringsItsWindowEvenOnARetransmittedSegment()
    {
        final TcpScript t = new TcpScript();
        final Tcb tcb = t.connection(TcpState.ESTABLISHED, false, app);
        tcb.noDelay(true);
        // The peer's second segment comes, its first is lost: SND.WL1 moves past the first; the window is 10,000.
        t.send(seg(ACK | PSH).seq(IRS + 1001).ack(ISS + 1).window(10_000).payload(bytes(1000)));
        t.frames();
        assertEquals(10_000, tcb.snd.wnd);
        tcb.write(new UnsafeBuffer(bytes(20_000)), 0, 20_000);
        t.frames();
        final int edge = ISS + 1 + 10_000;
        assertTrue(Seq.le(tcb.snd.nxt, edge));
        // The peer repairs the loss, with a newer ACK and the window that keeps its right edge.
        t.send(seg(ACK | PSH).seq(IRS + 1).ack(ISS + 1 + 5000).window(5000).payload(bytes(1000)));
        t.frames();
        assertEquals(ISS + 1 + 5000, tcb.snd.una);
        assertEquals(5000, tcb.snd.wnd, "the window is counted from the ACK that comes with it");
        assertTrue(Seq.le(tcb.snd.nxt, edge), "nothing beyond the edge the peer offered: " + (tcb.snd.nxt - edge));
    }

    @Test
    void rfc9293_3_10_7_4_aClosedWindowStillTakesTheAckOfASegmentAtRcvNxt()
    {
        final TcpScript t = new TcpScript(TcpConfig.DEFAULT.withBuffers(4096), ISS);
        final Tcb tcb = t.connection(TcpState.ESTABLISHED, false, app);
        tcb.noDelay(true);
        tcb.write(new UnsafeBuffer(bytes(100)), 0, 100);
        t.frames();
        // The peer fills our window; the application does not read.
        t.send(seg(ACK | PSH).seq(IRS + 1).ack(ISS + 1).payload(bytes(1460)));
        t.send(seg(ACK | PSH).seq(IRS + 1461).ack(ISS + 1).payload(bytes(1460)));
        t.send(seg(ACK | PSH).seq(IRS + 2921).ack(ISS + 1).payload(bytes(1176)));
        t.frames();
        assertEquals(0, tcb.rcv.wnd());
        // More text at RCV.NXT, with the ACK of our 100 bytes: "special allowance should be made to accept valid
        // ACKs" (RFC 9293 3.10.7.4). The text finds no window; our ACK says so at once.
        t.send(seg(ACK | PSH).seq(IRS + 4097).ack(ISS + 101).payload(bytes(100)));
        assertEquals(ISS + 101, tcb.snd.una, "the ACK was taken");
        t.recv(seg(ACK).seq(ISS + 101).ack(IRS + 4097).window(0));
        assertEquals(4096, tcb.readable(), "the text was not");
    }
}
