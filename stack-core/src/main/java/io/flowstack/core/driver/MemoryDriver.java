package io.flowstack.core.driver;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.Waiter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
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
 */
public final class MemoryDriver implements NetworkDriver
{
    private static final int MSG_TYPE = 1;

    private final int ifIndex;
    private final long mac;
    private final int mtu;
    private final ManyToOneRingBuffer rx;
    private final ManyToOneRingBuffer transmitted;
    private final RxHandler rxHandler = new RxHandler();
    private MemoryDriver peer;
    private volatile Waiter waiter;
    private long rxFrames;
    private long txFrames;
    private long drops;

    /**
     * @param ifIndex       interface index stamped on received frames.
     * @param mac           this side's MAC address.
     * @param mtu           IP MTU.
     * @param ringCapacity  bytes of each ring (a power of two, at least 64 KiB).
     */
    public MemoryDriver(final int ifIndex, final long mac, final int mtu, final int ringCapacity)
    {
        this.ifIndex = ifIndex;
        this.mac = mac;
        this.mtu = mtu;
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
        if (!rx.write(MSG_TYPE, buffer, offset, length))
        {
            drops++;
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

    @Override
    public int receive(final BufferPool pool, final FrameHandler handler, final int limit)
    {
        rxHandler.pool = pool;
        rxHandler.handler = handler;
        return rx.read(rxHandler, limit);
    }

    @Override
    public void transmit(final PacketBuffer frame)
    {
        final ManyToOneRingBuffer target = peer != null ? peer.rx : transmitted;
        if (target.write(MSG_TYPE, frame.buffer(), frame.offset(), frame.length()))
        {
            txFrames++;
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
     * @return frames dropped because a ring was full or no buffer was free.
     */
    public long drops()
    {
        return drops;
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
            final PacketBuffer frame = pool.acquire();
            if (frame == null || length > frame.capacity() - frame.offset())
            {
                if (frame != null)
                {
                    frame.release();
                }
                drops++;
                return;
            }
            frame.buffer().putBytes(frame.offset(), buffer, index, length);
            frame.window(frame.offset(), length).ifIndex(ifIndex);
            rxFrames++;
            handler.onFrame(frame);
        }
    }
}
