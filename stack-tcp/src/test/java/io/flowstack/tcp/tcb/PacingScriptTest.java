package io.flowstack.tcp.tcb;

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
 * Pacing on the core's timers: CUBIC with pacing switched on (as Linux paces with fq) sends a window not at once but
 * a quantum at a time, each after the previous one's length at the pacing rate.
 */
class PacingScriptTest
{
    private static final int MSS = 1460;

    private final Recorder app = new Recorder();

    /** An ESTABLISHED connection that measured a 10 ms round trip on a first 100-byte write (sent unpaced). */
    private static Tcb connectionWithRtt(final TcpScript t, final Recorder app)
    {
        final Tcb tcb = t.connection(TcpState.ESTABLISHED, false, true, app);
        tcb.noDelay(true);
        tcb.write(new UnsafeBuffer(bytes(100)), 0, 100);
        t.recv(seg(ACK | PSH).seq(ISS + 1).ack(IRS + 1).len(100));
        t.advance(10);
        t.send(seg(ACK).seq(IRS + 1).ack(ISS + 101));
        assertEquals(10_000_000L, tcb.snd.rtt.srtt());
        return tcb;
    }

    private static TcpScript.Seg data(final int i, final boolean last)
    {
        return seg(last ? ACK | PSH : ACK).seq(ISS + 101 + (i - 1) * MSS).ack(IRS + 1).len(MSS);
    }

    @Test
    void cubicWithPacingSendsAQuantumPerPacingInterval()
    {
        final TcpScript t = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 16).withPacing(true), ISS);
        final Tcb tcb = connectionWithRtt(t, app);
        // Slow start: 14600 + 100 bytes of window, paced at twice cwnd per SRTT (Linux's tcp_pacing_ss_ratio).
        assertEquals(14_700, tcb.snd.cc.cwnd());
        final long rate = 14_700L * 2 * 1_000_000_000L / 10_000_000L;
        final long gap = MSS * 1_000_000_000L / rate;
        // The quantum is a millisecond of data (2940 bytes): three segments go before it is spent. The burst gets
        // half the quantum's time back as credit for the idle time before it (as Linux credits a late TSO burst).
        tcb.write(new UnsafeBuffer(bytes(9 * MSS)), 0, 9 * MSS);
        t.recv(data(1, false), data(2, false), data(3, false));
        final long halfQuantum = 2940 * 1_000_000_000L / rate / 2;
        long next = 3 * gap - halfQuantum;
        assertEquals(next, t.tcp.nextDeadline() - t.clock.nanoTime());
        t.advanceNs(next - 1);
        t.recvNothing();
        t.advanceNs(1);
        t.recv(data(4, false), data(5, false), data(6, false));
        t.advanceNs(3 * gap - 1);
        t.recvNothing();
        t.advanceNs(1);
        t.recv(data(7, false), data(8, false), data(9, true));
        t.advanceNs(3 * gap);
        t.recvNothing();
    }

    @Test
    void cubicWithoutPacingSendsTheWindowAtOnce()
    {
        final TcpScript t = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 16), ISS);
        final Tcb tcb = connectionWithRtt(t, app);
        tcb.write(new UnsafeBuffer(bytes(9 * MSS)), 0, 9 * MSS);
        t.recv(data(1, false), data(2, false), data(3, false), data(4, false), data(5, false), data(6, false),
            data(7, false), data(8, false), data(9, true));
    }
}
