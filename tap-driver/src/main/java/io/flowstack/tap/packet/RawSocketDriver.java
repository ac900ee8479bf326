package io.flowstack.tap.packet;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.tap.MacAddresses;
import io.flowstack.tap.sys.LibC;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.sys.Native;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import static io.flowstack.tap.packet.PacketAbi.*;

/**
 * A {@link NetworkDriver} over one member socket of a {@link PacketDevice}: receive reads the member's
 * TPACKET_V3 ring (a batch of frames per wake-up, no system call per frame); transmit queues frames and
 * {@link #flush()} hands the whole batch to the kernel with one {@code sendmmsg}.
 * <p>
 * Why sendmmsg and not a PACKET_TX_RING: the iovecs point straight into our pool buffers, so a frame is copied
 * once (by the kernel) instead of into a ring slot and then by the kernel; every frame is done when the call
 * returns, so buffers go back to the pool at once instead of after polling the ring's status words; and a ring
 * would need 64 KiB slots for the largest frames. The cost the ring would save, one system call per batch,
 * sendmmsg already saves. Each message has two iovecs: its virtio_net_hdr (the socket uses PACKET_VNET_HDR, which
 * applies to both directions) and the frame. Without offloads the header is zero (nothing asked); with them it
 * asks for what the frame's metadata says ({@link VirtioNetHeader}), so a raw socket sends partial checksums and
 * TCP segments of up to 64 KB that the kernel cuts (or a veth passes on whole).
 * <p>
 * Used by one thread; several drivers may share a member socket for transmission, only one reads it. Nothing
 * allocates on either path; failures drop the frame and count.
 */
public final class RawSocketDriver implements NetworkDriver
{
    /** Frames {@link #transmit(PacketBuffer)} queues before it sends the batch itself. */
    public static final int TX_BATCH = 64;
    private static final int VNET_STRIDE = 16;

    private final LibC libc = Native.LIBC;
    private final PacketSocket socket;
    private final int ifIndex;
    private final long macAddress;
    private final int mtu;
    private final Steering steering;
    private final Offloads offloads;
    private final PacketBuffer[] txBatch = new PacketBuffer[TX_BATCH];
    /** TX_BATCH mmsghdrs, then 2 iovecs per message, then a virtio_net_hdr per message (16 bytes apart). */
    private final UnsafeBuffer messages;
    private final int headersOffset;
    private final long messagesAddress;
    private final long iovecsAddress;
    private int txCount;
    private boolean closed;

    private long txFrames;
    private long txBytes;
    private long txDrops;
    private long txCalls;
    private long txLinkDown;
    private long txErrors;
    private int txLastErrno;
    private long txLargeFrames;

    RawSocketDriver(final PacketSocket socket, final int ifIndex, final long macAddress, final int mtu,
        final Steering steering, final Offloads offloads)
    {
        this.socket = socket;
        this.ifIndex = ifIndex;
        this.macAddress = macAddress & MacAddresses.MASK;
        this.mtu = mtu;
        this.steering = steering;
        this.offloads = offloads;
        final int iovecsOffset = TX_BATCH * MMSGHDR_SIZE;
        final int vnetOffset = iovecsOffset + TX_BATCH * 2 * IOVEC_SIZE;
        this.headersOffset = vnetOffset;
        this.messages = new UnsafeBuffer(BufferUtil.allocateDirectAligned(vnetOffset + TX_BATCH * VNET_STRIDE, 64));
        this.messagesAddress = messages.addressOffset();
        this.iovecsAddress = messagesAddress + iovecsOffset;
        messages.setMemory(0, messages.capacity(), (byte)0);
        // The parts that never change: no msg_name (the socket is bound: the kernel uses its interface and
        // protocol), two iovecs per message, the first one the message's virtio_net_hdr.
        for (int i = 0; i < TX_BATCH; i++)
        {
            final int m = i * MMSGHDR_SIZE;
            final long iov = iovecsAddress + (long)i * 2 * IOVEC_SIZE;
            messages.putLong(m + MSG_IOV_OFFSET, iov);
            messages.putLong(m + MSG_IOVLEN_OFFSET, 2);
            final int iovIndex = iovecsOffset + i * 2 * IOVEC_SIZE;
            messages.putLong(iovIndex, messagesAddress + vnetOffset + (long)i * VNET_STRIDE);
            messages.putLong(iovIndex + 8, VNET_HDR_SIZE);
        }
    }

    @Override
    public int receive(final BufferPool pool, final FrameHandler handler, final int limit)
    {
        return closed ? 0 : socket.receive(pool, handler, limit, ifIndex);
    }

    @Override
    public int failure()
    {
        return socket.failure();
    }

    /** A down interface is probed on time even when nothing else wakes the core. */
    @Override
    public long nextDeadline()
    {
        return closed ? Long.MAX_VALUE : socket.nextProbe();
    }

    @Override
    public void transmit(final PacketBuffer frame)
    {
        // This device does not gather (Offloads.TX_GATHER); were a payload attached, it must not wait in a batch.
        frame.linearize();
        if (closed || socket.failure() != 0)
        {
            txDrops++;
            frame.release();
            return;
        }
        if (txCount == TX_BATCH)
        {
            flush();
        }
        txBatch[txCount++] = frame;
    }

    @Override
    public int flush()
    {
        final int count = txCount;
        if (count == 0)
        {
            return 0;
        }
        final PacketBuffer[] batch = txBatch;
        final UnsafeBuffer m = messages;
        final int iovecsOffset = TX_BATCH * MMSGHDR_SIZE;
        for (int i = 0; i < count; i++)
        {
            final PacketBuffer frame = batch[i];
            final int iov = iovecsOffset + (i * 2 + 1) * IOVEC_SIZE;
            m.putLong(iov, frame.buffer().addressOffset() + frame.offset());
            m.putLong(iov + 8, frame.length());
            if (offloads.txChecksum())
            {
                VirtioNetHeader.encode(frame, m, headersOffset + i * VNET_STRIDE);
                if (frame.gsoType() != PacketBuffer.GSO_NONE)
                {
                    txLargeFrames++;
                }
            }
            else
            {
                // Only a socket with offloads has the kernel finish checksums; the stack asks only those.
                VirtioNetHeader.completeChecksum(frame);
            }
        }
        int sent = 0;
        int next = 0;
        final int fd = socket.failure() != 0 ? -1 : socket.fd();
        while (next < count && fd >= 0)
        {
            final int n = libc.sendmmsg(fd, messagesAddress + (long)next * MMSGHDR_SIZE, count - next, MSG_DONTWAIT);
            txCalls++;
            if (n > 0)
            {
                for (int i = next; i < next + n; i++)
                {
                    txBytes += batch[i].length();
                }
                next += n;
                sent += n;
                continue;
            }
            final int errno = n < 0 ? Native.errno() : 0;
            if (errno == Linux.EINTR)
            {
                continue;
            }
            if (errno == Linux.EAGAIN || errno == Linux.ENOBUFS)
            {
                // The socket's send buffer is full: back-pressure, drop the rest of the batch (as a full TAP does).
                break;
            }
            if (errno == ENETDOWN || errno == ENXIO)
            {
                // ENXIO: the socket lost its interface (deleted); the probe confirms it and fails the queue.
                txLinkDown += count - next;
                socket.linkDown(errno == ENETDOWN ? "ENETDOWN on send" : "ENXIO on send");
                break;
            }
            // A frame the kernel refuses (EMSGSIZE above the MTU, an empty frame): drop it, send the rest.
            txErrors++;
            txLastErrno = errno;
            next++;
        }
        txFrames += sent;
        txDrops += count - sent;
        for (int i = 0; i < count; i++)
        {
            batch[i].release();
            batch[i] = null;
        }
        txCount = 0;
        return sent;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public long macAddress()
    {
        return macAddress;
    }

    @Override
    public Offloads offloads()
    {
        return offloads;
    }

    @Override
    public Steering steering()
    {
        return steering;
    }

    @Override
    public int waitHandle()
    {
        return closed ? -1 : socket.fd();
    }

    /**
     * @return index of the fanout member this driver uses.
     */
    public int member()
    {
        return socket.member();
    }

    /**
     * @return interface index stamped on received frames.
     */
    public int ifIndex()
    {
        return ifIndex;
    }

    /**
     * @return frames read from the member's ring and handed to a handler.
     */
    public long rxFrames()
    {
        return socket.rxFrames();
    }

    /**
     * @return bytes of those frames.
     */
    public long rxBytes()
    {
        return socket.rxBytes();
    }

    /**
     * @return ring blocks read (each one a batch of frames).
     */
    public long rxBlocks()
    {
        return socket.rxBlocks();
    }

    /**
     * @return frames not delivered: too large for a pool buffer or truncated by the ring (both dropped), plus
     *         receives stopped because the pool was empty (that frame stays in the ring for the next call).
     */
    public long rxDrops()
    {
        return socket.rxPoolEmpty() + socket.rxTooBig() + socket.rxTruncated();
    }

    /**
     * @return frames truncated by the ring (larger than a block: never with the default geometry).
     */
    public long rxTruncated()
    {
        return socket.rxTruncated();
    }

    /**
     * @return outgoing frames skipped on a kernel that refused PACKET_IGNORE_OUTGOING (0 otherwise).
     */
    public long rxOutgoingSkipped()
    {
        return socket.rxOutgoing();
    }

    /**
     * @return frames whose partial transport checksum (local sender) was completed here.
     */
    public long rxChecksumsCompleted()
    {
        return socket.rxChecksumsCompleted();
    }

    /**
     * @return frames dropped because their virtio_net_hdr contradicted them.
     */
    public long rxBadHeaders()
    {
        return socket.rxBadHeaders();
    }

    /**
     * @return segmentation frames sent for the kernel to cut (offloads only).
     */
    public long txLargeFrames()
    {
        return txLargeFrames;
    }

    /**
     * @return frames that arrived as GSO/GRO super-frames (larger than the MTU).
     */
    public long rxGsoFrames()
    {
        return socket.rxGsoFrames();
    }

    /**
     * The kernel's own hash of the last frame ({@code tpacket3_hdr.hv1.tp_rxhash}, filled because the ring asks
     * for {@code TP_FT_REQ_FILL_RXHASH}). It is the skb's flow hash (a seeded jhash of the flow, or the NIC's RSS
     * value), not Toeplitz with our key: it cannot stand in for our ownership function, and the HASH fanout uses
     * the kernel's symmetric variant, not this value.
     *
     * @return the last non-zero hash, 0 if none yet.
     */
    public int lastRxHash()
    {
        return socket.lastRxHash();
    }

    /**
     * @return frames that carried a kernel hash.
     */
    public long rxHashed()
    {
        return socket.rxHashed();
    }

    /**
     * @return true while the interface is known to be down.
     */
    public boolean isLinkDown()
    {
        return socket.isLinkDown();
    }

    /**
     * @return times the interface was seen going down.
     */
    public long linkDownEvents()
    {
        return socket.linkDownEvents();
    }

    /**
     * @return true when the kernel honours PACKET_IGNORE_OUTGOING on this socket.
     */
    public boolean ignoresOutgoingInKernel()
    {
        return socket.ignoresOutgoingInKernel();
    }

    /**
     * @return frames sent.
     */
    public long txFrames()
    {
        return txFrames;
    }

    /**
     * @return bytes of the frames sent.
     */
    public long txBytes()
    {
        return txBytes;
    }

    /**
     * @return sendmmsg calls made.
     */
    public long txCalls()
    {
        return txCalls;
    }

    /**
     * @return frames dropped on transmit (send buffer full, interface down, refused, or closed driver).
     */
    public long txDrops()
    {
        return txDrops;
    }

    /**
     * @return frames dropped because the interface was down.
     */
    public long txLinkDown()
    {
        return txLinkDown;
    }

    /**
     * @return unexpected failures on either path.
     */
    public long errors()
    {
        return txErrors + socket.errors();
    }

    /**
     * @return errno of the last counted error, 0 if none.
     */
    public int lastErrno()
    {
        return txErrors > 0 ? txLastErrno : socket.lastErrno();
    }

    /**
     * Drops queued frames and stops using the socket; the socket itself is closed by {@link PacketDevice#close()}.
     * Idempotent. Call on the owning thread (it releases buffers).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        for (int i = 0; i < txCount; i++)
        {
            txDrops++;
            txBatch[i].release();
            txBatch[i] = null;
        }
        txCount = 0;
        closed = true;
    }

    @Override
    public String toString()
    {
        return "RawSocketDriver{member=" + socket.member() + ", ifIndex=" + ifIndex + ", mac="
            + MacAddresses.toString(macAddress) + ", rx=" + rxFrames() + ", tx=" + txFrames + ", rxDrops=" + rxDrops()
            + ", txDrops=" + txDrops + ", errors=" + errors() + "}";
    }
}
