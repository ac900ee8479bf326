package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.TcpConfig;
import io.flowstack.tcp.TcpConnection;
import io.flowstack.tcp.TcpHandler;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.stateful.Action;
import net.jqwik.api.stateful.ActionSequence;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.flowstack.ip.wire.TcpFlyweight.ACK;
import static io.flowstack.ip.wire.TcpFlyweight.FIN;
import static io.flowstack.ip.wire.TcpFlyweight.RST;
import static io.flowstack.ip.wire.TcpFlyweight.SYN;
import static io.flowstack.tcp.tcb.TcpScript.Seg.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A stateful test of one TCB against a reference model of RFC 9293's transitions. Actions are application calls
 * (listen, connect, send, receive, shutdown, close, abort), peer segments with any flags and with sequence and
 * acknowledgment numbers in, around and outside the window (ISNs near the 2^31 and 2^32 wraps), and time passing.
 * After every step: the state moved only along edges the RFC allows; SND.UNA =< SND.NXT; the right edge of the
 * advertised window never moved left; every byte delivered was sent by the peer, in order; a segment the TCB
 * must drop drew at most one reply. A shrunk counterexample prints as a packet trace.
 */
class TcpStateMachineProperties
{
    /** RFC 9293 figure 5 (and 3.10.7: SYN-RECEIVED on FIN goes to CLOSE-WAIT), plus CLOSED by RST, ABORT, timeout. */
    private static final Map<TcpState, Set<TcpState>> EDGES = new EnumMap<>(TcpState.class);

    static
    {
        EDGES.put(TcpState.CLOSED, EnumSet.of(TcpState.SYN_SENT, TcpState.SYN_RECEIVED));
        EDGES.put(TcpState.SYN_SENT, EnumSet.of(TcpState.SYN_RECEIVED, TcpState.ESTABLISHED, TcpState.CLOSED));
        EDGES.put(TcpState.SYN_RECEIVED, EnumSet.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.CLOSE_WAIT,
            TcpState.CLOSED));
        EDGES.put(TcpState.ESTABLISHED, EnumSet.of(TcpState.FIN_WAIT_1, TcpState.CLOSE_WAIT, TcpState.CLOSED));
        EDGES.put(TcpState.FIN_WAIT_1, EnumSet.of(TcpState.FIN_WAIT_2, TcpState.CLOSING, TcpState.TIME_WAIT,
            TcpState.CLOSED));
        EDGES.put(TcpState.FIN_WAIT_2, EnumSet.of(TcpState.TIME_WAIT, TcpState.CLOSED));
        EDGES.put(TcpState.CLOSE_WAIT, EnumSet.of(TcpState.LAST_ACK, TcpState.CLOSED));
        EDGES.put(TcpState.CLOSING, EnumSet.of(TcpState.TIME_WAIT, TcpState.CLOSED));
        EDGES.put(TcpState.LAST_ACK, EnumSet.of(TcpState.CLOSED));
        EDGES.put(TcpState.TIME_WAIT, EnumSet.of(TcpState.CLOSED));
        EDGES.put(TcpState.LISTEN, EnumSet.noneOf(TcpState.class));
    }

    /** One step may take several edges (a SYN,ACK carrying a FIN): is {@code to} reachable from {@code from}? */
    static boolean reachable(final TcpState from, final TcpState to)
    {
        if (from == to)
        {
            return true;
        }
        final Set<TcpState> seen = EnumSet.of(from);
        final List<TcpState> frontier = new ArrayList<>(List.of(from));
        while (!frontier.isEmpty())
        {
            final TcpState s = frontier.remove(0);
            for (final TcpState n : EDGES.get(s))
            {
                if (n == to)
                {
                    return true;
                }
                if (seen.add(n))
                {
                    frontier.add(n);
                }
            }
        }
        return false;
    }

    static byte pattern(final long offset)
    {
        return (byte)(offset * 31 + 7);
    }

    /** The system under test and what the model knows. */
    static final class Machine implements TcpHandler
    {
        final TcpScript t;
        final int irs;
        final List<String> trace = new ArrayList<>();
        final UnsafeBuffer rx = new UnsafeBuffer(new byte[1 << 17]);
        Tcb tcb;
        boolean listening;
        long delivered;
        long peerSent;
        TcpState lastState = TcpState.CLOSED;
        int lastRightEdge;
        boolean haveEdge;

        Machine(final int iss, final int irs)
        {
            this.t = new TcpScript(TcpConfig.DEFAULT.withBuffers(1 << 14).withMsl(1_000_000_000L), iss);
            this.irs = irs;
        }

        TcpState state()
        {
            return tcb == null ? TcpState.CLOSED : tcb.tcpState();
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            if (tcb == null)
            {
                tcb = (Tcb)c;
            }
        }

        @Override
        public void onData(final TcpConnection c)
        {
        }

        /** Reads what arrived and checks it is the peer's stream, in order. */
        void drain()
        {
            if (tcb == null)
            {
                return;
            }
            int n;
            while ((n = tcb.read(rx, 0, rx.capacity())) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    assertEquals(pattern(delivered), rx.getByte(i), "byte " + delivered + " delivered out of order or"
                        + " not sent by the peer\n" + String.join("\n", trace));
                    delivered++;
                }
            }
        }

        void check(final String step)
        {
            trace.add(step + "  -> " + state() + (tcb == null ? "" : " una=" + tcb.sndUna + " nxt=" + tcb.sndNxt
                + " rcv.nxt=" + tcb.rcvNxt() + " adv=" + tcb.rcvAdv));
            final TcpState now = state();
            if (!reachable(lastState, now) && !(tcb != null && tcb.closed))
            {
                fail("illegal transition " + lastState + " -> " + now + "\n" + String.join("\n", trace));
            }
            lastState = now;
            if (tcb != null && !tcb.closed)
            {
                assertTrue(Seq.le(tcb.sndUna, tcb.sndNxt), "SND.UNA > SND.NXT\n" + String.join("\n", trace));
                if (tcb.state.isSynchronized() || tcb.state == TcpState.SYN_RECEIVED)
                {
                    if (haveEdge)
                    {
                        assertTrue(Seq.ge(tcb.rcvAdv, lastRightEdge), "the right edge of the window moved left\n"
                            + String.join("\n", trace));
                    }
                    lastRightEdge = tcb.rcvAdv;
                    haveEdge = true;
                }
            }
            if (tcb != null && tcb.closed)
            {
                // A new connection may start later (the peer's stream starts again): forget this one.
                tcb = null;
                haveEdge = false;
                delivered = 0;
                lastState = TcpState.CLOSED;
            }
        }
    }

    // ---- actions --------------------------------------------------------------------------------------------

    static Action<Machine> listen()
    {
        return new Action<>()
        {
            @Override
            public boolean precondition(final Machine m)
            {
                return !m.listening;
            }

            @Override
            public Machine run(final Machine m)
            {
                m.t.tcp.listen(0, TcpScript.LOCAL_PORT, c ->
                {
                    // The model follows one connection: the first one it sees.
                    if (m.tcb == null)
                    {
                        m.tcb = (Tcb)c;
                    }
                    return m;
                });
                m.listening = true;
                m.check("app: listen");
                return m;
            }

            @Override
            public String toString()
            {
                return "listen";
            }
        };
    }

    /** The peer sends a segment; seq and ack are placed relative to the TCB's variables by {@code where}. */
    static Action<Machine> peer(final int flags, final int seqWhere, final int ackWhere, final int length)
    {
        return new Action<>()
        {
            @Override
            public Machine run(final Machine m)
            {
                final Tcb tcb = m.tcb;
                final int rcvNxt = tcb == null ? m.irs : tcb.rcvNxt();
                final int window = tcb == null ? 1 << 14 : Math.max(1, tcb.rcvAdv - rcvNxt);
                final int seq = (flags & SYN) != 0 && (tcb == null || tcb.state == TcpState.SYN_SENT) ? m.irs
                    : place(rcvNxt, window, seqWhere);
                final int ack = tcb == null ? 0 : place(tcb.sndNxt, Math.max(1, tcb.inFlight()), ackWhere);
                final byte[] payload = new byte[length];
                // The peer's stream: byte k after its ISN is pattern(k), whatever segment carries it.
                // Data rides after the SYN, which takes the first sequence number (RFC 9293 3.4).
                final int firstData = (flags & SYN) != 0 ? seq + 1 : seq;
                final long offset = Integer.toUnsignedLong(firstData - (m.irs + 1));
                for (int i = 0; i < length; i++)
                {
                    payload[i] = pattern(offset + i);
                }
                final TcpScript.Seg s = seg(flags).seq(seq).ack(ack).window(8192).payload(payload);
                if ((flags & SYN) != 0)
                {
                    s.mss(1460);
                }
                final boolean inWindow = tcb != null && TcpInput.acceptable(seq, length
                    + ((flags & (SYN | FIN)) != 0 ? 1 : 0), rcvNxt, window);
                final boolean synchronizedBefore = tcb != null && !tcb.closed && tcb.state.isSynchronized();
                if (tcb != null)
                {
                    // Segments of the followed connection; without one, to the listening port.
                    s.ports(tcb.remotePort, tcb.localPort);
                }
                m.t.send(s);
                final int replies = m.t.sent().size();
                m.drain();
                // Reading may open the window and send an update: that belongs to this step, not the next.
                m.t.sent();
                final String step = "peer: " + TcpScript.Seg.flagNames(flags) + " seq=" + Integer.toUnsignedString(seq)
                    + " ack=" + Integer.toUnsignedString(ack) + " len=" + length + " -> " + replies + " segment(s)";
                if (synchronizedBefore && !inWindow)
                {
                    assertTrue(replies <= 1, "a bad segment drew " + replies + " replies\n" + String.join("\n", m.trace)
                        + "\n" + step);
                }
                m.check(step);
                return m;
            }

            @Override
            public String toString()
            {
                return "peer " + TcpScript.Seg.flagNames(flags) + " seq@" + seqWhere + " ack@" + ackWhere + " len " + length;
            }
        };
    }

    /** Positions around a window: 0 at its start, 1 inside, 2 at its end, 3 just before, 4 far outside. */
    static int place(final int start, final int window, final int where)
    {
        return switch (where)
        {
            case 0 -> start;
            case 1 -> start + window / 2;
            case 2 -> start + window;
            case 3 -> start - 1;
            default -> start + (1 << 30);
        };
    }

    static Action<Machine> app(final String what)
    {
        return new Action<>()
        {
            @Override
            public Machine run(final Machine m)
            {
                final long now = m.t.clock.nanoTime();
                switch (what)
                {
                    case "connect" ->
                    {
                        if (m.tcb == null)
                        {
                            m.tcb = (Tcb)m.t.tcp.connect(TcpScript.PEER_IP, 7, m);
                        }
                    }
                    case "send" ->
                    {
                        if (m.tcb != null)
                        {
                            m.tcb.write(new UnsafeBuffer(new byte[700]), 0, 700);
                        }
                    }
                    case "shutdown" ->
                    {
                        if (m.tcb != null)
                        {
                            m.tcb.shutdownOutput();
                        }
                    }
                    case "close" ->
                    {
                        if (m.tcb != null)
                        {
                            m.tcb.close();
                        }
                    }
                    case "abort" ->
                    {
                        if (m.tcb != null)
                        {
                            m.tcb.abort();
                        }
                    }
                    default -> m.drain();
                }
                m.t.run();
                m.t.sent();
                m.drain();
                m.check("app: " + what);
                return m;
            }

            @Override
            public String toString()
            {
                return "app " + what;
            }
        };
    }

    static Action<Machine> time(final long ms)
    {
        return new Action<>()
        {
            @Override
            public Machine run(final Machine m)
            {
                m.t.advance(ms);
                m.t.sent();
                m.drain();
                m.check("time +" + ms + " ms");
                return m;
            }

            @Override
            public String toString()
            {
                return "time +" + ms + " ms";
            }
        };
    }

    @Provide
    Arbitrary<ActionSequence<Machine>> steps()
    {
        final Arbitrary<Action<Machine>> peer = net.jqwik.api.Combinators.combine(
            Arbitraries.of(SYN, SYN | ACK, ACK, ACK | FIN, RST, RST | ACK, ACK | RST | FIN, FIN, SYN | FIN),
            Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(0, 4),
            Arbitraries.of(0, 0, 1, 100, 1460)).as(TcpStateMachineProperties::peer);
        final Arbitrary<Action<Machine>> app = Arbitraries.of("connect", "send", "receive", "shutdown", "close", "abort")
            .map(TcpStateMachineProperties::app);
        final Arbitrary<Action<Machine>> time = Arbitraries.of(1L, 40L, 200L, 1_000L, 3_000L)
            .map(TcpStateMachineProperties::time);
        return Arbitraries.sequences(Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(1, Arbitraries.just(listen())),
            net.jqwik.api.Tuple.of(6, peer),
            net.jqwik.api.Tuple.of(3, app),
            net.jqwik.api.Tuple.of(2, time))).ofSize(30);
    }

    @Provide
    Arbitrary<Integer> isns()
    {
        return Arbitraries.of(1000, 0x7FFF_FF00, 0xFFFF_FF00, 0x7FFF_FFFF, -1);
    }

    @Property(tries = 200)
    void shouldFollowRfc9293(
        @ForAll("isns") final int iss,
        @ForAll("isns") final int irs,
        @ForAll("steps") final ActionSequence<Machine> steps)
    {
        steps.run(new Machine(iss, irs));
    }
}
