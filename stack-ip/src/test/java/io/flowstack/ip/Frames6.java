package io.flowstack.ip;

import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.wire.EthernetFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Builds IPv6 test frames byte by byte, as a kernel peer would send them (RFC 8200, RFC 4443, RFC 4861): its own
 * layout and checksum code, not the stack's flyweights, so that a test compares two independent writings.
 */
public final class Frames6
{
    /** ICMPv6 next header. */
    public static final int ICMPV6 = 58;
    /** UDP next header. */
    public static final int UDP = 17;

    private Frames6()
    {
    }

    /**
     * @return an IPv6 packet in an Ethernet frame; {@code payload} starts with any extension headers.
     */
    public static byte[] ipv6(final long dstMac, final long srcMac, final IpAddress src, final IpAddress dst,
        final int nextHeader, final int hopLimit, final byte[] payload)
    {
        final byte[] frame = new byte[14 + 40 + payload.length];
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        b.putShort(0, (short)(dstMac >>> 32), ByteOrder.BIG_ENDIAN);
        b.putInt(2, (int)dstMac, ByteOrder.BIG_ENDIAN);
        b.putShort(6, (short)(srcMac >>> 32), ByteOrder.BIG_ENDIAN);
        b.putInt(8, (int)srcMac, ByteOrder.BIG_ENDIAN);
        b.putShort(12, (short)EthernetFlyweight.TYPE_IPV6, ByteOrder.BIG_ENDIAN);
        b.putInt(14, 0x6000_0000, ByteOrder.BIG_ENDIAN);
        b.putShort(18, (short)payload.length, ByteOrder.BIG_ENDIAN);
        b.putByte(20, (byte)nextHeader);
        b.putByte(21, (byte)hopLimit);
        b.putBytes(22, src.toBytes());
        b.putBytes(38, dst.toBytes());
        b.putBytes(54, payload);
        return frame;
    }

    /**
     * @return an upper-layer message with its checksum filled in at {@code checksumAt} over the pseudo-header.
     */
    public static byte[] withChecksum(final IpAddress src, final IpAddress dst, final int nextHeader,
        final byte[] message, final int checksumAt)
    {
        final byte[] pseudo = new byte[40 + message.length];
        final UnsafeBuffer b = new UnsafeBuffer(pseudo);
        b.putBytes(0, src.toBytes());
        b.putBytes(16, dst.toBytes());
        b.putInt(32, message.length, ByteOrder.BIG_ENDIAN);
        b.putInt(36, nextHeader, ByteOrder.BIG_ENDIAN);
        final byte[] m = message.clone();
        m[checksumAt] = 0;
        m[checksumAt + 1] = 0;
        b.putBytes(40, m);
        final int sum = InternetChecksum.checksum(b, 0, pseudo.length);
        final int value = nextHeader == UDP && sum == 0 ? 0xFFFF : sum;
        m[checksumAt] = (byte)(value >>> 8);
        m[checksumAt + 1] = (byte)value;
        return m;
    }

    /**
     * @return true if an upper-layer message's checksum verifies over the pseudo-header.
     */
    public static boolean checksumValid(final IpAddress src, final IpAddress dst, final int nextHeader,
        final byte[] message)
    {
        final byte[] pseudo = new byte[40 + message.length];
        final UnsafeBuffer b = new UnsafeBuffer(pseudo);
        b.putBytes(0, src.toBytes());
        b.putBytes(16, dst.toBytes());
        b.putInt(32, message.length, ByteOrder.BIG_ENDIAN);
        b.putInt(36, nextHeader, ByteOrder.BIG_ENDIAN);
        b.putBytes(40, message);
        return InternetChecksum.checksum(b, 0, pseudo.length) == 0;
    }

    /**
     * @return an ICMPv6 message (type, code, the 4-byte field, body) with its checksum.
     */
    public static byte[] icmpv6(final IpAddress src, final IpAddress dst, final int type, final int code,
        final int word, final byte[] body)
    {
        final byte[] m = new byte[8 + body.length];
        final UnsafeBuffer b = new UnsafeBuffer(m);
        b.putByte(0, (byte)type);
        b.putByte(1, (byte)code);
        b.putInt(4, word, ByteOrder.BIG_ENDIAN);
        b.putBytes(8, body);
        return withChecksum(src, dst, ICMPV6, m, 2);
    }

    /**
     * @return a neighbor solicitation or advertisement body (target, then a link-layer address option of the
     *         given type unless {@code mac} is 0).
     */
    public static byte[] ndBody(final IpAddress target, final int optionType, final long mac)
    {
        final byte[] body = new byte[16 + (mac == 0 ? 0 : 8)];
        final UnsafeBuffer b = new UnsafeBuffer(body);
        b.putBytes(0, target.toBytes());
        if (mac != 0)
        {
            b.putByte(16, (byte)optionType);
            b.putByte(17, (byte)1);
            b.putShort(18, (short)(mac >>> 32), ByteOrder.BIG_ENDIAN);
            b.putInt(20, (int)mac, ByteOrder.BIG_ENDIAN);
        }
        return body;
    }

    /**
     * @return a UDP datagram with its checksum over the IPv6 pseudo-header.
     */
    public static byte[] udp(final IpAddress src, final IpAddress dst, final int srcPort, final int dstPort,
        final byte[] data)
    {
        final byte[] m = new byte[8 + data.length];
        final UnsafeBuffer b = new UnsafeBuffer(m);
        b.putShort(0, (short)srcPort, ByteOrder.BIG_ENDIAN);
        b.putShort(2, (short)dstPort, ByteOrder.BIG_ENDIAN);
        b.putShort(4, (short)m.length, ByteOrder.BIG_ENDIAN);
        b.putBytes(8, data);
        return withChecksum(src, dst, UDP, m, 6);
    }

    /**
     * @return the fragments (each a fragment header and its data, RFC 8200 4.5) of an upper-layer payload, cut in
     *         pieces of {@code chunk} bytes (a multiple of 8).
     */
    public static java.util.List<byte[]> fragments(final byte[] payload, final int nextHeader, final int chunk,
        final int id)
    {
        final java.util.List<byte[]> out = new java.util.ArrayList<>();
        for (int at = 0; at < payload.length; at += chunk)
        {
            final int n = Math.min(chunk, payload.length - at);
            final byte[] f = new byte[8 + n];
            final UnsafeBuffer b = new UnsafeBuffer(f);
            b.putByte(0, (byte)nextHeader);
            b.putShort(2, (short)(at | (at + n < payload.length ? 1 : 0)), ByteOrder.BIG_ENDIAN);
            b.putInt(4, id, ByteOrder.BIG_ENDIAN);
            b.putBytes(8, payload, at, n);
            out.add(f);
        }
        return out;
    }
}
