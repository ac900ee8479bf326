package io.flowstack.core.driver;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.Waiter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * An in-memory device queue for tests, the simulator and embedded use: frames are copied into a bounded
 * many-to-one ring on the way in, and out again into the reader's pool buffers, like a real device's DMA.
 * Two drivers can be {@link #link linked} back to back; an unlinked driver keeps what the stack transmits for
 * the test to read with {@link #drainTransmitted}. A full ring drops the frame and counts it.
 * <p>
 * A driver made with {@link Offloads} behaves as a virtio-net device towards its stack: it passes partial
 * checksums and segmentation frames on, each frame preceded in the ring by its {@link VirtioNetHeader} (message
 * type {@link #MSG_VNET}), as a TAP with a virtio-net header hands them to the kernel, which delivers them as they
 * are. A receiving driver without offloads finishes such checksums in software (a segmentation frame arrives
 * whole, as from a local sender); one with offloads keeps the metadata for its stack.
 * <p>
 * {@link #fail(int)} makes the device go away as a real one does when it is deleted: the core reading it notices
 * ({@link #failure()}) and takes it out of service, so what a stack does then is testable without root.
 */
public final class MemoryDriver implements NetworkDriver
{
    /** Ring message: a plain frame. */
    public static final int MSG_FRAME = 1;
    /** Ring message: a {@link VirtioNetHeader} followed by the frame. */
    public static final int MSG_VNET = 2;

    private final int ifIndex;
    private final long mac;
    private final int mtu;
    private final Offloads offloads;
    private final ManyToOneRingBuffer rx;
    private final ManyToOneRingBuffer transmitted;
    private final RxHandler rxHandler = new RxHandler();
    private MemoryDriver peer;
    private volatile Waiter waiter;
    private long rxFrames;
    private long txFrames;
    private long txLargeFrames;
    private long txGatheredFrames;
    private int txLargestFrame;
    private long drops;
    private long rxDrops;
    private volatile int failure;

    /**
     * @param ifIndex       interface index stamped on received frames.
     * @param mac           this side's MAC address.
     * @param mtu           IP MTU.
     * @param ringCapacity  bytes of each ring (a power of two, at least 64 KiB).
     */
    public MemoryDriver(final int ifIndex, final long mac, final int mtu, final int ringCapacity)
    {
        this(ifIndex, mac, mtu, ringCapacity, Offloads.NONE);
    }

    /**
     * @param ifIndex       interface index stamped on received frames.
     * @param mac           this side's MAC address.
     * @param mtu           IP MTU.
     * @param ringCapacity  bytes of each ring (a power of two, at least 64 KiB; 1 MiB for 64 KiB frames).
     * @param offloads      what this device offers its stack.
     */
    public MemoryDriver(final int ifIndex, final long mac, final int mtu, final int ringCapacity,
        final Offloads offloads)
    {
        this.ifIndex = ifIndex;
        this.mac = mac;
        this.mtu = mtu;
        this.offloads = offloads;
        this.rx = newRing(ringCapacity);
        this.transmitted = newRing(ringCapacity);
    }

    private static ManyToOneRingBuffer newRing(final int capacity)
    {
        return new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    /**
     * Connects two drivers back to back: what one transmits, the other receives.
     *
     * @param a one side.
     * @param b the other side.
     */
    public static void link(final MemoryDriver a, final MemoryDriver b)
    {
        a.peer = b;
        b.peer = a;
    }

    /**
     * @param waiter woken whenever a frame is injected into this driver's receive ring.
     */
    @Override
    public void wakeOnReceive(final Waiter waiter)
    {
        this.waiter = waiter;
    }

    /**
     * Puts a frame into the receive ring, as if it arrived on the wire. Safe from any thread.
     *
     * @param buffer bytes.
     * @param offset first byte.
     * @param length frame length.
     * @return false if the ring was full and the frame dropped.
     */
    public boolean inject(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!rx.write(MSG_FRAME, buffer, offset, length))
        {
            drops++;
            rxDrops++;
            return false;
        }
        final Waiter w = waiter;
        if (w != null)
        {
            w.wake();
        }
        return true;
    }

    /**
     * Reads frames the stack transmitted (only for an unlinked driver).
     *
     * @param handler gets each frame's bytes; valid only during the call.
     * @param limit   maximum frames.
     * @return frames read.
     */
    public int drainTransmitted(final MessageHandler handler, final int limit)
    {
        return transmitted.read(handler, limit);
    }

    /**
     * Makes the device gone for good, as a TAP whose namespace was deleted is: from now on nothing is received,
     * what is transmitted is dropped and counted, and {@link #failure()} says so. Safe from any thread; the core
     * notices at its next receive or flush.
     *
     * @param errno what a real driver would have seen (EBADFD for a TAP, ENODEV for a raw socket); not 0.
     */
    public void fail(final int errno)
    {
        if (errno == 0)
        {
            throw new IllegalArgumentException("a failure needs an errno");
        }
        failure = errno;
        final Waiter w = waiter;
        if (w != null)
        {
            w.wake();
        }
    }

    @Override
    public int failure()
    {
        return failure;
    }

    @Override
    public int receive(final BufferPool pool, final FrameHandler handler, final int limit)
    {
        if (failure != 0)
        {
            return 0;
        }
        rxHandler.pool = pool;
        rxHandler.handler = handler;
        return rx.read(rxHandler, limit);
    }

    @Override
    public void transmit(final PacketBuffer frame)
    {
        final ManyToOneRingBuffer target = peer != null ? peer.rx : transmitted;
        if (failure == 0 && write(target, frame))
        {
            txFrames++;
            txLargestFrame = Math.max(txLargestFrame, frame.wireLength());
            if (frame.attachedLength() > 0)
            {
                txGatheredFrames++;
            }
            if (frame.gsoType() != PacketBuffer.GSO_NONE)
            {
                txLargeFrames++;
            }
            if (peer != null)
            {
                final Waiter w = peer.waiter;
                if (w != null)
                {
                    w.wake();
                }
            }
        }
        else
        {
            drops++;
        }
        frame.release();
    }

    private boolean write(final ManyToOneRingBuffer target, final PacketBuffer frame)
    {
        final boolean vnet = offloads != Offloads.NONE;
        final int header = vnet ? VirtioNetHeader.LENGTH : 0;
        final int index = target.tryClaim(vnet ? MSG_VNET : MSG_FRAME, header + frame.wireLength());
        if (index < 0)
        {
            return false;
        }
        final AtomicBuffer ring = target.buffer();
        if (vnet)
        {
            VirtioNetHeader.encode(frame, ring, index);
        }
        ring.putBytes(index + header, frame.buffer(), frame.offset(), frame.length());
        // Gathered as a device does it (Offloads.TX_GATHER): the attached payload follows the slot's bytes.
        frame.copyAttached(ring, index + header + frame.length());
        target.commit(index);
        return true;
    }

    @Override
    public int flush()
    {
        return 0;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public long macAddress()
    {
        return mac;
    }

    @Override
    public Offloads offloads()
    {
        return offloads;
    }

    @Override
    public Steering steering()
    {
        return Steering.NONE;
    }

    @Override
    public int waitHandle()
    {
        return -1;
    }

    /**
     * @return frames handed to the stack.
     */
    public long rxFrames()
    {
        return rxFrames;
    }

    /**
     * @return frames the stack sent.
     */
    public long txFrames()
    {
        return txFrames;
    }

    /**
     * @return frames the stack sent with an attached payload, gathered here (see {@link Offloads#TX_GATHER}).
     */
    public long txGatheredFrames()
    {
        return txGatheredFrames;
    }

    /**
     * @return segmentation frames the stack sent (larger than the MTU, to be cut by the device).
     */
    public long txLargeFrames()
    {
        return txLargeFrames;
    }

    /**
     * @return bytes of the largest frame the stack sent.
     */
    public int txLargestFrame()
    {
        return txLargestFrame;
    }

    /**
     * @return frames dropped because a ring was full, no buffer was free or the device had failed.
     */
    public long drops()
    {
        return drops;
    }

    /**
     * @return received frames dropped: the ring was full, no buffer was free, or the frame did not fit.
     */
    public long rxDrops()
    {
        return rxDrops;
    }

    @Override
    public void close()
    {
    }

    private final class RxHandler implements MessageHandler
    {
        BufferPool pool;
        FrameHandler handler;

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            final int header = msgTypeId == MSG_VNET ? VirtioNetHeader.LENGTH : 0;
            final PacketBuffer frame = pool.acquire();
            if (frame == null || length - header > frame.capacity() - frame.offset() || length < header)
            {
                if (frame != null)
                {
                    frame.release();
                }
                drops++;
                rxDrops++;
                return;
            }
            frame.buffer().putBytes(frame.offset(), buffer, index + header, length - header);
            frame.window(frame.offset(), length - header).ifIndex(ifIndex);
            if (header > 0)
            {
                if (!VirtioNetHeader.decode(buffer, index, frame))
                {
                    frame.release();
                    drops++;
                    rxDrops++;
                    return;
                }
                if (!offloads.rxChecksum())
                {
                    VirtioNetHeader.completeChecksum(frame);
                    frame.clearOffloads();
                }
            }
            rxFrames++;
            handler.onFrame(frame);
        }
    }
}
