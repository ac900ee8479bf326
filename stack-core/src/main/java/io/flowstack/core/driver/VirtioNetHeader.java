package io.flowstack.core.driver;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The {@code struct virtio_net_hdr} that a TAP with {@code IFF_VNET_HDR} and an AF_PACKET socket with
 * {@code PACKET_VNET_HDR} put in front of every frame (virtio spec 5.1.6, Linux include/uapi/linux/virtio_net.h),
 * translated to and from a {@link PacketBuffer}'s checksum state and segmentation metadata. One codec for every
 * driver that speaks it, so they agree on every field.
 * <p>
 * Layout, 10 bytes: flags (u8), gso_type (u8), hdr_len, gso_size, csum_start, csum_offset (each u16). The u16s
 * are in the legacy virtio byte order, the host's own on a little-endian machine (TAP and AF_PACKET both use
 * that unless told otherwise with TUNSETVNETLE/BE, which we never do). csum_start counts from the first byte of
 * the Ethernet frame.
 */
public final class VirtioNetHeader
{
    /** sizeof(struct virtio_net_hdr). */
    public static final int LENGTH = 10;
    /** The transport checksum is partial: sum from csum_start, store at csum_start + csum_offset. */
    public static final int F_NEEDS_CSUM = 1;
    /** The device verified the transport checksum. */
    public static final int F_DATA_VALID = 2;
    /** gso_type: not a segmentation frame. */
    public static final int GSO_NONE = 0;
    /** gso_type: TCP over IPv4. */
    public static final int GSO_TCPV4 = 1;
    /** gso_type: UDP fragmentation offload (obsolete; refused here). */
    public static final int GSO_UDP = 3;
    /** gso_type: TCP over IPv6. */
    public static final int GSO_TCPV6 = 4;
    /** gso_type: UDP segmentation (USO). */
    public static final int GSO_UDP_L4 = 5;
    /** gso_type bit: the TCP segments carry CWR/ECE as in ECN. */
    public static final int GSO_ECN = 0x80;

    static final int FLAGS_OFFSET = 0;
    static final int GSO_TYPE_OFFSET = 1;
    static final int HDR_LEN_OFFSET = 2;
    static final int GSO_SIZE_OFFSET = 4;
    static final int CSUM_START_OFFSET = 6;
    static final int CSUM_OFFSET_OFFSET = 8;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Offset of the data-offset byte in a TCP header. */
    private static final int TCP_DATA_OFFSET = 12;
    private static final int UDP_CHECKSUM_OFFSET = 6;

    private VirtioNetHeader()
    {
    }

    /**
     * Reads a received frame's header into the frame's metadata.
     *
     * @param header buffer holding the header.
     * @param at     index of the header.
     * @param frame  the frame, its window exactly the Ethernet frame; its metadata is set here.
     * @return false when the header contradicts the frame (a checksum range or segment type that does not fit);
     *         the frame is then to be dropped.
     */
    public static boolean decode(final DirectBuffer header, final int at, final PacketBuffer frame)
    {
        frame.clearOffloads();
        final int flags = header.getByte(at + FLAGS_OFFSET) & 0xFF;
        final int gsoType = header.getByte(at + GSO_TYPE_OFFSET) & 0xFF & ~GSO_ECN;
        if ((flags & F_NEEDS_CSUM) != 0)
        {
            final int start = header.getShort(at + CSUM_START_OFFSET, ORDER) & 0xFFFF;
            final int offset = header.getShort(at + CSUM_OFFSET_OFFSET, ORDER) & 0xFFFF;
            if (start + offset + 2 > frame.length())
            {
                return false;
            }
            frame.checksumPartial(frame.offset() + start, offset);
        }
        else if ((flags & F_DATA_VALID) != 0)
        {
            frame.checksumUnnecessary();
        }
        if (gsoType != GSO_NONE)
        {
            if (gsoType != GSO_TCPV4 && gsoType != GSO_TCPV6 && gsoType != GSO_UDP_L4)
            {
                return false;
            }
            final int size = header.getShort(at + GSO_SIZE_OFFSET, ORDER) & 0xFFFF;
            if (size == 0)
            {
                return false;
            }
            frame.gso(gsoType, size);
        }
        return true;
    }

    /**
     * Writes the header that asks the device for what the frame's metadata says: complete a partial checksum,
     * cut a segmentation frame.
     *
     * @param frame  the frame, its window exactly the Ethernet frame.
     * @param header where the header goes.
     * @param at     index of the header.
     */
    public static void encode(final PacketBuffer frame, final MutableDirectBuffer header, final int at)
    {
        int flags = 0;
        int start = 0;
        int offset = 0;
        int hdrLen = 0;
        if (frame.checksumState() == PacketBuffer.CHECKSUM_PARTIAL)
        {
            flags = F_NEEDS_CSUM;
            start = frame.checksumStart() - frame.offset();
            offset = frame.checksumOffset();
            hdrLen = start + offset + 2;
        }
        final int gsoType = frame.gsoType();
        if (gsoType == PacketBuffer.GSO_TCPV4 || gsoType == PacketBuffer.GSO_TCPV6)
        {
            // hdr_len: Ethernet, IP and TCP headers, options included (virtio 5.1.6.2: the bytes before the payload).
            hdrLen = start + ((frame.buffer().getByte(frame.checksumStart() + TCP_DATA_OFFSET) & 0xF0) >>> 2);
        }
        else if (gsoType == PacketBuffer.GSO_UDP_L4)
        {
            hdrLen = start + 8;
        }
        header.putByte(at + FLAGS_OFFSET, (byte)flags);
        header.putByte(at + GSO_TYPE_OFFSET, (byte)gsoType);
        header.putShort(at + HDR_LEN_OFFSET, (short)hdrLen, ORDER);
        header.putShort(at + GSO_SIZE_OFFSET, (short)(gsoType == GSO_NONE ? 0 : frame.gsoSize()), ORDER);
        header.putShort(at + CSUM_START_OFFSET, (short)start, ORDER);
        header.putShort(at + CSUM_OFFSET_OFFSET, (short)offset, ORDER);
    }

    /**
     * The checksum a partial checksum becomes: the sum from the start to the end of the frame (the field holds
     * the pseudo-header sum), folded and complemented. A result of 0 is sent as 0xFFFF only for UDP, where 0 means
     * "no checksum" (RFC 768); TCP and ICMPv6 send the 0 their software path computes (Wireshark flags a TCP
     * 0xFFFF, RFC 1624 section 3). Linux's skb_checksum_help writes 0xFFFF for all.
     *
     * @param frame a frame with {@link PacketBuffer#CHECKSUM_PARTIAL}.
     * @return the value for the checksum field.
     */
    public static int fullChecksum(final PacketBuffer frame)
    {
        final int start = frame.checksumStart();
        final int sum = InternetChecksum.checksum(frame.buffer(), start, frame.limit() - start);
        return sum == 0 && frame.checksumOffset() == UDP_CHECKSUM_OFFSET ? 0xFFFF : sum;
    }

    /**
     * Finishes a partial checksum in software, as a device without the offload would need: afterwards the frame
     * is an ordinary one ({@link PacketBuffer#CHECKSUM_NONE}).
     *
     * @param frame a frame, checksum partial or not.
     */
    public static void completeChecksum(final PacketBuffer frame)
    {
        if (frame.checksumState() != PacketBuffer.CHECKSUM_PARTIAL)
        {
            return;
        }
        final int field = frame.checksumStart() + frame.checksumOffset();
        frame.buffer().putShort(field, (short)fullChecksum(frame), ByteOrder.BIG_ENDIAN);
        frame.checksumComplete();
    }
}
