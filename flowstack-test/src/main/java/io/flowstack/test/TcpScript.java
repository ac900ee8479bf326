package io.flowstack.test;

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
import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.CoreSetup;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.IsnGenerator;
import io.flowstack.tcp.api.TcpConfig;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Packet scripts for TCP, in the style of smoltcp's socket tests: a one-core stack on an in-memory link with a
 * virtual clock and a fixed ISN, driven on the test's thread; the test plays the peer: {@link #send} a segment,
 * {@link #recv} exactly the expected segments, {@link #recvNothing}, {@link #advance} time. The application under
 * test runs on the stack: install it with a {@link CoreSetup}, or call {@link #core()} from the test (the test's
 * thread is the core's).
 * <p>
 * Expectations are strict: every header field and option of a segment the stack sends is compared (ports,
 * sequence and acknowledgment numbers, flags including PSH, window, urgent pointer, MSS, window scale,
 * SACK-permitted, timestamps, payload length and, when given, bytes). A field a script does not care about is
 * named with an {@code any...} wildcard.
 */
public class TcpScript
{
    /** The stack's MAC address. */
    public static final long STACK_MAC = 0x02_00_00_00_00_02L;
    /** The peer's (the script's) MAC address. */
    public static final long PEER_MAC = 0x02_00_00_00_00_01L;
    /** The stack's address, 198.18.0.2. */
    public static final int STACK_IP = Ipv4Flyweight.parseAddress("198.18.0.2");
    /** The peer's address, 198.18.0.1. */
    public static final int PEER_IP = Ipv4Flyweight.parseAddress("198.18.0.1");
    /** The stack's initial sequence number unless the script gives another. */
    public static final int ISS = 10_000;
    /** The initial sequence number scripts use for the peer, by convention. */
    public static final int IRS = 5000;
    /** The stack's port in a segment without {@link Seg#ports}. */
    public static final int LOCAL_PORT = 80;
    /** The peer's port in a segment without {@link Seg#ports}. */
    public static final int REMOTE_PORT = 49152;
    /** The window a segment carries unless the script says otherwise (both directions). */
    public static final int WINDOW = 65535;

    /** The stack's clock: it moves only when the script says ({@link #advance}). */
    public final VirtualClock clock = new VirtualClock(1_000_000_000L);
    /** The stack's device: the script injects the peer's frames here and reads what the stack sent. */
    public final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 20);
    /** The stack under test: one core, driven by the script on the test's thread. */
    public final FlowStack stack;
    private final long startNs;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[70_000]);
    private final List<byte[]> out = new ArrayList<>();
    private final List<byte[]> outbox = new ArrayList<>();

    /**
     * @param config the stack's TCP configuration.
     * @param iss    the initial sequence number of every connection the stack opens.
     * @param apps   applications installed on the core, as on any stack.
     */
    public TcpScript(final TcpConfig config, final int iss, final CoreSetup... apps)
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
                .onEachCore(core ->
                {
                    for (final CoreSetup app : apps)
                    {
                        app.setup(core);
                    }
                })
                .build();
        }
        catch (final IOException e)
        {
            // Only a setup can fail the build: an application that cannot listen is the test's mistake.
            throw new UncheckedIOException(e);
        }
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

    /** 64 KiB buffers (no window scaling needed), the default configuration otherwise, ISN {@link #ISS}. */
    public TcpScript()
    {
        this(TcpConfig.DEFAULT.withBuffers(1 << 16), ISS);
    }

    /** Runs the core until it has nothing to do now; the peer answers the stack's ARP requests on the way. */
    public void run()
    {
        int guard = 0;
        boolean answered = true;
        while (answered)
        {
            while (stack.doWork() > 0)
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

    /**
     * Moves virtual time forward and runs what became due.
     *
     * @param millis milliseconds.
     */
    public void advance(final long millis)
    {
        clock.advance(millis * 1_000_000L);
        run();
    }

    /**
     * Moves virtual time forward by nanoseconds (pacing intervals are finer than a millisecond).
     *
     * @param nanos nanoseconds.
     */
    public void advanceNs(final long nanos)
    {
        clock.advance(nanos);
        run();
    }

    /** @return nanoseconds of virtual time since the script started. */
    public long elapsedNs()
    {
        return clock.nanoTime() - startNs;
    }

    /** @return milliseconds of virtual time since the script started. */
    public long elapsedMillis()
    {
        return (clock.nanoTime() - startNs) / 1_000_000L;
    }

    /** @return the stack's RFC 7323 timestamp clock now (1 ms ticks, 1 at the start). */
    public int tsNow()
    {
        return (int)elapsedMillis() + 1;
    }

    /**
     * The peer sends a segment (with a correct checksum unless {@link Seg#badChecksum()}), and the stack runs.
     *
     * @param s the segment.
     */
    public void send(final Seg s)
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

    /**
     * @return the frames the stack sent since the last call (the ARP exchange with the peer left out).
     */
    public List<byte[]> frames()
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

    /**
     * Parses the TCP segments the stack sent since the last call, checking their IP and TCP headers and checksums.
     *
     * @return the segments.
     */
    public List<Sent> sent()
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

    /**
     * Checks that exactly one segment was sent, and that it matches.
     *
     * @param expected the expectation.
     * @return the segment (for values a script learns, such as an ephemeral port).
     */
    public Sent recv(final Seg expected)
    {
        final List<Sent> s = sent();
        assertEquals(1, s.size(), "expected one segment, got " + s);
        expected.assertMatches(s.get(0));
        return s.get(0);
    }

    /**
     * Checks that exactly these segments were sent, each matching in order.
     *
     * @param expected the expectations.
     * @return the segments.
     */
    public List<Sent> recv(final Seg... expected)
    {
        final List<Sent> s = sent();
        assertEquals(expected.length, s.size(), "segments: " + s);
        for (int i = 0; i < expected.length; i++)
        {
            expected[i].assertMatches(s.get(i));
        }
        return s;
    }

    /** Checks that the stack sent no segment. */
    public void recvNothing()
    {
        final List<Sent> s = sent();
        assertEquals(List.of(), s, "expected no segment");
    }

    /**
     * @param name a counter (such as {@code tcp.retransmits}).
     * @return its value on the stack's core.
     */
    public long counter(final String name)
    {
        return stack.core(0).counter(name);
    }

    /**
     * @return the stack's one core, for the application under test (the test's thread drives it).
     */
    public CoreContext core()
    {
        return stack.core(0);
    }

    /** A segment the stack sent. */
    public record Sent(TcpRepr tcp, List<String> sackBlocks, byte[] payload)
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
    public static final class Seg
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

        /**
         * @param flags the flags ({@code TcpFlyweight.SYN | TcpFlyweight.ACK}, ...).
         * @return a segment with them.
         */
        public static Seg seg(final int flags)
        {
            final Seg s = new Seg();
            s.flags = flags;
            return s;
        }

        /**
         * The ports, the same way round in both directions.
         *
         * @param peer  the peer's port.
         * @param stack the stack's port.
         * @return this
         */
        public Seg ports(final int peer, final int stack)
        {
            sourcePort = peer;
            destinationPort = stack;
            return this;
        }

        /**
         * @param v the sequence number.
         * @return this
         */
        public Seg seq(final int v)
        {
            seq = v;
            return this;
        }

        /**
         * @param v the acknowledgment number.
         * @return this
         */
        public Seg ack(final int v)
        {
            ack = v;
            return this;
        }

        /**
         * @param v the window field (unscaled).
         * @return this
         */
        public Seg window(final int v)
        {
            window = v;
            return this;
        }

        /**
         * @param v the MSS option.
         * @return this
         */
        public Seg mss(final int v)
        {
            mss = v;
            return this;
        }

        /**
         * @param v the window scale option's shift.
         * @return this
         */
        public Seg ws(final int v)
        {
            windowScale = v;
            return this;
        }

        /**
         * The SACK-permitted option.
         *
         * @return this
         */
        public Seg sackPermitted()
        {
            sackPermitted = true;
            return this;
        }

        /**
         * A SACK block (sent by the peer, or expected from the stack, in this order).
         *
         * @param left  the block's left edge.
         * @param right its right edge.
         * @return this
         */
        public Seg sack(final int left, final int right)
        {
            sackLefts.add(left);
            sackRights.add(right);
            return this;
        }

        /**
         * The timestamps option.
         *
         * @param val the TSval.
         * @param ecr the TSecr.
         * @return this
         */
        public Seg ts(final int val, final int ecr)
        {
            timestamps = true;
            tsVal = val;
            tsEcr = ecr;
            return this;
        }

        /**
         * @param p the payload, compared byte for byte when expected.
         * @return this
         */
        public Seg payload(final byte[] p)
        {
            payload = p;
            payloadLength = p.length;
            payloadBytes = true;
            return this;
        }

        /**
         * {@code n} bytes of payload: zeros when the peer sends it, whatever they are when expected.
         *
         * @param n the length.
         * @return this
         */
        public Seg len(final int n)
        {
            payload = new byte[n];
            payloadLength = n;
            payloadBytes = false;
            return this;
        }

        /**
         * Sends the segment with a wrong TCP checksum.
         *
         * @return this
         */
        public Seg badChecksum()
        {
            corruptChecksum = true;
            return this;
        }

        /**
         * Sends these option bytes as they are (12 bytes of room, not parsed).
         *
         * @param options the bytes.
         * @return this
         */
        public Seg rawOptions(final byte[] options)
        {
            rawOptions = options;
            return this;
        }

        /**
         * Wildcard: any sequence number.
         *
         * @return this
         */
        public Seg anySeq()
        {
            anySeq = true;
            return this;
        }

        /**
         * Wildcard: any acknowledgment number.
         *
         * @return this
         */
        public Seg anyAck()
        {
            anyAck = true;
            return this;
        }

        /**
         * Wildcard: any window.
         *
         * @return this
         */
        public Seg anyWindow()
        {
            anyWindow = true;
            return this;
        }

        /**
         * Wildcard: timestamps present with this TSecr, any TSval.
         *
         * @param ecr the TSecr.
         * @return this
         */
        public Seg tsEcr(final int ecr)
        {
            timestamps = true;
            tsEcr = ecr;
            anyTsVal = true;
            return this;
        }

        /**
         * Wildcard: any ports (an active open's ephemeral port before the script knows it).
         *
         * @return this
         */
        public Seg anyPorts()
        {
            anyPorts = true;
            return this;
        }

        /**
         * @return the segment's header as a value (options but SACK blocks).
         */
        public TcpRepr repr()
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

        /**
         * Checks a sent segment against this expectation, field by field.
         *
         * @param s the segment.
         */
        public void assertMatches(final Sent s)
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

        /**
         * @param flags TCP flags.
         * @return their names, such as {@code SYN|ACK}.
         */
        public static String flagNames(final int flags)
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
