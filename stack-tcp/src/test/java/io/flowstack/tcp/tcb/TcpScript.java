package io.flowstack.tcp.tcb;

import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.time.VirtualClock;
import io.flowstack.ip.IpInterface;
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
import io.flowstack.tcp.TcpConfig;
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
 * expected segments, {@link #recvNothing}, {@link #advance} time.
 */
final class TcpScript
{
    static final long STACK_MAC = 0x02_00_00_00_00_02L;
    static final long PEER_MAC = 0x02_00_00_00_00_01L;
    static final int STACK_IP = Ipv4Flyweight.parseAddress("198.18.0.2");
    static final int PEER_IP = Ipv4Flyweight.parseAddress("198.18.0.1");
    static final int ISS = 10_000;
    static final int LOCAL_PORT = 80;
    static final int REMOTE_PORT = 49152;

    final VirtualClock clock = new VirtualClock(1_000_000_000L);
    final MemoryDriver driver = new MemoryDriver(0, STACK_MAC, 1500, 1 << 20);
    final FlowStack stack;
    final TcpLayer tcp;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[70_000]);
    private final List<byte[]> out = new ArrayList<>();

    TcpScript(final TcpConfig config, final int iss)
    {
        final TcpLayer[] layer = new TcpLayer[1];
        stack = FlowStack.builder()
            .clock(clock)
            .rssKey(ToeplitzHash.microsoftKey())
            .tcp(config)
            .isn(core -> IsnGenerator.fixed(iss))
            .poolSlots(32)
            .addInterface(new IpInterface(0, STACK_MAC, STACK_IP, 24, 1500, 0), NetworkDevice.shared(driver))
            .onEachCore(core -> layer[0] = core.tcp())
            .build();
        tcp = layer[0];
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

    TcpScript()
    {
        this(TcpConfig.DEFAULT.withBuffers(1 << 16), ISS);
    }

    private final List<byte[]> outbox = new ArrayList<>();

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

    /** The peer sends a segment. */
    void send(final Seg s)
    {
        final TcpRepr repr = s.repr();
        final int tcpLength = repr.tcpLength();
        final int total = Ipv4Flyweight.MIN_HEADER_LENGTH + tcpLength;
        final int n = EthernetFlyweight.HEADER_LENGTH + total;
        new EthernetRepr(STACK_MAC, PEER_MAC, EthernetFlyweight.TYPE_IPV4).emit(new EthernetFlyweight().wrap(scratch, 0, n));
        final TcpFlyweight f = new TcpFlyweight().wrap(scratch, 34, tcpLength);
        repr.emit(f, PEER_IP, STACK_IP, new UnsafeBuffer(s.payload), 0);
        if (s.corruptChecksum)
        {
            f.checksum(f.checksum() ^ 0x1234);
        }
        if (s.rawOptions != null)
        {
            scratch.putBytes(34 + 20, s.rawOptions);
            f.computeChecksum(PEER_IP, STACK_IP, tcpLength);
        }
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
            final TcpRepr repr = TcpRepr.parse(f, new TcpOptions());
            final byte[] payload = Arrays.copyOfRange(frame, f.payloadOffset(), f.payloadOffset() + repr.payloadLength());
            result.add(new Sent(repr, payload));
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

    /** A segment the stack sent. */
    record Sent(TcpRepr tcp, byte[] payload)
    {
        @Override
        public String toString()
        {
            return "[" + Seg.flagNames(tcp.flags()) + " seq=" + Integer.toUnsignedString(tcp.sequenceNumber())
                + " ack=" + Integer.toUnsignedString(tcp.acknowledgmentNumber()) + " win=" + tcp.window()
                + " len=" + tcp.payloadLength() + "]";
        }
    }

    /** A segment to send, or the expectation of one; unset fields are not checked. */
    static final class Seg
    {
        int flags;
        Integer seq;
        Integer ack;
        Integer window = 65535;
        int mss = -1;
        int windowScale = -1;
        boolean timestamps;
        int tsVal;
        int tsEcr;
        byte[] payload = new byte[0];
        boolean corruptChecksum;
        byte[] rawOptions;
        boolean checkWindow;
        Integer payloadLength;
        int sourcePort = REMOTE_PORT;
        int destinationPort = LOCAL_PORT;

        Seg ports(final int source, final int destination)
        {
            sourcePort = source;
            destinationPort = destination;
            return this;
        }

        static Seg seg(final int flags)
        {
            final Seg s = new Seg();
            s.flags = flags;
            return s;
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
            checkWindow = true;
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
            return this;
        }

        Seg len(final int n)
        {
            payloadLength = n;
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

        TcpRepr repr()
        {
            final int optionsLength = rawOptions != null ? rawOptions.length : 0;
            final TcpRepr r = new TcpRepr(sourcePort, destinationPort, seq == null ? 0 : seq, ack == null ? 0 : ack, flags,
                window, 0, mss, windowScale, false, timestamps, tsVal, tsEcr, payload.length);
            if (optionsLength == 0)
            {
                return r;
            }
            // Raw options: a header with room for them but no parsed options of its own.
            return new TcpRepr(sourcePort, destinationPort, r.sequenceNumber(), r.acknowledgmentNumber(), flags, window, 0,
                -1, -1, false, true, 0, 0, payload.length);
        }

        void assertMatches(final Sent s)
        {
            final TcpRepr t = s.tcp();
            assertEquals(flagNames(flags), flagNames(t.flags() & ~TcpFlyweight.PSH), "flags of " + s);
            if (seq != null)
            {
                assertEquals(Integer.toUnsignedString(seq), Integer.toUnsignedString(t.sequenceNumber()), "seq of " + s);
            }
            if (ack != null)
            {
                assertEquals(Integer.toUnsignedString(ack), Integer.toUnsignedString(t.acknowledgmentNumber()), "ack of " + s);
            }
            if (checkWindow)
            {
                assertEquals((int)window, t.window(), "window of " + s);
            }
            if (mss >= 0)
            {
                assertEquals(mss, t.mss(), "MSS option of " + s);
            }
            if (windowScale >= 0)
            {
                assertEquals(windowScale, t.windowScale(), "window scale of " + s);
            }
            if (payloadLength != null)
            {
                assertEquals((int)payloadLength, t.payloadLength(), "length of " + s);
            }
            if (payload.length > 0)
            {
                assertTrue(Arrays.equals(payload, s.payload()), "payload of " + s);
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
