package io.flowstack.tcp.tcb;

import io.flowstack.ip.addr.IpAddress;
import io.flowstack.tcp.api.TcpState;
import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
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
import static io.flowstack.test.TcpScript.Seg.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A stateful test of one TCB against a model of RFC 9293's transitions. Actions are application calls (listen,
 * connect, send, receive, shutdown, close, abort), peer segments with any flags and with sequence and
 * acknowledgment numbers in, around and outside the window (ISNs near the 2^31 and 2^32 wraps), and time passing.
 * After every step: the state moved only to a state that this kind of action may lead to from the state before
 * (a peer FIN in ESTABLISHED leads to CLOSE-WAIT, never to CLOSING; a RST leads nowhere but CLOSED); SND.UNA =<
 * SND.NXT; the right edge of the advertised window never moved left; every byte delivered was sent by the peer,
 * in order; a segment the TCB must drop drew at most one reply. A shrunk counterexample prints as a packet trace.
 */
class TcpStateMachineProperties
{
    /** The kinds of step, as the model tells them apart. */
    enum Kind
    {
        LISTEN, CONNECT, SEND, RECEIVE, SHUTDOWN, ABORT, TIME, SEG_RST, SEG_SYN, SEG_SYN_ACK, SEG_SYN_FIN, SEG_ACK,
        SEG_ACK_FIN, SEG_FIN
    }

    private static Set<TcpState> states(final TcpState... s)
    {
        return s.length == 0 ? EnumSet.noneOf(TcpState.class) : EnumSet.copyOf(List.of(s));
    }

    /**
     * The states a step of this kind may lead to from {@code from} (RFC 9293 3.10, with this stack's documented
     * choices: a close in SYN-RECEIVED sends its FIN once ESTABLISHED; data for a closed socket resets).
     */
    static Set<TcpState> allowed(final Kind kind, final TcpState from, final boolean listening)
    {
        final Set<TcpState> to = states(from);
        switch (kind)
        {
            case LISTEN, SEND, RECEIVE, SEG_FIN ->
            {
            }
            case CONNECT ->
            {
                if (from == TcpState.CLOSED)
                {
                    to.add(TcpState.SYN_SENT);
                }
            }
            case SHUTDOWN ->
            {
                switch (from)
                {
                    case SYN_SENT -> to.add(TcpState.CLOSED);
                    case ESTABLISHED -> to.add(TcpState.FIN_WAIT_1);
                    case CLOSE_WAIT -> to.add(TcpState.LAST_ACK);
                    default ->
                    {
                    }
                }
            }
            case ABORT, SEG_RST -> to.add(TcpState.CLOSED);
            case TIME ->
            {
                if (from != TcpState.CLOSED)
                {
                    to.add(TcpState.CLOSED);
                }
                // Data and a FIN queued behind it go out when a timer lets them.
                if (from == TcpState.ESTABLISHED)
                {
                    to.add(TcpState.FIN_WAIT_1);
                }
                if (from == TcpState.CLOSE_WAIT)
                {
                    to.add(TcpState.LAST_ACK);
                }
            }
            case SEG_SYN, SEG_SYN_FIN ->
            {
                if (from == TcpState.CLOSED && listening && kind == Kind.SEG_SYN || from == TcpState.SYN_SENT)
                {
                    to.add(TcpState.SYN_RECEIVED);
                }
            }
            case SEG_SYN_ACK ->
            {
                if (from == TcpState.SYN_SENT)
                {
                    to.add(TcpState.ESTABLISHED);
                }
            }
            case SEG_ACK, SEG_ACK_FIN -> to.addAll(afterAck(from, kind == Kind.SEG_ACK_FIN));
            default -> throw new IllegalStateException(kind.toString());
        }
        return to;
    }

    private static Set<TcpState> afterAck(final TcpState from, final boolean fin)
    {
        return switch (from)
        {
            // Established by the ACK; a close made meanwhile sends FIN; a FIN on it, or one held from the SYN
            // (RFC 9293 3.10.7.3 queues it until ESTABLISHED), closes the peer's side.
            case SYN_RECEIVED -> states(TcpState.ESTABLISHED, TcpState.CLOSE_WAIT, TcpState.FIN_WAIT_1,
                TcpState.LAST_ACK, TcpState.CLOSING, TcpState.CLOSED);
            case ESTABLISHED -> fin
                ? states(TcpState.CLOSE_WAIT, TcpState.LAST_ACK, TcpState.FIN_WAIT_1, TcpState.CLOSED)
                : states(TcpState.FIN_WAIT_1, TcpState.CLOSED);
            case FIN_WAIT_1 -> fin
                ? states(TcpState.FIN_WAIT_2, TcpState.CLOSING, TcpState.TIME_WAIT, TcpState.CLOSED)
                : states(TcpState.FIN_WAIT_2, TcpState.CLOSED);
            case FIN_WAIT_2 -> fin ? states(TcpState.TIME_WAIT, TcpState.CLOSED) : states(TcpState.CLOSED);
            case CLOSE_WAIT -> states(TcpState.LAST_ACK);
            case CLOSING -> states(TcpState.TIME_WAIT);
            case LAST_ACK -> states(TcpState.CLOSED);
            default -> states();
        };
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
            return tcb == null ? TcpState.CLOSED : tcb.state;
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

        /** A passive open's TCB becomes visible in SYN-RECEIVED, before the application is told. */
        private void adopt()
        {
            if (tcb == null)
            {
                tcb = t.tcp.table.get(0, IpAddress.ipv4Low(TcpScript.STACK_IP), TcpScript.LOCAL_PORT, 0,
                    IpAddress.ipv4Low(TcpScript.PEER_IP), TcpScript.REMOTE_PORT);
            }
        }

        void check(final Kind kind, final String step)
        {
            adopt();
            trace.add(step + "  -> " + state() + (tcb == null ? "" : " una=" + tcb.snd.una + " nxt=" + tcb.snd.nxt
                + " rcv.nxt=" + tcb.rcv.nxt() + " adv=" + tcb.rcv.adv));
            final TcpState now = state();
            if (!allowed(kind, lastState, listening).contains(now))
            {
                fail("illegal transition " + lastState + " -> " + now + " on " + kind + "\n" + String.join("\n", trace));
            }
            lastState = now;
            if (tcb != null && !tcb.closed)
            {
                assertTrue(Seq.le(tcb.snd.una, tcb.snd.nxt), "SND.UNA > SND.NXT\n" + String.join("\n", trace));
                if (tcb.state.isSynchronized() || tcb.state == TcpState.SYN_RECEIVED)
                {
                    if (haveEdge)
                    {
                        assertTrue(Seq.ge(tcb.rcv.adv, lastRightEdge), "the right edge of the window moved left\n"
                            + String.join("\n", trace));
                    }
                    lastRightEdge = tcb.rcv.adv;
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
                m.check(Kind.LISTEN, "app: listen");
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
                final int rcvNxt = tcb == null ? m.irs : tcb.rcv.nxt();
                final int window = tcb == null ? 1 << 14 : Math.max(1, tcb.rcv.adv - rcvNxt);
                final int seq = (flags & SYN) != 0 && (tcb == null || tcb.state == TcpState.SYN_SENT) ? m.irs
                    : place(rcvNxt, window, seqWhere);
                final int ack = tcb == null ? 0 : place(tcb.snd.nxt, Math.max(1, tcb.snd.inFlight()), ackWhere);
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
                final boolean inWindow = tcb != null && SegmentArrives.acceptable(seq, length
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
                m.check(kindOf(flags), step);
                return m;
            }

            @Override
            public String toString()
            {
                return "peer " + TcpScript.Seg.flagNames(flags) + " seq@" + seqWhere + " ack@" + ackWhere + " len " + length;
            }
        };
    }

    static Kind kindOf(final int flags)
    {
        if ((flags & RST) != 0)
        {
            return Kind.SEG_RST;
        }
        if ((flags & SYN) != 0)
        {
            return (flags & ACK) != 0 ? Kind.SEG_SYN_ACK : (flags & FIN) != 0 ? Kind.SEG_SYN_FIN : Kind.SEG_SYN;
        }
        if ((flags & ACK) != 0)
        {
            return (flags & FIN) != 0 ? Kind.SEG_ACK_FIN : Kind.SEG_ACK;
        }
        return Kind.SEG_FIN;
    }

    static Kind appKind(final String what)
    {
        return switch (what)
        {
            case "connect" -> Kind.CONNECT;
            case "send" -> Kind.SEND;
            case "shutdown", "close" -> Kind.SHUTDOWN;
            case "abort" -> Kind.ABORT;
            default -> Kind.RECEIVE;
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
                m.check(appKind(what), "app: " + what);
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
                m.check(Kind.TIME, "time +" + ms + " ms");
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
        // Most segments are what a well-behaved peer would send next (exactly at RCV.NXT, acknowledging SND.NXT),
        // so that sequences reach the deep states; the rest probe the edges of the window.
        final Arbitrary<Integer> where = Arbitraries.frequency(
            net.jqwik.api.Tuple.of(6, 0), net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(1, 2),
            net.jqwik.api.Tuple.of(1, 3), net.jqwik.api.Tuple.of(1, 4));
        final Arbitrary<Integer> flags = Arbitraries.frequency(
            net.jqwik.api.Tuple.of(2, SYN), net.jqwik.api.Tuple.of(2, SYN | ACK), net.jqwik.api.Tuple.of(6, ACK),
            net.jqwik.api.Tuple.of(3, ACK | FIN), net.jqwik.api.Tuple.of(1, RST), net.jqwik.api.Tuple.of(1, RST | ACK),
            net.jqwik.api.Tuple.of(1, ACK | RST | FIN), net.jqwik.api.Tuple.of(1, FIN), net.jqwik.api.Tuple.of(1, SYN | FIN));
        final Arbitrary<Action<Machine>> peer = net.jqwik.api.Combinators.combine(
            flags, where, where, Arbitraries.of(0, 0, 1, 100, 1460)).as(TcpStateMachineProperties::peer);
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
