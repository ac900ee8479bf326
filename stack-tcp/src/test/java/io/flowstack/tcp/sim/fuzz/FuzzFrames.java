package io.flowstack.tcp.sim.fuzz;

import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.IcmpFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.ip.wire.UdpFlyweight;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Random;

/**
 * Writes valid Ethernet frames for the fuzzer: ARP, IPv4 (with options), ICMP, UDP and TCP, with correct lengths and
 * checksums, and recomputes the checksums of a frame after a mutation ({@link #fixChecksums}) so that it gets past
 * the first checks. Frames start at offset 0 of the buffer given.
 */
final class FuzzFrames
{
    static final int ETH = EthernetFlyweight.HEADER_LENGTH;
    private static final ByteOrder NET = ByteOrder.BIG_ENDIAN;

    private FuzzFrames()
    {
    }

    static void ethernet(final MutableDirectBuffer b, final long destination, final long source, final int type)
    {
        putMac(b, 0, destination);
        putMac(b, 6, source);
        b.putShort(12, (short)type, NET);
    }

    static void putMac(final MutableDirectBuffer b, final int at, final long mac)
    {
        b.putShort(at, (short)(mac >>> 32), NET);
        b.putInt(at + 2, (int)mac, NET);
    }

    /** An ARP packet for Ethernet and IPv4 behind an Ethernet header; returns the frame length (42). */
    static int arp(final MutableDirectBuffer b, final long destination, final long source, final int operation,
        final long senderMac, final int senderIp, final long targetMac, final int targetIp)
    {
        ethernet(b, destination, source, EthernetFlyweight.TYPE_ARP);
        new ArpFlyweight().wrap(b, ETH, ArpFlyweight.LENGTH).initEthernetIpv4().operation(operation)
            .senderHardwareAddress(senderMac).senderProtocolAddress(senderIp)
            .targetHardwareAddress(targetMac).targetProtocolAddress(targetIp);
        return ETH + ArpFlyweight.LENGTH;
    }

    /**
     * IP options of {@code length} bytes (a multiple of 4, at most 40): a random mix of well-formed Record Route,
     * Timestamp, Router Alert, NOP and EOL, or (when {@code malformed}) options whose length fields lie.
     */
    static void ipOptions(final MutableDirectBuffer b, final int at, final int length, final boolean malformed,
        final Random random)
    {
        int i = 0;
        while (i < length)
        {
            final int left = length - i;
            final int kind = random.nextInt(6);
            if (malformed && random.nextInt(3) == 0)
            {
                b.putByte(at + i, (byte)random.nextInt(256));
                if (left > 1)
                {
                    // 0, 1, past the end, or anything.
                    final int[] lies = {0, 1, left + 1 + random.nextInt(8), random.nextInt(256)};
                    b.putByte(at + i + 1, (byte)lies[random.nextInt(lies.length)]);
                }
                i += Math.min(left, 2);
            }
            else if (kind == 0 && left >= 7)
            {
                // Record Route (RFC 791): type 7, length 3 + 4n, pointer 4.
                final int slots = Math.min((left - 3) / 4, 1 + random.nextInt(4));
                b.putByte(at + i, (byte)7);
                b.putByte(at + i + 1, (byte)(3 + 4 * slots));
                b.putByte(at + i + 2, (byte)4);
                b.setMemory(at + i + 3, 4 * slots, (byte)0);
                i += 3 + 4 * slots;
            }
            else if (kind == 1 && left >= 8)
            {
                // Timestamp (RFC 791): type 68, length 4 + 4n, pointer 5, overflow 0, flag 0.
                final int slots = Math.min((left - 4) / 4, 1 + random.nextInt(4));
                b.putByte(at + i, (byte)68);
                b.putByte(at + i + 1, (byte)(4 + 4 * slots));
                b.putByte(at + i + 2, (byte)5);
                b.putByte(at + i + 3, (byte)0);
                b.setMemory(at + i + 4, 4 * slots, (byte)0);
                i += 4 + 4 * slots;
            }
            else if (kind == 2 && left >= 4)
            {
                // Router Alert (RFC 2113): type 148, length 4, value 0.
                b.putByte(at + i, (byte)148);
                b.putByte(at + i + 1, (byte)4);
                b.putShort(at + i + 2, (short)0);
                i += 4;
            }
            else if (kind == 3)
            {
                b.setMemory(at + i, left, (byte)0);
                i = length;
            }
            else
            {
                b.putByte(at + i, (byte)1);
                i++;
            }
        }
    }

    /**
     * An IPv4 header at offset 14 (options already written behind it, if any), checksum computed.
     *
     * @return the offset of the payload.
     */
    static int ipv4(final MutableDirectBuffer b, final int headerLength, final int payloadLength, final int id,
        final int flagsFragment, final int protocol, final int source, final int destination)
    {
        new Ipv4Flyweight().wrap(b, ETH, headerLength + payloadLength)
            .versionAndHeaderLength(headerLength).dscpEcn(0).totalLength(headerLength + payloadLength)
            .identification(id).flagsFragment(flagsFragment).ttl(64).protocol(protocol)
            .source(source).destination(destination).computeChecksum();
        return ETH + headerLength;
    }

    /** A TCP header with {@code options} (a multiple of 4 bytes) at {@code at}; payload written by the caller. */
    static void tcp(final MutableDirectBuffer b, final int at, final int sourcePort, final int destinationPort,
        final int seq, final int ack, final int flags, final int window, final int urgent, final int optionsLength)
    {
        final TcpFlyweight tcp = new TcpFlyweight().wrap(b, at, TcpFlyweight.HEADER_LENGTH + optionsLength);
        tcp.sourcePort(sourcePort).destinationPort(destinationPort).sequenceNumber(seq).acknowledgmentNumber(ack)
            .dataOffset(TcpFlyweight.HEADER_LENGTH + optionsLength).flags(flags).window(window).urgentPointer(urgent);
    }

    static void udp(final MutableDirectBuffer b, final int at, final int sourcePort, final int destinationPort,
        final int udpLength)
    {
        new UdpFlyweight().wrap(b, at, udpLength).sourcePort(sourcePort).destinationPort(destinationPort)
            .udpLength(udpLength).checksum(0);
    }

    static void icmp(final MutableDirectBuffer b, final int at, final int type, final int code, final int rest)
    {
        b.putByte(at + IcmpFlyweight.TYPE_OFFSET, (byte)type);
        b.putByte(at + IcmpFlyweight.CODE_OFFSET, (byte)code);
        b.putShort(at + IcmpFlyweight.CHECKSUM_OFFSET, (short)0);
        b.putInt(at + IcmpFlyweight.REST_OF_HEADER_OFFSET, rest, NET);
    }

    /**
     * Makes the checksums of an Ethernet/IPv4 frame right again: the header's when its length fields are sane, and
     * the transport's (TCP, UDP, ICMP) when the datagram is whole (not a fragment) and fits the frame.
     *
     * @return true if the transport checksum was rewritten.
     */
    static boolean fixChecksums(final MutableDirectBuffer b, final int frameLength)
    {
        if (frameLength < ETH + Ipv4Flyweight.MIN_HEADER_LENGTH
            || (b.getShort(12, NET) & 0xFFFF) != EthernetFlyweight.TYPE_IPV4)
        {
            return false;
        }
        final int headerLength = (b.getByte(ETH) & 0x0F) * 4;
        if (headerLength < Ipv4Flyweight.MIN_HEADER_LENGTH || ETH + headerLength > frameLength)
        {
            return false;
        }
        b.putShort(ETH + Ipv4Flyweight.HEADER_CHECKSUM_OFFSET, (short)0);
        b.putShort(ETH + Ipv4Flyweight.HEADER_CHECKSUM_OFFSET, (short)InternetChecksum.checksum(b, ETH, headerLength),
            NET);
        final int total = b.getShort(ETH + Ipv4Flyweight.TOTAL_LENGTH_OFFSET, NET) & 0xFFFF;
        final int flagsFragment = b.getShort(ETH + Ipv4Flyweight.FLAGS_FRAGMENT_OFFSET, NET) & 0xFFFF;
        if (total < headerLength || ETH + total > frameLength
            || (flagsFragment & (Ipv4Flyweight.FLAG_MF | Ipv4Flyweight.FRAGMENT_OFFSET_MASK)) != 0)
        {
            return false;
        }
        final int at = ETH + headerLength;
        final int length = total - headerLength;
        final int source = b.getInt(ETH + Ipv4Flyweight.SOURCE_OFFSET, NET);
        final int destination = b.getInt(ETH + Ipv4Flyweight.DESTINATION_OFFSET, NET);
        switch (b.getByte(ETH + Ipv4Flyweight.PROTOCOL_OFFSET) & 0xFF)
        {
            case Ipv4Flyweight.PROTO_TCP ->
            {
                if (length < TcpFlyweight.HEADER_LENGTH)
                {
                    return false;
                }
                transportChecksum(b, at, length, at + TcpFlyweight.CHECKSUM_OFFSET, source, destination,
                    Ipv4Flyweight.PROTO_TCP);
            }
            case Ipv4Flyweight.PROTO_UDP ->
            {
                if (length < 8)
                {
                    return false;
                }
                final int udpLength = b.getShort(at + 4, NET) & 0xFFFF;
                if (udpLength < 8 || udpLength > length)
                {
                    return false;
                }
                transportChecksum(b, at, udpLength, at + 6, source, destination, Ipv4Flyweight.PROTO_UDP);
                if (b.getShort(at + 6) == 0)
                {
                    // RFC 768: a computed 0 is sent as all ones (0 means "no checksum").
                    b.putShort(at + 6, (short)0xFFFF);
                }
            }
            case Ipv4Flyweight.PROTO_ICMP ->
            {
                if (length < IcmpFlyweight.HEADER_LENGTH)
                {
                    return false;
                }
                b.putShort(at + IcmpFlyweight.CHECKSUM_OFFSET, (short)0);
                b.putShort(at + IcmpFlyweight.CHECKSUM_OFFSET, (short)InternetChecksum.checksum(b, at, length), NET);
            }
            default ->
            {
                return false;
            }
        }
        return true;
    }

    private static void transportChecksum(final MutableDirectBuffer b, final int at, final int length,
        final int field, final int source, final int destination, final int protocol)
    {
        b.putShort(field, (short)0);
        final long pseudo = InternetChecksum.pseudoHeaderIpv4(source, destination, protocol, length);
        b.putShort(field, (short)InternetChecksum.fold(InternetChecksum.partial(b, at, length, pseudo)), NET);
    }
}
