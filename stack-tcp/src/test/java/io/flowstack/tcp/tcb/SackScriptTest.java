package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.CongestionAlgorithm;
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

/**
 * SACK (RFC 2018, RFC 2883) as receiver and sender, and what the sender does with it: RACK-TLP loss detection
 * (RFC 8985), Proportional Rate Reduction (RFC 6937) and undoing spurious reductions.
 */
class SackScriptTest
{
    private static final int MSS = 1460;
    private final TcpScript t = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 16), ISS);
    private final Recorder app = new Recorder();

    /** Sequence number of the first byte of our data segment {@code i} (1-based), after a first 100-byte write. */
    private static int segment(final int i)
    {
        return ISS + 101 + (i - 1) * MSS;
    }

    /** An ESTABLISHED connection with SACK that measured a 10 ms round trip on a first 100-byte write. */
    private Tcb sackConnectionWithRtt(final TcpScript script)
    {
        final Tcb tcb = script.connection(TcpState.ESTABLISHED, false, true, app);
        tcb.noDelay(true);
        tcb.write(new UnsafeBuffer(bytes(100)), 0, 100);
        script.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(100));
        script.advance(10);
        script.send(seg(ACK).seq(IRS + 1).ack(ISS + 101));
        assertEquals(10_000_000L, tcb.snd.rtt.srtt());
        return tcb;
    }

    private void write(final Tcb tcb, final int segments)
    {
        assertEquals(segments * MSS, tcb.write(new UnsafeBuffer(bytes(segments * MSS)), 0, segments * MSS));
    }

    private static TcpScript.Seg data(final int i, final boolean last)
    {
        return seg(last ? ACK | PSH : ACK).seq(segment(i)).ack(IRS + 1).len(MSS);
    }

    // ---- receiver -------------------------------------------------------------------------------------------

    @Test
    void rfc2018_4_blocksNameTheDataBeyondTheHoleMostRecentFirst()
    {
        t.connection(TcpState.ESTABLISHED, false, true, app);
        t.send(seg(ACK).seq(IRS + 1001).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).sack(IRS + 1001, IRS + 1101));
        t.send(seg(ACK).seq(IRS + 1201).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).sack(IRS + 1201, IRS + 1301).sack(IRS + 1001, IRS + 1101));
        t.send(seg(ACK).seq(IRS + 1101).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).sack(IRS + 1001, IRS + 1301));
    }

    @Test
    void rfc2018_4_theBlocksReportedLastAreRepeatedHoweverManyHolesAreOpen()
    {
        // 128 KiB hold 64 ranges. Forty segments of 10 bytes, each after a hole of 10: forty ranges, more than the
        // 32 that SACK reports considered. Each ACK names the newest block, then the three it named before.
        final TcpScript wide = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 17), ISS);
        wide.connection(TcpState.ESTABLISHED, false, true, app);
        for (int k = 0; k < 40; k++)
        {
            wide.send(seg(ACK).seq(IRS + 11 + 20 * k).ack(ISS + 1).payload(bytes(10)));
        }
        wide.sent();
        wide.send(seg(ACK).seq(IRS + 11 + 20 * 40).ack(ISS + 1).payload(bytes(10)));
        wide.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).sack(block(40)[0], block(40)[1]).sack(block(39)[0], block(39)[1])
            .sack(block(38)[0], block(38)[1]).sack(block(37)[0], block(37)[1]));
        // That ACK is lost on its way; a later one repeats its blocks, whatever lies below them.
        wide.send(seg(ACK).seq(IRS + 11 + 20 * 42).ack(ISS + 1).payload(bytes(10)));
        wide.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).sack(block(42)[0], block(42)[1]).sack(block(40)[0], block(40)[1])
            .sack(block(39)[0], block(39)[1]).sack(block(38)[0], block(38)[1]));
        // A hole below them filled: the block it joins comes first, the ones named last follow.
        wide.send(seg(ACK).seq(IRS + 11 + 20 * 40 - 10).ack(ISS + 1).payload(bytes(10)));
        wide.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).sack(block(39)[0], block(40)[1]).sack(block(42)[0], block(42)[1])
            .sack(block(38)[0], block(38)[1]).sack(block(0)[0], block(0)[1]));
    }

    /** @return the sequence numbers of the k-th ten-byte block of the test above: {first, after}. */
    private static int[] block(final int k)
    {
        return new int[] {IRS + 11 + 20 * k, IRS + 21 + 20 * k};
    }

    @Test
    void rfc2883_4_aDuplicateIsReportedFirstInADsackBlock()
    {
        t.connection(TcpState.ESTABLISHED, false, true, app);
        t.send(seg(ACK).seq(IRS + 1001).ack(ISS + 1).payload(bytes(300)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).sack(IRS + 1001, IRS + 1301));
        // Data held out of order arrives again: D-SACK for it, then the block holding it.
        t.send(seg(ACK).seq(IRS + 1001).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1).sack(IRS + 1001, IRS + 1101).sack(IRS + 1001, IRS + 1301));
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(1000)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1301).window(65535 - 1300));
        // Data already acknowledged arrives again: D-SACK below the cumulative ACK.
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 1).payload(bytes(100)));
        t.recv(seg(ACK).seq(ISS + 1).ack(IRS + 1301).window(65535 - 1300).sack(IRS + 1, IRS + 101));
    }

    // ---- sender ---------------------------------------------------------------------------------------------

    @Test
    void rfc8985_severalLossesInOneWindowAreRepairedInOneRoundTrip()
    {
        final Tcb tcb = sackConnectionWithRtt(t);
        write(tcb, 8);
        t.sent();
        t.advance(10);
        // Segments 1 and 2 were lost: the peer SACKs 3, 4 and 5 as they arrive.
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(3), segment(4)));
        t.recvNothing();
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(3), segment(5)));
        t.recvNothing();
        // Three segments SACKed and no reordering seen: the reordering window is 0 (RFC 8985 6.2), so both
        // segments sent before the delivered ones are lost, and PRR lets both go at once.
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(3), segment(6)));
        t.recv(data(1, false), data(2, false));
        assertEquals(1, t.counter("tcp.fast_retransmits"));
        t.send(seg(ACK).seq(IRS + 1).ack(segment(9)));
        t.recvNothing();
        assertEquals(2, t.counter("tcp.retransmits"));
        assertEquals(0, t.counter("tcp.timeouts"));
    }

    @Test
    void rfc8985_6_2_theReorderingWindowKeepsAReorderedSegmentFromRetransmission()
    {
        final Tcb tcb = sackConnectionWithRtt(t);
        write(tcb, 3);
        t.sent();
        t.advance(10);
        // Segment 2 arrives before segment 1: within min_RTT / 4 (2.5 ms) segment 1 is not declared lost.
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(2), segment(3)));
        t.advance(2);
        t.recvNothing();
        t.send(seg(ACK).seq(IRS + 1).ack(segment(3)));
        t.advance(10);
        t.recvNothing();
        assertEquals(0, t.counter("tcp.retransmits"));
    }

    @Test
    void rfc8985_6_2_twoNewBlocksInOneAckAreNoReordering()
    {
        final Tcb tcb = sackConnectionWithRtt(t);
        write(tcb, 8);
        t.sent();
        t.advance(10);
        // Segments 1 and 4 were lost; the first ACK to arrive (the one before it lost, or several compressed into
        // one) names the newest block first and the one below it second. Segments 2 and 3 were sent before 5 to 8,
        // so nothing arrived out of order: the reordering window stays 0 and both losses are repaired at once.
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(5), segment(9)).sack(segment(2), segment(4)));
        t.recv(data(1, false), data(4, false));
    }

    @Test
    void rfc8985_6_2_aDsackAloneIsNoReordering()
    {
        final Tcb tcb = sackConnectionWithRtt(t);
        write(tcb, 2);
        t.sent();
        // Both segments arrived but their ACK was lost: the tail loss probe sends segment 2 again, and the peer
        // reports the duplicate in a D-SACK block.
        t.advance(20);
        t.recv(data(2, true));
        t.advance(10);
        t.send(seg(ACK).seq(IRS + 1).ack(segment(3)).sack(segment(2), segment(3)));
        // The D-SACK widens the reordering window for when reordering is seen; none was, so a loss that three
        // SACKed segments reveal is repaired at once (RFC 8985 6.2 step 4, and Linux's reord_seen).
        write(tcb, 4);
        t.sent();
        t.advance(10);
        t.send(seg(ACK).seq(IRS + 1).ack(segment(3)).sack(segment(4), segment(5)));
        t.send(seg(ACK).seq(IRS + 1).ack(segment(3)).sack(segment(4), segment(6)));
        t.recvNothing();
        t.send(seg(ACK).seq(IRS + 1).ack(segment(3)).sack(segment(4), segment(7)));
        t.recv(data(3, false));
    }

    @Test
    void rfc8985_6_3_theReorderingTimerDeclaresTheLossWhenNothingComes()
    {
        final Tcb tcb = sackConnectionWithRtt(t);
        write(tcb, 3);
        t.sent();
        t.advance(10);
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(2), segment(3)));
        t.advance(2);
        t.recvNothing();
        t.advance(1);
        t.recv(data(1, false));
    }

    @Test
    void rfc8985_7_aTailLossProbeSendsTheLastSegmentAgainAfterTwoRoundTrips()
    {
        final Tcb tcb = sackConnectionWithRtt(t);
        write(tcb, 2);
        t.sent();
        t.advance(19);
        t.recvNothing();
        t.advance(1);
        t.recv(data(2, true));
        assertEquals(1, t.counter("tcp.tx.tail_loss_probes"));
        // A round trip later the probe shows segment 1 lost (the SACK names the probe, sent after it): RACK
        // repairs it at once.
        t.advance(10);
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(2), segment(3)));
        t.recv(data(1, false));
        t.send(seg(ACK).seq(IRS + 1).ack(segment(3)));
        assertEquals(0, t.counter("tcp.timeouts"));
    }

    @Test
    void rfc6937_proportionalRateReductionSpreadsTheReductionOverTheAcks()
    {
        final TcpScript reno = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 17)
            .withCongestionControl(CongestionAlgorithm.RENO), ISS);
        final Tcb tcb = sackConnectionWithRtt(reno);
        // Slow start over one flight of ten: the window doubles to twenty segments.
        write(tcb, 10);
        assertEquals(10, reno.sent().size());
        reno.advance(10);
        for (int i = 2; i <= 11; i++)
        {
            reno.send(seg(ACK).seq(IRS + 1).ack(segment(i)));
        }
        assertEquals(20, tcb.snd.cc.cwnd() / MSS);
        write(tcb, 40);
        assertEquals(20, reno.sent().size());
        reno.advance(10);
        // Segment 11 (the first of the flight) was lost. The first two SACKs each let a new segment out (pipe,
        // RFC 6675); the third declares the loss: FlightSize 22, Reno's ssthresh 11, the fast retransmit.
        reno.send(seg(ACK).seq(IRS + 1).ack(segment(11)).sack(segment(12), segment(13)));
        reno.recv(data(31, false));
        reno.send(seg(ACK).seq(IRS + 1).ack(segment(11)).sack(segment(12), segment(14)));
        reno.recv(data(32, false));
        reno.send(seg(ACK).seq(IRS + 1).ack(segment(11)).sack(segment(12), segment(15)));
        reno.recv(data(11, false));
        assertEquals(11 * MSS, tcb.snd.cc.ssthresh());
        // pipe (19 segments) is above ssthresh: PRR lets out ssthresh / RecoverFS = half of what is delivered
        // since recovery began, less what it sent (the fast retransmit counts): nothing for two ACKs, then a
        // segment for every second ACK while pipe comes down to ssthresh.
        int right = 15;
        int next = 33;
        for (int k = 4; k <= 16; k++)
        {
            reno.send(seg(ACK).seq(IRS + 1).ack(segment(11)).sack(segment(12), segment(++right)));
            if (k >= 6 && k <= 14 && k % 2 == 0)
            {
                reno.recv(data(next++, false));
            }
            else
            {
                reno.recvNothing();
            }
        }
        assertEquals(11 * MSS, tcb.snd.recovery.pipe());
        // At ssthresh (from the 16th ACK, which sends nothing), PRR-SSRB keeps pipe there: a segment for a segment.
        for (int k = 17; k <= 21; k++)
        {
            reno.send(seg(ACK).seq(IRS + 1).ack(segment(11)).sack(segment(12), segment(++right)));
            reno.recv(data(next++, false));
        }
        // The retransmission arrives after segment 32, the last sent before it: the cumulative ACK covers the
        // recovery point and recovery ends with cwnd = ssthresh: ten segments in flight, one more goes.
        assertEquals(33, right);
        final int una = segment(right);
        reno.send(seg(ACK).seq(IRS + 1).ack(una));
        assertEquals(11 * MSS, tcb.snd.cc.cwnd());
        reno.recv(data(next, false));
        assertEquals(11 * MSS, tcb.snd.inFlight());
    }

    @Test
    void rfc2883_aDsackForTheOnlyRetransmissionUndoesTheReduction()
    {
        final Tcb tcb = sackConnectionWithRtt(t);
        write(tcb, 5);
        t.sent();
        final int before = tcb.snd.cc.cwnd();
        t.advance(10);
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(2), segment(3)));
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(2), segment(4)));
        t.send(seg(ACK).seq(IRS + 1).ack(segment(1)).sack(segment(2), segment(5)));
        t.recv(data(1, false));
        assertEquals((int)(before * 0.7), tcb.snd.cc.cwnd(), "CUBIC's reduction to 0.7");
        // Segment 1 was only late: its retransmission comes back as a duplicate.
        t.send(seg(ACK).seq(IRS + 1).ack(segment(6)).sack(segment(1), segment(2)));
        assertEquals(1, t.counter("tcp.undos"));
        assertEquals(before, tcb.snd.cc.cwnd(), "the reduction is undone");
    }
}

