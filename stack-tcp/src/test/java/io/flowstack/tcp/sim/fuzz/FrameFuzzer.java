package io.flowstack.tcp.sim.fuzz;

import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.IcmpFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/**
 * Makes the frames the fuzzer injects, one case at a time: random bytes; ARP; IPv4 with options; fragments of ICMP,
 * UDP and TCP datagrams (in any order, duplicated, overlapping, with gaps, oversized, misaligned); ICMP of every
 * type, errors quoting live connections; UDP to open and closed ports with lying lengths; TCP segments aimed at
 * live connections ({@link TcpAim}); and mutations of all of these (bit flips, bytes set to edge values, cuts,
 * extensions, copies), half of them with their checksums made right again so that they get past the first
 * checks. Frames go to a {@link Sink}; counts by kind are kept.
 * <p>
 * Two rules keep the transfer's outcome meaningful: nothing claims a host's address with another MAC (ARP has no
 * authentication; no stack can tell), and a mutation that touches the transfer's connection is a single bit flip
 * with the checksum left as it was (the Internet checksum catches every single-bit error; two flips can cancel).
 */
final class FrameFuzzer
{
    private static final ByteOrder NET = ByteOrder.BIG_ENDIAN;
    private static final int MAX_FRAME = 1514;

    /** What a case was made of. */
    enum Kind
    {
        RANDOM, ARP, IP_OPTIONS, FRAGMENTS, ICMP, UDP, TCP, MUTATED
    }

    /** Where frames go: into a host's port, as if they came off the wire. */
    interface Sink
    {
        void inject(TcpAim.Host target, UnsafeBuffer frame, int length);
    }

    private static final Kind[] MIX = {
        Kind.RANDOM, Kind.ARP, Kind.ARP, Kind.IP_OPTIONS, Kind.FRAGMENTS, Kind.FRAGMENTS, Kind.ICMP, Kind.ICMP,
        Kind.UDP, Kind.UDP, Kind.TCP, Kind.TCP, Kind.TCP, Kind.TCP, Kind.TCP, Kind.TCP, Kind.MUTATED, Kind.MUTATED,
        Kind.MUTATED};

    private final Random random;
    private final TcpAim aim;
    private final Sink sink;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
    private final UnsafeBuffer whole = new UnsafeBuffer(new byte[70_000]);
    private final UnsafeBuffer piece = new UnsafeBuffer(new byte[2048]);
    private final Map<Kind, Long> cases = new EnumMap<>(Kind.class);
    private long frames;
    private long mutatedWithChecksums;
    private long singleFlipsOnTransfer;
    private final int udpEchoPort;

    FrameFuzzer(final Random random, final TcpAim aim, final Sink sink, final int udpEchoPort)
    {
        this.random = random;
        this.aim = aim;
        this.sink = sink;
        this.udpEchoPort = udpEchoPort;
    }

    long frames()
    {
        return frames;
    }

    Map<Kind, Long> cases()
    {
        return cases;
    }

    long mutatedWithChecksums()
    {
        return mutatedWithChecksums;
    }

    long singleFlipsOnTransfer()
    {
        return singleFlipsOnTransfer;
    }

    /** One case against {@code target}, from {@code peer}'s addresses where it matters. */
    void fuzz(final TcpAim.Host target, final TcpAim.Host peer)
    {
        final Kind kind = MIX[random.nextInt(MIX.length)];
        cases.merge(kind, 1L, Long::sum);
        switch (kind)
        {
            case RANDOM -> send(target, randomFrame(target));
            case ARP -> send(target, arp(target, peer));
            case IP_OPTIONS -> send(target, withIpOptions(target, peer));
            case FRAGMENTS -> fragments(target, peer);
            case ICMP -> send(target, icmp(target, peer));
            case UDP -> send(target, udp(target, peer));
            case TCP -> send(target, aim.write(frame, target, peer, 0));
            default -> send(target, mutated(target, peer));
        }
    }

    private void send(final TcpAim.Host target, final int length)
    {
        frames++;
        sink.inject(target, frame, pad(length));
    }

    private int randomFrame(final TcpAim.Host target)
    {
        final int length = random.nextInt(MAX_FRAME + 1);
        for (int i = 0; i < length; i++)
        {
            frame.putByte(i, (byte)random.nextInt(256));
        }
        if (length >= FuzzFrames.ETH)
        {
            final int d = random.nextInt(10);
            FuzzFrames.putMac(frame, 0, d < 7 ? target.mac() : d < 8 ? EthernetFlyweight.BROADCAST : random.nextLong());
            final int t = random.nextInt(10);
            if (t < 7)
            {
                frame.putShort(12, (short)(t < 5 ? EthernetFlyweight.TYPE_IPV4 : EthernetFlyweight.TYPE_ARP), NET);
            }
        }
        return length;
    }

    private int arp(final TcpAim.Host target, final TcpAim.Host peer)
    {
        final int subnet = target.ip() & 0xFFFF_FF00;
        final int other = subnet | (3 + random.nextInt(250));
        final int[] senders = {other, other, target.ip(), 0, peer.ip()};
        final int sender = senders[random.nextInt(senders.length)];
        final long senderMac = sender == peer.ip() ? peer.mac() : random.nextLong() & 0xFEFF_FFFF_FFFFL;
        final int[] targets = {target.ip(), target.ip(), other, sender};
        final int operation = random.nextInt(8) == 0 ? random.nextInt(65536) : 1 + random.nextInt(2);
        final int length = FuzzFrames.arp(frame, random.nextBoolean() ? EthernetFlyweight.BROADCAST : target.mac(),
            senderMac, operation, senderMac, sender, random.nextBoolean() ? 0 : target.mac(),
            targets[random.nextInt(targets.length)]);
        return length;
    }

    /** Ethernet's minimum frame, sometimes; the stack must use the lengths inside, not the frame's. */
    private int pad(final int length)
    {
        if (length < 60 && random.nextBoolean())
        {
            frame.setMemory(length, 60 - length, (byte)random.nextInt(256));
            return 60;
        }
        return length;
    }

    private int withIpOptions(final TcpAim.Host target, final TcpAim.Host peer)
    {
        final int options = 4 * (1 + random.nextInt(10));
        if (random.nextBoolean())
        {
            return aim.write(frame, target, peer, options);
        }
        final int length = random.nextBoolean() ? icmp(target, peer) : udp(target, peer);
        // Rebuild with options in front of the same transport bytes.
        final int payload = length - FuzzFrames.ETH - Ipv4Flyweight.MIN_HEADER_LENGTH;
        final int destination = frame.getInt(FuzzFrames.ETH + Ipv4Flyweight.DESTINATION_OFFSET, NET);
        frame.putBytes(FuzzFrames.ETH + Ipv4Flyweight.MIN_HEADER_LENGTH + options, frame,
            FuzzFrames.ETH + Ipv4Flyweight.MIN_HEADER_LENGTH, payload);
        FuzzFrames.ipOptions(frame, FuzzFrames.ETH + Ipv4Flyweight.MIN_HEADER_LENGTH, options, random.nextInt(3) == 0,
            random);
        FuzzFrames.ipv4(frame, Ipv4Flyweight.MIN_HEADER_LENGTH + options, payload, random.nextInt(65536), 0,
            frame.getByte(FuzzFrames.ETH + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF, peer.ip(), destination);
        return length + options;
    }

    private int icmp(final TcpAim.Host target, final TcpAim.Host peer)
    {
        final int[] types = {IcmpFlyweight.TYPE_ECHO_REQUEST, IcmpFlyweight.TYPE_ECHO_REQUEST, IcmpFlyweight.TYPE_ECHO_REPLY,
            IcmpFlyweight.TYPE_DEST_UNREACHABLE, IcmpFlyweight.TYPE_DEST_UNREACHABLE, IcmpFlyweight.TYPE_TIME_EXCEEDED,
            4, 5, 12, 13, random.nextInt(256)};
        final int type = types[random.nextInt(types.length)];
        final int code = type == IcmpFlyweight.TYPE_DEST_UNREACHABLE ? random.nextInt(16) : random.nextInt(4) == 0
            ? random.nextInt(256) : 0;
        final int at = FuzzFrames.ETH + Ipv4Flyweight.MIN_HEADER_LENGTH;
        int length = IcmpFlyweight.HEADER_LENGTH;
        if (type == IcmpFlyweight.TYPE_DEST_UNREACHABLE || type == IcmpFlyweight.TYPE_TIME_EXCEEDED)
        {
            // An error about a datagram this host sent: its header and the first 8 bytes, often of a live connection.
            final int quoted = aim.quote(piece, target, peer);
            final int copy = Math.min(quoted - FuzzFrames.ETH, Ipv4Flyweight.MIN_HEADER_LENGTH + 8 + random.nextInt(32));
            // The "sent" datagram went from target to peer: swap what the aimed segment had.
            frame.putBytes(at + IcmpFlyweight.HEADER_LENGTH, piece, FuzzFrames.ETH, copy);
            length += copy;
        }
        else
        {
            final int data = random.nextInt(4) == 0 ? random.nextInt(1400) : random.nextInt(64);
            for (int i = 0; i < data; i++)
            {
                frame.putByte(at + IcmpFlyweight.HEADER_LENGTH + i, (byte)random.nextInt(256));
            }
            length += data;
        }
        FuzzFrames.icmp(frame, at, type, code, random.nextInt());
        final int[] destinations = {target.ip(), target.ip(), target.ip() | 0xFF, -1};
        final int destination = destinations[random.nextInt(destinations.length)];
        FuzzFrames.ethernet(frame, destination == target.ip() ? target.mac() : EthernetFlyweight.BROADCAST, peer.mac(),
            EthernetFlyweight.TYPE_IPV4);
        FuzzFrames.ipv4(frame, Ipv4Flyweight.MIN_HEADER_LENGTH, length, random.nextInt(65536), 0,
            Ipv4Flyweight.PROTO_ICMP, peer.ip(), destination);
        FuzzFrames.fixChecksums(frame, FuzzFrames.ETH + Ipv4Flyweight.MIN_HEADER_LENGTH + length);
        return FuzzFrames.ETH + Ipv4Flyweight.MIN_HEADER_LENGTH + length;
    }

    private int udp(final TcpAim.Host target, final TcpAim.Host peer)
    {
        final int at = FuzzFrames.ETH + Ipv4Flyweight.MIN_HEADER_LENGTH;
        final int data = random.nextInt(4) == 0 ? random.nextInt(1400) : random.nextInt(64);
        for (int i = 0; i < data; i++)
        {
            frame.putByte(at + 8 + i, (byte)random.nextInt(256));
        }
        final int port = random.nextBoolean() ? udpEchoPort : TcpAim.CLOSED_PORT_MIN + random.nextInt(20_000);
        FuzzFrames.udp(frame, at, TcpAim.LISTEN_FROM_PORT_MIN + random.nextInt(4000), port, 8 + data);
        final boolean broadcast = random.nextInt(8) == 0;
        FuzzFrames.ethernet(frame, broadcast ? EthernetFlyweight.BROADCAST : target.mac(), peer.mac(),
            EthernetFlyweight.TYPE_IPV4);
        FuzzFrames.ipv4(frame, Ipv4Flyweight.MIN_HEADER_LENGTH, 8 + data, random.nextInt(65536), 0,
            Ipv4Flyweight.PROTO_UDP, peer.ip(), broadcast ? target.ip() | 0xFF : target.ip());
        final int length = at + 8 + data;
        final int lie = random.nextInt(8);
        if (lie == 0)
        {
            // No checksum (allowed in IPv4, RFC 768).
            return length;
        }
        FuzzFrames.fixChecksums(frame, length);
        if (lie == 1)
        {
            // A UDP length that disagrees with IP's.
            frame.putShort(at + 4, (short)random.nextInt(65536), NET);
        }
        return length;
    }

    /**
     * A datagram (an aimed TCP segment, an ICMP echo of up to 4,000 bytes, or UDP) cut into fragments that arrive
     * in any order, some twice, some overlapping, some never; now and then one that ends past 65,535 or is not a
     * multiple of 8.
     */
    private void fragments(final TcpAim.Host target, final TcpAim.Host peer)
    {
        final int length;
        final int choice = random.nextInt(3);
        if (choice == 0)
        {
            length = aim.write(frame, target, peer, random.nextInt(3) == 0 ? 4 * random.nextInt(5) : 0);
        }
        else if (choice == 1)
        {
            length = udp(target, peer);
        }
        else
        {
            length = icmp(target, peer);
        }
        whole.putBytes(0, frame, 0, length);
        final int headerLength = (whole.getByte(FuzzFrames.ETH) & 0x0F) * 4;
        int payloadLength = length - FuzzFrames.ETH - headerLength;
        if (choice == 2 && random.nextBoolean())
        {
            // A bigger echo request: up to 4,000 bytes of data, checksummed.
            final int extra = random.nextInt(4000);
            for (int i = 0; i < extra; i++)
            {
                whole.putByte(length + i, (byte)random.nextInt(256));
            }
            payloadLength += extra;
            FuzzFrames.ipv4(whole, headerLength, payloadLength, whole.getShort(FuzzFrames.ETH + 4, NET) & 0xFFFF, 0,
                Ipv4Flyweight.PROTO_ICMP, peer.ip(), target.ip());
            FuzzFrames.fixChecksums(whole, FuzzFrames.ETH + headerLength + payloadLength);
        }
        final boolean aimedAtTransfer = touchesTransfer(whole, FuzzFrames.ETH + headerLength + payloadLength);
        // Tiny fragments now and then, at most 32 to a datagram (reassembly allows 64).
        final int size = Math.max(8 * (1 + random.nextInt(random.nextBoolean() ? 4 : 180)), (payloadLength / 32 + 8) & ~7);
        final int count = (payloadLength + size - 1) / size;
        final int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        final int id = random.nextInt(65536);
        for (int k = 0; k < count; k++)
        {
            final int i = order[k];
            if (count > 1 && random.nextInt(20) == 0)
            {
                continue;
            }
            int offset = i * size;
            int dataLength = Math.min(size, payloadLength - offset);
            boolean more = offset + dataLength < payloadLength;
            final int trick = random.nextInt(40);
            if (trick == 0)
            {
                // Ends past 65,535: a ping of death.
                offset = 65_528 - 8 * random.nextInt(4);
                more = false;
            }
            else if (trick == 1 && more)
            {
                dataLength -= 1 + random.nextInt(7);
            }
            fragment(target, peer, headerLength, offset, dataLength, more, id, i * size);
            if (random.nextInt(10) == 0)
            {
                // Again: a duplicate, or (not for the transfer) an overlap with other bytes.
                fragment(target, peer, headerLength, offset, dataLength, more, id, i * size);
                if (!aimedAtTransfer && random.nextBoolean())
                {
                    piece.putByte(FuzzFrames.ETH + headerLength + random.nextInt(Math.max(1, dataLength)),
                        (byte)random.nextInt(256));
                    FuzzFrames.fixChecksums(piece, FuzzFrames.ETH + headerLength + dataLength);
                    frames++;
                    sink.inject(target, piece, FuzzFrames.ETH + headerLength + dataLength);
                }
            }
        }
    }

    private void fragment(final TcpAim.Host target, final TcpAim.Host peer, final int headerLength, final int offset,
        final int dataLength, final boolean more, final int id, final int from)
    {
        final int length = FuzzFrames.ETH + headerLength + Math.max(0, dataLength);
        piece.putBytes(0, whole, 0, FuzzFrames.ETH + headerLength);
        piece.putBytes(FuzzFrames.ETH + headerLength, whole, FuzzFrames.ETH + headerLength + from, Math.max(0, dataLength));
        final int flags = (more ? Ipv4Flyweight.FLAG_MF : 0) | (offset >>> 3);
        FuzzFrames.ipv4(piece, headerLength, Math.max(0, dataLength), id, flags,
            whole.getByte(FuzzFrames.ETH + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF, peer.ip(),
            whole.getInt(FuzzFrames.ETH + Ipv4Flyweight.DESTINATION_OFFSET, NET));
        frames++;
        sink.inject(target, piece, length);
    }

    private int mutated(final TcpAim.Host target, final TcpAim.Host peer)
    {
        final Kind[] bases = {Kind.ARP, Kind.IP_OPTIONS, Kind.ICMP, Kind.UDP, Kind.TCP, Kind.TCP, Kind.TCP};
        final int length = switch (bases[random.nextInt(bases.length)])
        {
            case ARP -> arp(target, peer);
            case IP_OPTIONS -> withIpOptions(target, peer);
            case ICMP -> icmp(target, peer);
            case UDP -> udp(target, peer);
            default -> aim.write(frame, target, peer, 0);
        };
        if (touchesTransfer(frame, length))
        {
            return singleFlip(length);
        }
        piece.putBytes(0, frame, 0, length);
        int mutatedLength = length;
        final int operations = 1 + random.nextInt(4);
        for (int op = 0; op < operations; op++)
        {
            mutatedLength = mutate(mutatedLength);
        }
        final boolean fix = random.nextBoolean();
        if (fix)
        {
            mutatedWithChecksums++;
            FuzzFrames.fixChecksums(frame, mutatedLength);
        }
        keepOwnMac(peer, mutatedLength);
        if (touchesTransfer(frame, mutatedLength))
        {
            // The mutation made it the transfer's: go back to the original with one bit flipped.
            frame.putBytes(0, piece, 0, length);
            return singleFlip(length);
        }
        return mutatedLength;
    }

    /** An ARP packet that names the peer's address keeps the peer's MAC (see the class comment). */
    private void keepOwnMac(final TcpAim.Host peer, final int length)
    {
        final int arp = FuzzFrames.ETH;
        if (length >= arp + ArpFlyweight.LENGTH && (frame.getShort(12, NET) & 0xFFFF) == EthernetFlyweight.TYPE_ARP
            && frame.getInt(arp + ArpFlyweight.SENDER_PROTOCOL_ADDRESS_OFFSET, NET) == peer.ip())
        {
            FuzzFrames.putMac(frame, arp + ArpFlyweight.SENDER_HARDWARE_ADDRESS_OFFSET, peer.mac());
        }
    }

    private int singleFlip(final int length)
    {
        singleFlipsOnTransfer++;
        final int at = FuzzFrames.ETH + random.nextInt(Math.max(1, length - FuzzFrames.ETH));
        frame.putByte(at, (byte)(frame.getByte(at) ^ (1 << random.nextInt(8))));
        return length;
    }

    private int mutate(final int length)
    {
        final int at = length == 0 ? 0 : random.nextInt(length);
        switch (random.nextInt(8))
        {
            case 0 -> frame.putByte(at, (byte)(frame.getByte(at) ^ (1 << random.nextInt(8))));
            case 1 -> frame.putByte(at, (byte)random.nextInt(256));
            case 2 ->
            {
                final int[] edges = {0, 1, 0x7F, 0x80, 0xFF};
                frame.putByte(at, (byte)edges[random.nextInt(edges.length)]);
            }
            case 3 ->
            {
                if (at + 1 < length)
                {
                    final int[] edges = {0, 0xFFFF, 0x8000, 0x7FFF, length, length - FuzzFrames.ETH + 1, 20, 5};
                    frame.putShort(at, (short)edges[random.nextInt(edges.length)], NET);
                }
            }
            case 4 ->
            {
                return random.nextInt(length + 1);
            }
            case 5 ->
            {
                final int extended = Math.min(MAX_FRAME, length + 1 + random.nextInt(200));
                for (int i = length; i < extended; i++)
                {
                    frame.putByte(i, (byte)random.nextInt(256));
                }
                return extended;
            }
            case 6 ->
            {
                final int span = random.nextInt(Math.max(1, length - at));
                frame.putBytes(at, piece, random.nextInt(Math.max(1, length - span)), span);
            }
            default -> frame.setMemory(at, random.nextInt(Math.max(1, length - at)), (byte)0);
        }
        return length;
    }

    /** Whether an Ethernet/IPv4/TCP frame (or a first fragment) carries the transfer's ports and addresses. */
    private boolean touchesTransfer(final UnsafeBuffer b, final int length)
    {
        final TcpAim.Transfer t = aim.transfer();
        if (t == null || length < FuzzFrames.ETH + Ipv4Flyweight.MIN_HEADER_LENGTH
            || (b.getShort(12, NET) & 0xFFFF) != EthernetFlyweight.TYPE_IPV4
            || (b.getByte(FuzzFrames.ETH + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF) != Ipv4Flyweight.PROTO_TCP)
        {
            return false;
        }
        final int headerLength = (b.getByte(FuzzFrames.ETH) & 0x0F) * 4;
        final int tcp = FuzzFrames.ETH + headerLength;
        if (headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH || tcp + 4 > length)
        {
            return false;
        }
        return t.matches(b.getInt(FuzzFrames.ETH + Ipv4Flyweight.SOURCE_OFFSET, NET), b.getShort(tcp, NET) & 0xFFFF,
            b.getInt(FuzzFrames.ETH + Ipv4Flyweight.DESTINATION_OFFSET, NET), b.getShort(tcp + 2, NET) & 0xFFFF);
    }

    static String describe(final Map<Kind, Long> cases)
    {
        final StringBuilder sb = new StringBuilder();
        cases.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k.name().toLowerCase()).append(' ').append(v));
        return sb.toString();
    }
}
