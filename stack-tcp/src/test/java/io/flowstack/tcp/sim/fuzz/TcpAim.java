package io.flowstack.tcp.sim.fuzz;

import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpState;
import io.flowstack.tcp.tcb.TcpLayer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * TCP segments aimed, with valid checksums, at a host's live connections in whatever state they are, at its
 * listeners and at closed ports, as an attacker who sees the wire ({@link WireTap}) would: sequence and
 * acknowledgment numbers exact, off by a little, in the window, or far off; every combination of flags; options
 * right, odd or malformed; data or none.
 * <p>
 * Connections other than the transfer get anything, including what no stack can tell from the peer's own segments
 * (an exact RST, a FIN, data at RCV.NXT): they may break, as they would on a real network. The transfer gets only
 * what a correct stack must survive, so that the transfer arriving intact means something: data only as bytes the
 * peer really sent (the same bytes, from its stream), acknowledgments only for what the peer really acknowledged,
 * timestamps no newer than the peer's; RSTs never at a sequence number that may be RCV.NXT, FINs only out of the
 * window; anything else (SYNs, data out of the window, acknowledgments of unsent data, odd options) freely.
 */
final class TcpAim
{
    static final int LISTEN_FROM_PORT_MIN = 1024;
    static final int CLOSED_PORT_MIN = 10_000;
    /** Well beyond any window this stack advertises (buffers grow to 4 MiB). */
    private static final int FAR = 8 << 20;
    private static final int[] FLAGS = {
        TcpFlyweight.ACK, TcpFlyweight.ACK | TcpFlyweight.PSH, TcpFlyweight.SYN, TcpFlyweight.SYN | TcpFlyweight.ACK,
        TcpFlyweight.RST, TcpFlyweight.RST | TcpFlyweight.ACK, TcpFlyweight.FIN | TcpFlyweight.ACK, TcpFlyweight.FIN,
        TcpFlyweight.SYN | TcpFlyweight.FIN, TcpFlyweight.SYN | TcpFlyweight.RST, 0x20 | TcpFlyweight.ACK, 0, 0x3F, -1};

    /** A host as the fuzzer sees it. */
    record Host(io.flowstack.tcp.sim.SimHost sim, int ip, long mac, WireTap tapIn, int[] listeningPorts)
    {
    }

    private final Random random;
    private final Segment s = new Segment();
    final Map<TcpState, Long> aimedByState = new EnumMap<>(TcpState.class);
    long aimedAtClosedPorts;
    long aimedAtTransfer;
    private Transfer transfer;

    /** The connection the fuzzer must not break, and the seeds of its two streams. */
    record Transfer(int clientIp, int clientPort, int serverIp, int serverPort, long clientSeed, long serverSeed)
    {
        boolean matches(final int sourceIp, final int sourcePort, final int destinationIp, final int destinationPort)
        {
            return (sourceIp == clientIp && sourcePort == clientPort && destinationIp == serverIp
                && destinationPort == serverPort) || (sourceIp == serverIp && sourcePort == serverPort
                && destinationIp == clientIp && destinationPort == clientPort);
        }

        long seedOf(final int senderIp)
        {
            return senderIp == clientIp ? clientSeed : serverSeed;
        }
    }

    TcpAim(final Random random)
    {
        this.random = random;
    }

    void transfer(final Transfer transfer)
    {
        this.transfer = transfer;
    }

    Transfer transfer()
    {
        return transfer;
    }

    /**
     * Writes one aimed segment as a whole Ethernet frame.
     *
     * @param ipOptions bytes of IP options to carry (a multiple of 4).
     * @return the frame length.
     */
    int write(final MutableDirectBuffer b, final Host target, final Host peer, final int ipOptions)
    {
        return write(b, target, peer, ipOptions, true);
    }

    /**
     * Writes a segment {@code sender} might have sent to {@code receiver} (for ICMP errors to quote), not counted.
     *
     * @return the frame length.
     */
    int quote(final MutableDirectBuffer b, final Host sender, final Host receiver)
    {
        return write(b, receiver, sender, 0, false);
    }

    private int write(final MutableDirectBuffer b, final Host target, final Host peer, final int ipOptions,
        final boolean count)
    {
        final List<TcpConnection> live = new ArrayList<>();
        for (int c = 0; c < target.sim().cores(); c++)
        {
            target.sim().stack().tcp(c).forEachConnection(live::add);
        }
        final List<TcpState> states = new ArrayList<>();
        for (final TcpConnection c : live)
        {
            if (!states.contains(c.state()))
            {
                states.add(c.state());
            }
        }
        states.add(TcpState.LISTEN);
        states.add(TcpState.CLOSED);
        final TcpState state = states.get(random.nextInt(states.size()));
        s.reset(peer.ip(), target.ip());
        if (state == TcpState.LISTEN)
        {
            aimAtListener(target);
        }
        else if (state == TcpState.CLOSED)
        {
            aimAtClosedPort(count);
        }
        else
        {
            final List<TcpConnection> inState = new ArrayList<>();
            for (final TcpConnection c : live)
            {
                if (c.state() == state)
                {
                    inState.add(c);
                }
            }
            aimAtConnection(inState.get(random.nextInt(inState.size())), target, peer, count);
        }
        if (count)
        {
            aimedByState.merge(state, 1L, Long::sum);
        }
        return s.emit(b, peer.mac(), target.mac(), ipOptions, random);
    }

    private void aimAtListener(final Host target)
    {
        s.sourcePort = LISTEN_FROM_PORT_MIN + random.nextInt(4000);
        s.destinationPort = target.listeningPorts()[random.nextInt(target.listeningPorts().length)];
        s.seq = random.nextInt();
        s.ack = random.nextInt();
        s.flags = random.nextInt(3) == 0 ? TcpFlyweight.SYN : pickFlags();
        s.window = random.nextInt(65536);
        s.options(random, 0, 0, random.nextInt(4) == 0);
        s.randomPayload(random, random.nextInt(3) == 0 ? random.nextInt(1400) : 0);
    }

    private void aimAtClosedPort(final boolean count)
    {
        aimedAtClosedPorts += count ? 1 : 0;
        s.sourcePort = LISTEN_FROM_PORT_MIN + random.nextInt(4000);
        s.destinationPort = CLOSED_PORT_MIN + random.nextInt(20_000);
        s.seq = random.nextInt();
        s.ack = random.nextInt();
        s.flags = pickFlags();
        s.window = random.nextInt(65536);
        s.options(random, 0, 0, random.nextInt(4) == 0);
        s.randomPayload(random, random.nextInt(2) == 0 ? random.nextInt(1400) : 0);
    }

    private int pickFlags()
    {
        final int f = FLAGS[random.nextInt(FLAGS.length)];
        return f < 0 ? random.nextInt(256) : f;
    }

    private void aimAtConnection(final TcpConnection c, final Host target, final Host peer, final boolean count)
    {
        s.sourcePort = c.remotePort();
        s.destinationPort = c.localPort();
        // What the peer has sent and acknowledged, as it arrived here; what this host has sent, as it arrived there.
        final WireTap.Direction in = target.tapIn().direction(peer.ip(), s.sourcePort, target.ip(), s.destinationPort);
        final WireTap.Direction out = peer.tapIn().direction(target.ip(), s.destinationPort, peer.ip(), s.sourcePort);
        final int rcvHigh = in != null ? in.dataEnd : random.nextInt();
        final int rcvLow = out != null && out.ackSeen ? out.highestAck : rcvHigh;
        final int sndLow = out != null ? out.dataEnd : random.nextInt();
        final int peerAck = in != null && in.ackSeen ? in.highestAck : sndLow;
        if (transfer != null && transfer.matches(peer.ip(), s.sourcePort, target.ip(), s.destinationPort) && in != null)
        {
            aimedAtTransfer += count ? 1 : 0;
            aimAtTransfer(in, rcvLow, rcvHigh, sndLow, peerAck);
            return;
        }
        final int[] seqs = {rcvHigh, rcvLow, rcvHigh + 1 + random.nextInt(1460), rcvHigh - 1 - random.nextInt(1460),
            rcvLow + random.nextInt(65536), random.nextInt(), in != null ? in.isn : rcvHigh, rcvHigh - 1};
        final int[] acks = {peerAck, sndLow, sndLow + 1 + random.nextInt(1460), peerAck - 1 - random.nextInt(1460),
            random.nextInt(), out != null ? out.isn + 1 : sndLow, sndLow + FAR};
        s.seq = seqs[random.nextInt(seqs.length)];
        s.ack = acks[random.nextInt(acks.length)];
        s.flags = pickFlags();
        s.window = random.nextInt(65536);
        final int tsVal = in != null && in.timestamps ? in.tsVal + random.nextInt(5) - 2 : random.nextInt();
        final int tsEcr = out != null && out.timestamps ? out.tsVal : random.nextInt();
        s.options(random, random.nextInt(8) == 0 ? random.nextInt() : tsVal, tsEcr, random.nextInt(6) == 0);
        s.randomPayload(random, random.nextInt(2) == 0 ? 1 + random.nextInt(1400) : 0);
    }

    /**
     * Only what a correct stack must survive (see the class comment). {@code rcvHigh}: the end of the peer's data as
     * seen here (RCV.NXT is at most this); {@code rcvLow}: what this host acknowledged (RCV.NXT is at least this);
     * {@code sndLow}: the end of this host's data as seen by the peer; {@code peerAck}: what the peer acknowledged.
     */
    private void aimAtTransfer(final WireTap.Direction in, final int rcvLow, final int rcvHigh, final int sndLow,
        final int peerAck)
    {
        final int safeAck = peerAck - random.nextInt(65536);
        final int safeTsVal = in.tsVal - random.nextInt(64);
        s.ack = safeAck;
        s.window = random.nextInt(65536);
        s.flags = TcpFlyweight.ACK | (random.nextBoolean() ? TcpFlyweight.PSH : 0)
            | (random.nextInt(8) == 0 ? 0x20 | 0x40 | 0x80 : 0);
        s.urgent = random.nextInt(8) == 0 ? random.nextInt(65536) : 0;
        final boolean timestamps = in.timestamps && random.nextInt(10) != 0;
        switch (random.nextInt(7))
        {
            case 0, 1 ->
            {
                // Bytes the peer sent, again: anywhere from a little before what was acknowledged to the end sent.
                s.seq = rcvLow - random.nextInt(32768);
                if (s.seq - (in.isn + 1) < 0)
                {
                    s.seq = in.isn + 1;
                }
                final int available = rcvHigh - s.seq;
                if (available > 0)
                {
                    s.patternPayload(transfer.seedOf(s.sourceIp), s.seq - (in.isn + 1), 1 + random.nextInt(Math.min(1448, available)));
                }
                if (random.nextInt(6) == 0)
                {
                    // ... with an acknowledgment of data not sent yet: the whole segment must be dropped.
                    s.ack = sndLow + FAR + random.nextInt(FAR);
                }
            }
            case 2 ->
            {
                // Data far outside the window, either side, maybe with a FIN.
                s.seq = random.nextBoolean() ? rcvHigh + FAR + random.nextInt(Integer.MAX_VALUE - 2 * FAR)
                    : rcvLow - FAR - 1500 - random.nextInt(Integer.MAX_VALUE - 2 * FAR);
                s.randomPayload(random, random.nextInt(1400));
                s.flags |= random.nextBoolean() ? TcpFlyweight.FIN : 0;
            }
            case 3 ->
            {
                // A RST in the window but past anything that can be RCV.NXT (a challenge ACK), or far off.
                s.seq = random.nextInt(3) != 0 ? rcvHigh + 1 + random.nextInt(65535)
                    : rcvHigh + FAR + random.nextInt(Integer.MAX_VALUE - 2 * FAR);
                s.flags = TcpFlyweight.RST | (random.nextBoolean() ? TcpFlyweight.ACK : 0);
            }
            case 4 ->
            {
                // A SYN in a synchronized state, at any sequence number (RFC 5961 4: a challenge ACK).
                s.seq = random.nextBoolean() ? rcvHigh : random.nextInt();
                s.flags = TcpFlyweight.SYN | (random.nextBoolean() ? TcpFlyweight.ACK : 0);
            }
            case 5 ->
            {
                // A FIN that is not acceptable: all of it before what this host acknowledged.
                s.seq = rcvLow - 2 - random.nextInt(65536);
                s.flags = TcpFlyweight.FIN | TcpFlyweight.ACK;
            }
            default ->
            {
                // A bare acknowledgment of old data with any window.
                s.seq = rcvLow;
            }
        }
        s.options(random, timestamps ? safeTsVal : 0, in.tsEcr, random.nextInt(10) == 0 && !timestamps);
        if (!timestamps)
        {
            s.optionsLength = random.nextInt(10) == 0 ? s.optionsLength : 0;
        }
    }

    /** A segment being built. */
    private static final class Segment
    {
        final byte[] options = new byte[40];
        final byte[] payload = new byte[1500];
        int sourceIp;
        int destinationIp;
        int sourcePort;
        int destinationPort;
        int seq;
        int ack;
        int flags;
        int window;
        int urgent;
        int optionsLength;
        int payloadLength;

        void reset(final int source, final int destination)
        {
            sourceIp = source;
            destinationIp = destination;
            urgent = 0;
            optionsLength = 0;
            payloadLength = 0;
        }

        void randomPayload(final Random random, final int length)
        {
            for (int i = 0; i < length; i++)
            {
                payload[i] = (byte)random.nextInt(256);
            }
            payloadLength = length;
        }

        void patternPayload(final long seed, final long offset, final int length)
        {
            for (int i = 0; i < length; i++)
            {
                payload[i] = PatternStream.byteAt(seed, (offset & 0xFFFF_FFFFL) + i);
            }
            payloadLength = length;
        }

        /**
         * Options: timestamps when {@code tsVal} is not 0, and a random choice of MSS, window scale, SACK-permitted
         * and SACK blocks; or, when {@code malformed}, lengths that lie.
         */
        void options(final Random random, final int tsVal, final int tsEcr, final boolean malformed)
        {
            int n = 0;
            if (tsVal != 0)
            {
                options[n++] = 1;
                options[n++] = 1;
                options[n++] = 8;
                options[n++] = 10;
                n = putInt(n, tsVal);
                n = putInt(n, tsEcr);
            }
            if (random.nextInt(8) == 0 && n <= 36)
            {
                options[n++] = 2;
                options[n++] = 4;
                final int mss = random.nextInt(3) == 0 ? random.nextInt(65536) : 536 + random.nextInt(1000);
                options[n++] = (byte)(mss >>> 8);
                options[n++] = (byte)mss;
            }
            if (random.nextInt(8) == 0 && n <= 36)
            {
                options[n++] = 1;
                options[n++] = 3;
                options[n++] = 3;
                options[n++] = (byte)random.nextInt(20);
            }
            if (random.nextInt(8) == 0 && n <= 36)
            {
                options[n++] = 1;
                options[n++] = 1;
                options[n++] = 4;
                options[n++] = 2;
            }
            if (random.nextInt(8) == 0 && n <= 30)
            {
                final int blocks = Math.min((40 - n - 2) / 8, 1 + random.nextInt(4));
                options[n++] = 1;
                options[n++] = 1;
                options[n++] = 5;
                options[n++] = (byte)(2 + 8 * blocks);
                for (int i = 0; i < blocks && n + 8 <= 40; i++)
                {
                    // Far beyond anything sent: a receiver must ignore such blocks.
                    final int left = ack + FAR + random.nextInt(FAR);
                    n = putInt(n, left);
                    n = putInt(n, left + random.nextInt(65536));
                }
            }
            if (malformed && n <= 36)
            {
                options[n++] = (byte)random.nextInt(256);
                final int[] lies = {0, 1, 41, random.nextInt(256)};
                options[n++] = (byte)lies[random.nextInt(lies.length)];
                options[n++] = (byte)random.nextInt(256);
                options[n++] = (byte)random.nextInt(256);
            }
            while ((n & 3) != 0)
            {
                options[n++] = 0;
            }
            optionsLength = n;
        }

        private int putInt(final int n, final int value)
        {
            options[n] = (byte)(value >>> 24);
            options[n + 1] = (byte)(value >>> 16);
            options[n + 2] = (byte)(value >>> 8);
            options[n + 3] = (byte)value;
            return n + 4;
        }

        int emit(final MutableDirectBuffer b, final long sourceMac, final long destinationMac, final int ipOptions,
            final Random random)
        {
            FuzzFrames.ethernet(b, destinationMac, sourceMac, EthernetFlyweight.TYPE_IPV4);
            final int ipHeader = Ipv4Flyweight.MIN_HEADER_LENGTH + ipOptions;
            FuzzFrames.ipOptions(b, FuzzFrames.ETH + Ipv4Flyweight.MIN_HEADER_LENGTH, ipOptions, false, random);
            final int tcpLength = TcpFlyweight.HEADER_LENGTH + optionsLength + payloadLength;
            final int at = FuzzFrames.ipv4(b, ipHeader, tcpLength, random.nextInt(65536), Ipv4Flyweight.FLAG_DF,
                Ipv4Flyweight.PROTO_TCP, sourceIp, destinationIp);
            FuzzFrames.tcp(b, at, sourcePort, destinationPort, seq, ack, flags, window, urgent, optionsLength);
            b.putBytes(at + TcpFlyweight.HEADER_LENGTH, options, 0, optionsLength);
            b.putBytes(at + TcpFlyweight.HEADER_LENGTH + optionsLength, payload, 0, payloadLength);
            new TcpFlyweight().wrap(b, at, tcpLength).computeChecksum(sourceIp, destinationIp, tcpLength);
            return at + tcpLength;
        }
    }
}
