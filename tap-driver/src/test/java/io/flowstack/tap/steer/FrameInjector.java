package io.flowstack.tap.steer;

import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.packet.PacketAbi;
import io.flowstack.tap.sys.Native;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;

/**
 * Sends raw frames out of an interface of a namespace through an AF_PACKET socket (bound with protocol 0, so it
 * receives nothing): on a TAP's kernel side they go through the TAP's queue selection, on a veth they arrive at
 * the peer's packet sockets.
 */
final class FrameInjector implements AutoCloseable
{
    private final int fd;
    private final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));

    FrameInjector(final NetNs ns, final String ifName) throws IOException
    {
        this.fd = ns.callInside(() ->
        {
            final int s = Native.check(Native.LIBC.socket(PacketAbi.AF_PACKET, PacketAbi.SOCK_RAW, 0),
                "socket(AF_PACKET)");
            final int index = Native.LIBC.if_nametoindex(ifName);
            final UnsafeBuffer sll = new UnsafeBuffer(BufferUtil.allocateDirectAligned(32, 8));
            sll.putShort(PacketAbi.SLL_FAMILY_OFFSET, (short)PacketAbi.AF_PACKET);
            sll.putInt(PacketAbi.SLL_IFINDEX_OFFSET, index);
            if (Native.LIBC.bind(s, sll.addressOffset(), PacketAbi.SOCKADDR_LL_SIZE) < 0)
            {
                final int errno = Native.errno();
                Native.closeQuietly(s);
                throw new IOException("bind to " + ifName + ": " + Native.describe(errno));
            }
            return s;
        });
    }

    /**
     * @return false when the kernel refused the frame.
     */
    boolean send(final byte[] frame, final int length)
    {
        buffer.putBytes(0, frame, 0, length);
        return Native.LIBC.write(fd, buffer.addressOffset(), length) == length;
    }

    @Override
    public void close()
    {
        Native.closeQuietly(fd);
    }
}
