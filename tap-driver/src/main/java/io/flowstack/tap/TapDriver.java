package io.flowstack.tap;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.tap.sys.LibC;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.sys.Native;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link NetworkDriver} over one queue descriptor of a {@link TapDevice}: one {@code read} per received
 * frame, one {@code write} per transmitted frame (TAP has no batch calls), no allocation on either path. With a
 * virtio-net header (a device opened with offloads) each frame is read into the buffer's headroom behind its
 * {@link VirtioNetHeader}, which becomes the frame's metadata, and written with the header that the frame's
 * metadata asks for, put in the headroom in front of it: no copy, still one system call per frame, but a frame
 * may now be a 64 KB TCP segment.
 * <p>
 * Used by one thread. Failures on the hot path never throw: they drop the frame and count. A device that is gone
 * (EBADFD: deleted, or its namespace deleted) makes {@link #failure()} non-zero; nothing is read or written after. Counters are plain
 * fields written by the owning thread; other threads may read stale values.
 */
public final class TapDriver implements NetworkDriver
{
    /** Frames {@link #transmit(PacketBuffer)} queues before it writes the batch itself. */
    public static final int DEFAULT_TX_BATCH = 64;
    private static final int IOVEC_LENGTH = 16;

    private final LibC libc = Native.LIBC;
    private final TapDevice device;
    private final int queue;
    private final int ifIndex;
    private final long macAddress;
    private final int mtu;
    private final Steering steering;
    private final boolean vnetHeader;
    private final Offloads offloads;
    private final PacketBuffer[] txBatch;
    /** Two struct iovec for a frame with an attached payload: the slot's bytes, then the payload. */
    private final UnsafeBuffer iov = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2 * IOVEC_LENGTH, 16));
    private int txCount;
    private int fd;
    private boolean closed;

    private long rxFrames;
    private long rxBytes;
    private long rxDrops;
    private long txFrames;
    private long txBytes;
    private long txDrops;
    private long txLinkDown;
    private long errors;
    private int lastErrno;
    private int failure;
    private long rxBadHeaders;
    private long rxLargeFrames;
    private long txLargeFrames;

    /**
     * A driver over a descriptor owned by someone else: {@link #close()} does not close it.
     *
     * @param fd         a non-blocking TAP queue descriptor ({@code IFF_TAP | IFF_NO_PI}).
     * @param ifIndex    interface index stamped on received frames.
     * @param macAddress our side's MAC address (low 48 bits), distinct from the kernel side's.
     * @param mtu        IP MTU of the link.
     * @param steering   how the device steers flows to this queue.
     */
    public TapDriver(final int fd, final int ifIndex, final long macAddress, final int mtu, final Steering steering)
    {
        this(null, -1, fd, ifIndex, macAddress, mtu, steering, Offloads.NONE);
    }

    TapDriver(
        final TapDevice device,
        final int queue,
        final int fd,
        final int ifIndex,
        final long macAddress,
        final int mtu,
        final Steering steering,
        final Offloads offloads)
    {
        if (fd < 0)
        {
            throw new IllegalArgumentException("bad descriptor " + fd);
        }
        this.device = device;
        this.queue = queue;
        this.fd = fd;
        this.ifIndex = ifIndex;
        this.macAddress = macAddress & MacAddresses.MASK;
        this.mtu = mtu;
        this.steering = steering;
        this.offloads = offloads;
        this.vnetHeader = offloads != Offloads.NONE;
        this.txBatch = new PacketBuffer[DEFAULT_TX_BATCH];
    }

    @Override
    public int receive(final BufferPool pool, final FrameHandler handler, final int limit)
    {
        int frames = 0;
        while (frames < limit && !closed && failure == 0)
        {
            final PacketBuffer buffer = pool.acquire();
            if (buffer == null)
            {
                // Frames stay in the kernel queue (and drop there if it fills); count that we could not take one.
                rxDrops++;
                break;
            }
            final int offset = buffer.offset();
            // The header, if any, goes into the headroom: the frame lands where a plain one would.
            final int at = vnetHeader ? offset - VirtioNetHeader.LENGTH : offset;
            final long n = libc.read(fd, buffer.buffer().addressOffset() + at, buffer.capacity() - at);
            if (n > 0 && vnetHeader && !acceptHeader(buffer, at, n))
            {
                buffer.release();
                frames++;
                continue;
            }
            if (n > 0)
            {
                final int length = vnetHeader ? (int)n - VirtioNetHeader.LENGTH : (int)n;
                buffer.window(offset, length).ifIndex(ifIndex);
                rxFrames++;
                rxBytes += length;
                frames++;
                handler.onFrame(buffer);
            }
            else
            {
                buffer.release();
                if (n < 0)
                {
                    final int errno = Native.errno();
                    if (errno != Linux.EAGAIN && errno != Linux.EINTR)
                    {
                        // Anything else does not go away by reading again (epoll keeps reporting the descriptor):
                        // EBADFD is what a TAP whose device was deleted, or whose namespace was, returns for
                        // good (tun_detach_all unhooks the queue; poll then says POLLERR).
                        fail(errno);
                    }
                }
                break;
            }
        }
        return frames;
    }

    /** The kernel's header for a frame just read; false (counted) if it contradicts the frame. */
    private boolean acceptHeader(final PacketBuffer buffer, final int at, final long n)
    {
        if (n <= VirtioNetHeader.LENGTH)
        {
            rxBadHeaders++;
            return false;
        }
        buffer.window(at + VirtioNetHeader.LENGTH, (int)n - VirtioNetHeader.LENGTH);
        if (!VirtioNetHeader.decode(buffer.buffer(), at, buffer))
        {
            rxBadHeaders++;
            return false;
        }
        if (buffer.gsoType() != PacketBuffer.GSO_NONE)
        {
            rxLargeFrames++;
        }
        return true;
    }

    @Override
    public void transmit(final PacketBuffer frame)
    {
        if (closed)
        {
            txDrops++;
            frame.release();
            return;
        }
        if (frame.attachedLength() > 0)
        {
            // Its payload lives in a send ring only as long as this cycle: written now, in order after the batch.
            flush();
            writeFrame(frame);
            frame.release();
            return;
        }
        if (txCount == txBatch.length)
        {
            flush();
        }
        txBatch[txCount++] = frame;
    }

    @Override
    public int flush()
    {
        final PacketBuffer[] batch = txBatch;
        final int count = txCount;
        int written = 0;
        for (int i = 0; i < count; i++)
        {
            final PacketBuffer frame = batch[i];
            batch[i] = null;
            if (writeFrame(frame))
            {
                written++;
            }
            frame.release();
        }
        txCount = 0;
        return written;
    }

    private boolean writeFrame(final PacketBuffer frame)
    {
        final int length = frame.length();
        if (length <= 0 || closed || failure != 0)
        {
            txDrops++;
            return false;
        }
        int at = frame.offset();
        int total = length;
        if (vnetHeader)
        {
            if (at < VirtioNetHeader.LENGTH)
            {
                txDrops++;
                errors++;
                return false;
            }
            at -= VirtioNetHeader.LENGTH;
            total += VirtioNetHeader.LENGTH;
            VirtioNetHeader.encode(frame, frame.buffer(), at);
            if (frame.gsoType() != PacketBuffer.GSO_NONE)
            {
                txLargeFrames++;
            }
        }
        else
        {
            // Only a device with offloads finishes checksums or gathers; the stack asks only those, but be safe.
            frame.linearize();
            VirtioNetHeader.completeChecksum(frame);
        }
        final long n;
        final int attached = frame.attachedLength();
        if (attached > 0)
        {
            iov.putLong(0, frame.buffer().addressOffset() + at);
            iov.putLong(8, total);
            iov.putLong(IOVEC_LENGTH, frame.attachedAddress());
            iov.putLong(IOVEC_LENGTH + 8, attached);
            total += attached;
            n = libc.writev(fd, iov.addressOffset(), 2);
        }
        else
        {
            n = libc.write(fd, frame.buffer().addressOffset() + at, total);
        }
        if (n == total)
        {
            txFrames++;
            txBytes += length + attached;
            return true;
        }
        txDrops++;
        if (n < 0)
        {
            final int errno = Native.errno();
            if (errno == Linux.EIO)
            {
                // The kernel side is down (tun_get_user refuses while !IFF_UP): transient, the frame is lost.
                txLinkDown++;
                lastErrno = errno;
            }
            else if (errno == Linux.EBADFD || errno == Linux.EBADF)
            {
                fail(errno);
            }
            else if (errno != Linux.EAGAIN && errno != Linux.ENOBUFS && errno != Linux.EINTR)
            {
                // A full device queue is back-pressure, not an error; anything else refused this frame only.
                errors++;
                lastErrno = errno;
            }
        }
        else
        {
            errors++;
        }
        return false;
    }

    /** The device is gone: stop using the descriptor (the engine takes it out of its waiter and closes us). */
    private void fail(final int errno)
    {
        if (failure == 0)
        {
            failure = errno;
            errors++;
            lastErrno = errno;
        }
    }

    @Override
    public int failure()
    {
        return failure;
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
        return closed ? -1 : fd;
    }

    /**
     * @return interface index stamped on received frames.
     */
    public int ifIndex()
    {
        return ifIndex;
    }

    /**
     * @return frames received and handed to a handler.
     */
    public long rxFrames()
    {
        return rxFrames;
    }

    /**
     * @return bytes of the frames received.
     */
    public long rxBytes()
    {
        return rxBytes;
    }

    /**
     * @return receive attempts given up because the pool was empty.
     */
    public long rxDrops()
    {
        return rxDrops;
    }

    /**
     * @return frames written to the device.
     */
    public long txFrames()
    {
        return txFrames;
    }

    /**
     * @return bytes of the frames written.
     */
    public long txBytes()
    {
        return txBytes;
    }

    /**
     * @return frames dropped on transmit (device queue full, empty frame, error or closed driver).
     */
    public long txDrops()
    {
        return txDrops;
    }

    /**
     * @return frames not written because the kernel side was down (EIO).
     */
    public long txLinkDown()
    {
        return txLinkDown;
    }

    /**
     * @return frames dropped because their virtio-net header contradicted them (offloads only).
     */
    public long rxBadHeaders()
    {
        return rxBadHeaders;
    }

    /**
     * @return segmentation frames received (larger than the MTU, offloads only).
     */
    public long rxLargeFrames()
    {
        return rxLargeFrames;
    }

    /**
     * @return segmentation frames written for the kernel to cut (offloads only).
     */
    public long txLargeFrames()
    {
        return txLargeFrames;
    }

    /**
     * @return unexpected read or write failures.
     */
    public long errors()
    {
        return errors;
    }

    /**
     * @return errno of the last counted error or link-down write (EIO), 0 if none.
     */
    public int lastErrno()
    {
        return lastErrno;
    }

    /**
     * Drops queued frames and stops using the descriptor; closes the queue when the driver came from
     * {@link TapDevice#driver(int, int, long)}. Idempotent. Call on the owning thread (it releases buffers).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (int i = 0; i < txCount; i++)
        {
            txDrops++;
            txBatch[i].release();
            txBatch[i] = null;
        }
        txCount = 0;
        fd = -1;
        if (device != null)
        {
            device.closeQueue(queue);
        }
    }

    @Override
    public String toString()
    {
        return "TapDriver{fd=" + fd + ", ifIndex=" + ifIndex + ", mac=" + MacAddresses.toString(macAddress)
            + ", rx=" + rxFrames + ", tx=" + txFrames + ", rxDrops=" + rxDrops + ", txDrops=" + txDrops
            + ", errors=" + errors + "}";
    }
}
