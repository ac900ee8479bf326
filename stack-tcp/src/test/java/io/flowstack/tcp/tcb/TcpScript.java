package io.flowstack.tcp.tcb;

import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.time.VirtualClock;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.ArpRepr;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.EthernetRepr;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.Ipv4Repr;
import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.ip.wire.TcpOptions;
import io.flowstack.ip.wire.TcpRepr;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.IsnGenerator;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpState;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Packet scripts for the TCB, in the style of smoltcp's socket tests: one core on an in-memory link with a
 * virtual clock and a fixed ISN; the test plays the peer: {@link #send} a segment, {@link #recv} exactly the
 * expected segments, {@link #recvNothing}, {@link #advance} time. Connections can be built directly in a state
 * ({@link #connection}) so that a script starts where its subject starts.
 * <p>
 * Expectations are strict: every header field and option of a segment the stack sends is compared (ports,
 * sequence and acknowledgment numbers, flags including PSH, window, urgent pointer, MSS, window scale,
 * SACK-permitted, timestamps, payload length and, when given, bytes). A field a script does not care about is
 * named with an {@code any...} wildcard.
 */
final class TcpScript
{
    static final long STACK_MAC = 0x02_00_00_00_00_02L;
    static final long PEER_MAC = 0x02_00_00_00_00_01L;
    static final int STACK_IP = Ipv4Flyweight.parseAddress("198.18.0.2");
    static final int PEER_IP = Ipv4Flyweight.parseAddress("198.18.0.1");
    static final int ISS = 10_000;
    static final int IRS = 5000;
    static final int LOCAL_PORT = 80;
    static final int REMOTE_PORT = 49152;
    /** The window a segment carries unless the script says otherwise (both directions). */
    static final int WINDOW = 65535;

    final VirtualClock clock = new VirtualClock(1_000_000_000L);
    final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 20);
    final FlowStack stack;
    final TcpLayer tcp;
    private final long startNs;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[70_000]);
    private final List<byte[]> out = new ArrayList<>();
    private final List<byte[]> outbox = new ArrayList<>();

    TcpScript(final TcpConfig config, final int iss)
    {
        startNs = clock.nanoTime();
        try
        {
            stack = FlowStack.builder()
                .clock(clock)
                .rssKey(ToeplitzHash.microsoftKey())
                .tcp(config)
                .isn(core -> IsnGenerator.fixed(iss))
                .poolSlots(64)
                .addInterface(new IpInterface(0, STACK_MAC, STACK_IP, 24, 1500, 0), NetworkDevice.shared(driver))
                .build();
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
        tcp = stack.tcp(0);
        stack.engine(0).start();
        // The peer introduces itself, as a kernel would before its first segment.
        final int n = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;
        new EthernetRepr(EthernetFlyweight.BROADCAST, PEER_MAC, EthernetFlyweight.TYPE_ARP)
            .emit(new EthernetFlyweight().wrap(scratch, 0, n));
        new ArpRepr(ArpFlyweight.OP_REQUEST, PEER_MAC, PEER_IP, 0, STACK_IP)
            .emit(new ArpFlyweight().wrap(scratch, EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH));
        driver.inject(scratch, 0, n);
        run();
        frames();
    }

    /** 64 KiB buffers (no window scaling needed), the default configuration otherwise. */
    TcpScript()
    {
        this(TcpConfig.DEFAULT.withBuffers(1 << 16), ISS);
    }

    /** Runs the core until it has nothing to do now; the peer answers the stack's ARP requests on the way. */
    void run()
    {
        int guard = 0;
        boolean answered = true;
        while (answered)
        {
            while (stack.engine(0).doWork() > 0)
            {
                if (++guard > 100_000)
                {
                    fail("stack does not settle");
                }
            }
            answered = false;
            out.clear();
            driver.drainTransmitted(this::collect, Integer.MAX_VALUE);
            for (final byte[] f : out)
            {
                final UnsafeBuffer b = new UnsafeBuffer(f);
                if (new EthernetFlyweight().wrap(b, 0, f.length).etherType() == EthernetFlyweight.TYPE_ARP)
                {
                    final ArpFlyweight arp = new ArpFlyweight().wrap(b, 14, f.length - 14);
                    if (arp.operation() == ArpFlyweight.OP_REQUEST && arp.targetProtocolAddress() == PEER_IP)
                    {
                        final int n = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;
                        new EthernetRepr(STACK_MAC, PEER_MAC, EthernetFlyweight.TYPE_ARP)
                            .emit(new EthernetFlyweight().wrap(scratch, 0, n));
                        new ArpRepr(ArpFlyweight.OP_REPLY, PEER_MAC, PEER_IP, STACK_MAC, STACK_IP)
                            .emit(new ArpFlyweight().wrap(scratch, EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH));
                        driver.inject(scratch, 0, n);
                        answered = true;
                    }
                    continue;
                }
                outbox.add(f);
            }
        }
    }

    /** Moves virtual time forward and runs what became due. */
    void advance(final long millis)
    {
        clock.advance(millis * 1_000_000L);
        run();
    }

    /** Moves virtual time forward by nanoseconds (pacing intervals are finer than a millisecond). */
    void advanceNs(final long nanos)
    {
        clock.advance(nanos);
        run();
    }

    /** @return nanoseconds of virtual time since the script started. */
    long elapsedNs()
    {
        return clock.nanoTime() - startNs;
    }

    /** @return milliseconds of virtual time since the script started. */
    long elapsedMillis()
    {
        return (clock.nanoTime() - startNs) / 1_000_000L;
    }

    /** @return the stack's RFC 7323 timestamp clock now (1 ms ticks, 1 at the start). */
    int tsNow()
    {
        return (int)elapsedMillis() + 1;
    }

    /** The peer sends a segment. */
    void send(final Seg s)
    {
        if (!s.sackLefts.isEmpty())
        {
            sendWithSack(s);
            return;
        }
        final TcpRepr repr = s.repr();
        final int tcpLength = repr.tcpLength();
        final int total = Ipv4Flyweight.MIN_HEADER_LENGTH + tcpLength;
        final int n = EthernetFlyweight.HEADER_LENGTH + total;
        new EthernetRepr(STACK_MAC, PEER_MAC, EthernetFlyweight.TYPE_IPV4).emit(new EthernetFlyweight().wrap(scratch, 0, n));
        final TcpFlyweight f = new TcpFlyweight().wrap(scratch, 34, tcpLength);
        repr.emit(f, PEER_IP, STACK_IP, new UnsafeBuffer(s.payload), 0);
        if (s.rawOptions != null)
        {
            scratch.putBytes(34 + 20, s.rawOptions);
            f.computeChecksum(PEER_IP, STACK_IP, tcpLength);
        }
        if (s.corruptChecksum)
        {
            f.checksum(f.checksum() ^ 0x1234);
        }
        new Ipv4Repr(0, total, 1, 0x4000, 64, Ipv4Flyweight.PROTO_TCP, PEER_IP, STACK_IP)
            .emit(new Ipv4Flyweight().wrap(scratch, 14, total));
        driver.inject(scratch, 0, n);
        run();
    }

    /** A segment whose options carry SACK blocks (TcpRepr has none): written field by field. */
    private void sendWithSack(final Seg s)
    {
        final TcpOptions options = s.repr().options(new TcpOptions());
        for (int i = 0; i < s.sackLefts.size(); i++)
        {
            options.addSackBlock(s.sackLefts.get(i), s.sackRights.get(i));
        }
        final int headerLength = TcpFlyweight.HEADER_LENGTH + options.length();
        final int tcpLength = headerLength + s.payload.length;
        final int total = Ipv4Flyweight.MIN_HEADER_LENGTH + tcpLength;
        final int n = EthernetFlyweight.HEADER_LENGTH + total;
        new EthernetRepr(STACK_MAC, PEER_MAC, EthernetFlyweight.TYPE_IPV4).emit(new EthernetFlyweight().wrap(scratch, 0, n));
        final TcpFlyweight f = new TcpFlyweight().wrap(scratch, 34, tcpLength);
        f.sourcePort(s.sourcePort).destinationPort(s.destinationPort).sequenceNumber(s.seq == null ? 0 : s.seq)
            .acknowledgmentNumber(s.ack == null ? 0 : s.ack).dataOffset(headerLength).flags(s.flags).window(s.window)
            .urgentPointer(0);
        options.emit(scratch, 34 + TcpFlyweight.HEADER_LENGTH);
        scratch.putBytes(34 + headerLength, s.payload);
        f.computeChecksum(PEER_IP, STACK_IP, tcpLength);
        new Ipv4Repr(0, total, 1, 0x4000, 64, Ipv4Flyweight.PROTO_TCP, PEER_IP, STACK_IP)
            .emit(new Ipv4Flyweight().wrap(scratch, 14, total));
        driver.inject(scratch, 0, n);
        run();
    }

    /** Frames the stack sent since the last call. */
    List<byte[]> frames()
    {
        run();
        final List<byte[]> result = new ArrayList<>(outbox);
        outbox.clear();
        return result;
    }

    private void collect(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final byte[] f = new byte[length];
        buffer.getBytes(index, f);
        out.add(f);
    }

    /** Parses the TCP segments the stack sent since the last call. */
    List<Sent> sent()
    {
        final List<Sent> result = new ArrayList<>();
        for (final byte[] frame : frames())
        {
            final UnsafeBuffer b = new UnsafeBuffer(frame);
            if (new EthernetFlyweight().wrap(b, 0, frame.length).etherType() != EthernetFlyweight.TYPE_IPV4)
            {
                continue;
            }
            final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(b, 14, frame.length - 14);
            assertEquals(Ipv4Flyweight.VALID, ip.validate(), "stack sent a bad IPv4 header");
            if (ip.protocol() != Ipv4Flyweight.PROTO_TCP)
            {
                continue;
            }
            final TcpFlyweight f = new TcpFlyweight().wrap(b, ip.payloadOffset(), ip.payloadLength());
            assertEquals(TcpFlyweight.VALID, f.check(), "stack sent a bad TCP header");
            assertTrue(f.checksumValid(ip.source(), ip.destination(), ip.payloadLength()), "stack sent a bad TCP checksum");
            assertTrue(ip.dontFragment(), "TCP segments go with DF");
            assertEquals(STACK_IP, ip.source(), "source address");
            assertEquals(PEER_IP, ip.destination(), "destination address");
            final TcpOptions options = new TcpOptions();
            final TcpRepr repr = TcpRepr.parse(f, options);
            final byte[] payload = Arrays.copyOfRange(frame, f.payloadOffset(), f.payloadOffset() + repr.payloadLength());
            final List<String> blocks = new ArrayList<>();
            for (int i = 0; i < options.sackBlockCount(); i++)
            {
                blocks.add(Integer.toUnsignedString(options.sackLeft(i)) + "-" + Integer.toUnsignedString(options.sackRight(i)));
            }
            result.add(new Sent(repr, blocks, payload));
        }
        return result;
    }

    /** Exactly one segment was sent, and it matches. */
    Sent recv(final Seg expected)
    {
        final List<Sent> s = sent();
        assertEquals(1, s.size(), "expected one segment, got " + s);
        expected.assertMatches(s.get(0));
        return s.get(0);
    }

    /** Several segments, each matching in order. */
    List<Sent> recv(final Seg... expected)
    {
        final List<Sent> s = sent();
        assertEquals(expected.length, s.size(), "segments: " + s);
        for (int i = 0; i < expected.length; i++)
        {
            expected[i].assertMatches(s.get(i));
        }
        return s;
    }

    void recvNothing()
    {
        final List<Sent> s = sent();
        assertEquals(List.of(), s, "expected no segment");
    }

    long counter(final String name)
    {
        return stack.ip(0).counters().get(name);
    }

    /**
     * Builds a connection directly in a state, as if a handshake with the script's defaults had happened (ISS and
     * IRS as the script's constants, the peer's window {@link #WINDOW}, MSS 1460, no window scaling): no segment
     * is exchanged. Closing states are reached as their usual path would: FIN-WAIT-1 has our FIN in flight,
     * FIN-WAIT-2 has it acknowledged, CLOSE-WAIT has the peer's FIN, LAST-ACK and CLOSING both.
     *
     * @param state      ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK or TIME-WAIT.
     * @param timestamps whether both sides use timestamps (the peer's last TSval is then 1).
     * @param handler    the application.
     * @return the connection.
     */
    Tcb connection(final TcpState state, final boolean timestamps, final TcpHandler handler)
    {
        return connection(state, timestamps, false, handler);
    }

    /**
     * As {@link #connection(TcpState, boolean, TcpHandler)}, with SACK negotiated or not (RFC 2018).
     */
    Tcb connection(final TcpState state, final boolean timestamps, final boolean sack, final TcpHandler handler)
    {
        tcp.enter();
        try
        {
            final long now = clock.nanoTime();
            final Tcb tcb = tcp.newTcb(tcp.ipv4.interfaceAt(0), STACK_IP, LOCAL_PORT, PEER_IP, REMOTE_PORT,
                ConnectionOptions.DEFAULT, now);
            tcb.handler = handler;
            tcb.sack = sack;
            tcb.windowScaling = false;
            tcb.rcv.wndShift = 0;
            tcb.timestamps = timestamps;
            tcb.rcv.tsRecent = timestamps ? 1 : 0;
            tcb.rcv.reset(IRS);
            tcb.snd.una = ISS + 1;
            tcb.snd.nxt = ISS + 1;
            tcb.snd.max = ISS + 1;
            tcb.snd.wnd = WINDOW;
            tcb.snd.maxWnd = WINDOW;
            tcb.snd.wl1 = IRS + 1;
            tcb.snd.wl2 = ISS + 1;
            tcb.snd.mss = 1460 - (timestamps ? SynOptions.TIMESTAMPS_LENGTH : 0);
            tcb.snd.cc.init(tcb.snd.mss, now);
            tcb.snd.record.clear();
            tcb.snd.roundEnd = tcb.snd.una;
            tcb.snd.useSack(sack);
            tcb.rcv.windowField(false);
            tcb.lastHeardNs = now;
            tcb.state = TcpState.ESTABLISHED;
            final boolean ourFin = state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2
                || state == TcpState.CLOSING || state == TcpState.LAST_ACK || state == TcpState.TIME_WAIT;
            final boolean peerFin = state == TcpState.CLOSE_WAIT || state == TcpState.CLOSING
                || state == TcpState.LAST_ACK || state == TcpState.TIME_WAIT;
            final boolean finAcked = state == TcpState.FIN_WAIT_2 || state == TcpState.TIME_WAIT;
            if (ourFin)
            {
                tcb.closeRequested = true;
                tcb.snd.outputShutdown = true;
                tcb.snd.finSent = true;
                tcb.snd.finSeq = ISS + 1;
                tcb.snd.nxt = ISS + 2;
                tcb.snd.max = ISS + 2;
                if (finAcked)
                {
                    tcb.snd.una = ISS + 2;
                }
                else
                {
                    tcb.snd.record.sent(ISS + 1, 1, now);
                    tcb.timers.set(TimerTable.RETRANSMIT, now + tcb.snd.rtt.rto());
                }
            }
            if (peerFin)
            {
                tcb.rcv.finReceived = true;
            }
            tcb.state = state;
            if (state == TcpState.TIME_WAIT)
            {
                tcp.enterTimeWait(tcb, now);
            }
            tcb.events = 0;
            tcp.touch(tcb);
            return tcb;
        }
        finally
        {
            tcp.exit();
        }
    }

    /** A segment the stack sent. */
    record Sent(TcpRepr tcp, List<String> sackBlocks, byte[] payload)
    {
        @Override
        public String toString()
        {
            return "[" + Seg.flagNames(tcp.flags()) + " seq=" + Integer.toUnsignedString(tcp.sequenceNumber())
                + " ack=" + Integer.toUnsignedString(tcp.acknowledgmentNumber()) + " win=" + tcp.window()
                + (tcp.mss() >= 0 ? " mss=" + tcp.mss() : "") + (tcp.windowScale() >= 0 ? " ws=" + tcp.windowScale() : "")
                + (tcp.timestamps() ? " ts=" + Integer.toUnsignedString(tcp.tsVal()) + "/"
                + Integer.toUnsignedString(tcp.tsEcr()) : "") + (sackBlocks.isEmpty() ? "" : " sack=" + sackBlocks)
                + " len=" + tcp.payloadLength() + "]";
        }
    }

    /**
     * A segment to send, or the expectation of one. As an expectation every field is compared: what a script does
     * not set has its default (no options, window {@link #WINDOW}, no payload, the script's ports), and what it does
     * not care about it names with an {@code any...} wildcard. Sequence numbers have no default: an expectation
     * must give them (or say {@link #anySeq()} / {@link #anyAck()}).
     */
    static final class Seg
    {
        int flags;
        Integer seq;
        Integer ack;
        int window = WINDOW;
        int mss = TcpOptions.ABSENT;
        int windowScale = TcpOptions.ABSENT;
        boolean sackPermitted;
        boolean timestamps;
        int tsVal;
        int tsEcr;
        byte[] payload = new byte[0];
        int payloadLength;
        boolean payloadBytes = true;
        boolean corruptChecksum;
        byte[] rawOptions;
        final List<Integer> sackLefts = new ArrayList<>();
        final List<Integer> sackRights = new ArrayList<>();
        int sourcePort = REMOTE_PORT;
        int destinationPort = LOCAL_PORT;
        private boolean anySeq;
        private boolean anyAck;
        private boolean anyWindow;
        private boolean anyTsVal;
        private boolean anyPorts;

        static Seg seg(final int flags)
        {
            final Seg s = new Seg();
            s.flags = flags;
            return s;
        }

        /** The peer's ports: {@code peer} is the peer's port, {@code stack} ours (the same in both directions). */
        Seg ports(final int peer, final int stack)
        {
            sourcePort = peer;
            destinationPort = stack;
            return this;
        }

        Seg seq(final int v)
        {
            seq = v;
            return this;
        }

        Seg ack(final int v)
        {
            ack = v;
            return this;
        }

        Seg window(final int v)
        {
            window = v;
            return this;
        }

        Seg mss(final int v)
        {
            mss = v;
            return this;
        }

        Seg ws(final int v)
        {
            windowScale = v;
            return this;
        }

        Seg sackPermitted()
        {
            sackPermitted = true;
            return this;
        }

        /** A SACK block (sent by the peer, or expected from the stack, in this order). */
        Seg sack(final int left, final int right)
        {
            sackLefts.add(left);
            sackRights.add(right);
            return this;
        }

        Seg ts(final int val, final int ecr)
        {
            timestamps = true;
            tsVal = val;
            tsEcr = ecr;
            return this;
        }

        Seg payload(final byte[] p)
        {
            payload = p;
            payloadLength = p.length;
            payloadBytes = true;
            return this;
        }

        /** {@code n} bytes of payload: zeros when the peer sends it, whatever they are when expected. */
        Seg len(final int n)
        {
            payload = new byte[n];
            payloadLength = n;
            payloadBytes = false;
            return this;
        }

        Seg badChecksum()
        {
            corruptChecksum = true;
            return this;
        }

        Seg rawOptions(final byte[] options)
        {
            rawOptions = options;
            return this;
        }

        /** Wildcard: any sequence number. */
        Seg anySeq()
        {
            anySeq = true;
            return this;
        }

        /** Wildcard: any acknowledgment number. */
        Seg anyAck()
        {
            anyAck = true;
            return this;
        }

        /** Wildcard: any window. */
        Seg anyWindow()
        {
            anyWindow = true;
            return this;
        }

        /** Wildcard: timestamps present with this TSecr, any TSval. */
        Seg tsEcr(final int ecr)
        {
            timestamps = true;
            tsEcr = ecr;
            anyTsVal = true;
            return this;
        }

        /** Wildcard: any ports (an active open's ephemeral port before the script knows it). */
        Seg anyPorts()
        {
            anyPorts = true;
            return this;
        }

        TcpRepr repr()
        {
            final int s = seq == null ? 0 : seq;
            final int a = ack == null ? 0 : ack;
            if (rawOptions != null)
            {
                // Raw options: a header with room for them (the timestamps option's 12 bytes) and nothing parsed.
                return new TcpRepr(sourcePort, destinationPort, s, a, flags, window, 0, -1, -1, false, true, 0, 0,
                    payload.length);
            }
            return new TcpRepr(sourcePort, destinationPort, s, a, flags, window, 0, mss, windowScale, sackPermitted,
                timestamps, tsVal, tsEcr, payload.length);
        }

        void assertMatches(final Sent s)
        {
            final TcpRepr t = s.tcp();
            final String what = " of " + s;
            assertEquals(flagNames(flags), flagNames(t.flags()), "flags" + what);
            if (!anyPorts)
            {
                assertEquals(destinationPort, t.sourcePort(), "source port" + what);
                assertEquals(sourcePort, t.destinationPort(), "destination port" + what);
            }
            if (!anySeq)
            {
                assertTrue(seq != null, "the expectation gives no seq (set it or say anySeq())");
                assertEquals(Integer.toUnsignedString(seq), Integer.toUnsignedString(t.sequenceNumber()), "seq" + what);
            }
            if (!anyAck)
            {
                final int expectedAck = ack != null ? ack : 0;
                assertTrue(ack != null || (flags & TcpFlyweight.ACK) == 0,
                    "the expectation gives no ack (set it or say anyAck())");
                assertEquals(Integer.toUnsignedString(expectedAck), Integer.toUnsignedString(t.acknowledgmentNumber()),
                    "ack" + what);
            }
            if (!anyWindow)
            {
                assertEquals(window, t.window(), "window" + what);
            }
            assertEquals(0, t.urgentPointer(), "urgent pointer" + what);
            assertEquals(mss, t.mss(), "MSS option" + what);
            assertEquals(windowScale, t.windowScale(), "window scale option" + what);
            assertEquals(sackPermitted, t.sackPermitted(), "SACK-permitted option" + what);
            final List<String> expectedBlocks = new ArrayList<>();
            for (int i = 0; i < sackLefts.size(); i++)
            {
                expectedBlocks.add(Integer.toUnsignedString(sackLefts.get(i)) + "-"
                    + Integer.toUnsignedString(sackRights.get(i)));
            }
            assertEquals(expectedBlocks, s.sackBlocks(), "SACK blocks" + what);
            assertEquals(timestamps, t.timestamps(), "timestamps option" + what);
            if (timestamps)
            {
                if (!anyTsVal)
                {
                    assertEquals(Integer.toUnsignedString(tsVal), Integer.toUnsignedString(t.tsVal()), "TSval" + what);
                }
                assertEquals(Integer.toUnsignedString(tsEcr), Integer.toUnsignedString(t.tsEcr()), "TSecr" + what);
            }
            assertEquals(payloadLength, t.payloadLength(), "length" + what);
            if (payloadBytes)
            {
                assertTrue(Arrays.equals(payload, s.payload()), "payload" + what);
            }
        }

        static String flagNames(final int flags)
        {
            final StringBuilder b = new StringBuilder();
            final String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG"};
            for (int i = 0; i < names.length; i++)
            {
                if ((flags & (1 << i)) != 0)
                {
                    b.append(b.length() == 0 ? "" : "|").append(names[i]);
                }
            }
            return b.toString();
        }
    }
}
