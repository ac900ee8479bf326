package io.flowstack.core.sim;

import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * What a network card with checksum and TCP segmentation offload does to a frame its driver hands it with a
 * virtio-net header, done in software so that a simulated port can put ordinary frames on the wire: finish a
 * partial checksum, and cut a TCP/IPv4 segmentation frame into segments of gso_size payload bytes, each with the
 * headers copied (options included), the IPv4 total length, identification (+1 per segment) and header checksum
 * redone, the sequence number advanced, FIN and PSH only on the last segment and CWR only on the first (as
 * Linux's tcp_gso_segment does), and the TCP checksum computed. One instance per port; no allocation per frame.
 */
final class SegmentationOffload
{
    /** Where each finished frame goes. */
    interface FrameOut
    {
        void onFrame(DirectBuffer buffer, int offset, int length);
    }

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    private static final int ETH = 14;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int PROTO_TCP = 6;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[ETH + 60 + 60 + 65_535]);
    private long segmented;
    private long produced;
    private long refused;

    /**
     * @param buffer holds the virtio-net header followed by the frame (a ring message); the frame is changed in
     *               place when only its checksum is to be finished.
     * @param index  index of the header.
     * @param length header and frame.
     * @param out    gets each wire frame.
     */
    void transmit(final MutableDirectBuffer buffer, final int index, final int length, final FrameOut out)
    {
        final int frame = index + VirtioNetHeader.LENGTH;
        final int frameLength = length - VirtioNetHeader.LENGTH;
        final int flags = buffer.getByte(index) & 0xFF;
        final int gsoType = buffer.getByte(index + 1) & 0x7F;
        final int gsoSize = buffer.getShort(index + 4, ByteOrder.nativeOrder()) & 0xFFFF;
        final int csumStart = buffer.getShort(index + 6, ByteOrder.nativeOrder()) & 0xFFFF;
        final int csumOffset = buffer.getShort(index + 8, ByteOrder.nativeOrder()) & 0xFFFF;
        if (gsoType == VirtioNetHeader.GSO_NONE)
        {
            if ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0 && csumStart + csumOffset + 2 <= frameLength)
            {
                final int start = frame + csumStart;
                finishChecksum(buffer, start, frame + frameLength - start, start + csumOffset);
            }
            out.onFrame(buffer, frame, frameLength);
            return;
        }
        if (gsoType != VirtioNetHeader.GSO_TCPV4 || gsoSize == 0 || !cut(buffer, frame, frameLength, gsoSize, out))
        {
            refused++;
        }
    }

    private boolean cut(final DirectBuffer buffer, final int frame, final int frameLength, final int gsoSize,
        final FrameOut out)
    {
        if (frameLength < ETH + 40 || (buffer.getShort(frame + 12, BE) & 0xFFFF) != ETHERTYPE_IPV4)
        {
            return false;
        }
        final int ip = frame + ETH;
        final int ipHeader = (buffer.getByte(ip) & 0x0F) * 4;
        if (ipHeader < 20 || (buffer.getByte(ip + 9) & 0xFF) != PROTO_TCP)
        {
            return false;
        }
        final int tcp = ip + ipHeader;
        final int tcpHeader = ((buffer.getByte(tcp + 12) & 0xF0) >>> 4) * 4;
        final int headers = ETH + ipHeader + tcpHeader;
        final int payload = frameLength - headers;
        if (tcpHeader < 20 || payload < 0)
        {
            return false;
        }
        segmented++;
        final int seq = buffer.getInt(tcp + 4, BE);
        final int id = buffer.getShort(ip + 4, BE) & 0xFFFF;
        final int tcpFlags = buffer.getByte(tcp + 13) & 0xFF;
        final int source = buffer.getInt(ip + 12, BE);
        final int destination = buffer.getInt(ip + 16, BE);
        final UnsafeBuffer s = scratch;
        int done = 0;
        int piece = 0;
        do
        {
            final int len = Math.min(gsoSize, payload - done);
            final boolean last = done + len >= payload;
            s.putBytes(0, buffer, frame, headers);
            s.putBytes(headers, buffer, frame + headers + done, len);
            final int sIp = ETH;
            s.putShort(sIp + 2, (short)(ipHeader + tcpHeader + len), BE);
            s.putShort(sIp + 4, (short)(id + piece), BE);
            s.putShort(sIp + 10, (short)0);
            s.putShort(sIp + 10, (short)InternetChecksum.checksum(s, sIp, ipHeader), BE);
            final int sTcp = sIp + ipHeader;
            s.putInt(sTcp + 4, seq + done, BE);
            int f = tcpFlags;
            if (!last)
            {
                f &= ~(TCP_FIN | TCP_PSH);
            }
            if (piece > 0)
            {
                f &= ~TCP_CWR;
            }
            s.putByte(sTcp + 13, (byte)f);
            final int tcpLength = tcpHeader + len;
            s.putShort(sTcp + 16, (short)0);
            final long pseudo = InternetChecksum.pseudoHeaderIpv4(source, destination, PROTO_TCP, tcpLength);
            final int sum = InternetChecksum.fold(InternetChecksum.partial(s, sTcp, tcpLength, pseudo));
            s.putShort(sTcp + 16, (short)sum, BE);
            produced++;
            out.onFrame(s, 0, headers + len);
            done += len;
            piece++;
        }
        while (done < payload);
        return true;
    }

    /** Sums from start to the end (the field holds the pseudo-header sum) and stores the complement, 0 as 0xFFFF. */
    private static void finishChecksum(final MutableDirectBuffer buffer, final int start, final int length,
        final int field)
    {
        final int sum = InternetChecksum.checksum(buffer, start, length);
        buffer.putShort(field, (short)(sum == 0 ? 0xFFFF : sum), BE);
    }

    /**
     * @return segmentation frames cut.
     */
    long segmented()
    {
        return segmented;
    }

    /**
     * @return wire frames produced by cutting.
     */
    long produced()
    {
        return produced;
    }

    /**
     * @return segmentation frames refused (not TCP/IPv4, or malformed).
     */
    long refused()
    {
        return refused;
    }
}
