package io.flowstack.tap.testing;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.tap.MacAddresses;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Just enough Ethernet, ARP and IPv4 for the driver's live tests (the real codecs live in stack-ip, which
 * tap-driver must not depend on).
 */
public final class Arp
{
    /** Ethernet header length. */
    public static final int ETH_HLEN = 14;
    /** EtherType of ARP. */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** EtherType of IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** ARP opcode: request. */
    public static final int OP_REQUEST = 1;
    /** ARP opcode: reply. */
    public static final int OP_REPLY = 2;
    /** Ethernet plus ARP for IPv4. */
    public static final int FRAME_LENGTH = ETH_HLEN + 28;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private Arp()
    {
    }

    /**
     * @param dotted "a.b.c.d".
     * @return the address as an int, first octet highest.
     */
    public static int ipv4(final String dotted)
    {
        final String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
            | Integer.parseInt(p[3]);
    }

    /**
     * @param frame a received frame.
     * @return its EtherType, or -1 when too short.
     */
    public static int etherType(final PacketBuffer frame)
    {
        return frame.length() < ETH_HLEN ? -1 : frame.buffer().getShort(frame.offset() + 12, BE) & 0xFFFF;
    }

    /**
     * @param frame a received frame.
     * @return destination MAC.
     */
    public static long ethDst(final PacketBuffer frame)
    {
        return MacAddresses.read(frame.buffer(), frame.offset());
    }

    /**
     * @param frame a received frame.
     * @return source MAC.
     */
    public static long ethSrc(final PacketBuffer frame)
    {
        return MacAddresses.read(frame.buffer(), frame.offset() + 6);
    }

    /**
     * @param frame    a received frame.
     * @param targetIp the address asked for.
     * @return true when it is an Ethernet/IPv4 ARP request for {@code targetIp}.
     */
    public static boolean isRequestFor(final PacketBuffer frame, final int targetIp)
    {
        if (etherType(frame) != ETHERTYPE_ARP || frame.length() < FRAME_LENGTH)
        {
            return false;
        }
        final DirectBuffer b = frame.buffer();
        final int a = frame.offset() + ETH_HLEN;
        return (b.getShort(a, BE) & 0xFFFF) == 1 && (b.getShort(a + 2, BE) & 0xFFFF) == ETHERTYPE_IPV4
            && b.getByte(a + 4) == 6 && b.getByte(a + 5) == 4 && (b.getShort(a + 6, BE) & 0xFFFF) == OP_REQUEST
            && b.getInt(a + 24, BE) == targetIp;
    }

    /**
     * @param frame an ARP frame.
     * @return sender hardware address.
     */
    public static long senderMac(final PacketBuffer frame)
    {
        return MacAddresses.read(frame.buffer(), frame.offset() + ETH_HLEN + 8);
    }

    /**
     * @param frame an ARP frame.
     * @return sender protocol address.
     */
    public static int senderIp(final PacketBuffer frame)
    {
        return frame.buffer().getInt(frame.offset() + ETH_HLEN + 14, BE);
    }

    /**
     * Writes an Ethernet + ARP frame into {@code frame} at its current offset and sets its window.
     *
     * @param frame     buffer fresh from a pool.
     * @param ethDst    Ethernet destination.
     * @param op        {@link #OP_REQUEST} or {@link #OP_REPLY}.
     * @param senderMac our MAC (also the Ethernet source).
     * @param senderIp  our address.
     * @param targetMac target hardware address (0 in a request).
     * @param targetIp  target protocol address.
     * @return the frame.
     */
    public static PacketBuffer write(
        final PacketBuffer frame,
        final long ethDst,
        final int op,
        final long senderMac,
        final int senderIp,
        final long targetMac,
        final int targetIp)
    {
        final MutableDirectBuffer b = frame.buffer();
        final int o = frame.offset();
        MacAddresses.write(b, o, ethDst);
        MacAddresses.write(b, o + 6, senderMac);
        b.putShort(o + 12, (short)ETHERTYPE_ARP, BE);
        final int a = o + ETH_HLEN;
        b.putShort(a, (short)1, BE);
        b.putShort(a + 2, (short)ETHERTYPE_IPV4, BE);
        b.putByte(a + 4, (byte)6);
        b.putByte(a + 5, (byte)4);
        b.putShort(a + 6, (short)op, BE);
        MacAddresses.write(b, a + 8, senderMac);
        b.putInt(a + 14, senderIp, BE);
        MacAddresses.write(b, a + 18, targetMac);
        b.putInt(a + 24, targetIp, BE);
        return frame.window(o, FRAME_LENGTH);
    }

    /**
     * @param frame    a received frame.
     * @param protocol IP protocol number.
     * @param dstIp    destination address.
     * @return true when it is an IPv4 packet of that protocol to that address.
     */
    public static boolean isIpv4To(final PacketBuffer frame, final int protocol, final int dstIp)
    {
        if (etherType(frame) != ETHERTYPE_IPV4 || frame.length() < ETH_HLEN + 20)
        {
            return false;
        }
        final DirectBuffer b = frame.buffer();
        final int ip = frame.offset() + ETH_HLEN;
        return (b.getByte(ip) & 0xF0) == 0x40 && (b.getByte(ip + 9) & 0xFF) == protocol
            && b.getInt(ip + 16, BE) == dstIp;
    }
}
