package io.flowstack.core.buffer;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One pooled frame: a fixed off-heap slot with headroom, plus the window {@link #offset()}..{@link #limit()}
 * that holds the frame's bytes. Headers are written in front of a payload by {@link #prepend(int)}, so a
 * layer never copies the layers above it.
 * <p>
 * The buffer also carries what a device with offloads ({@code io.flowstack.core.driver.Offloads}) says about the
 * frame or is asked to do with it, as a Linux sk_buff does: the checksum state ({@link #checksumState()}, with
 * where a partial checksum starts and is stored) and the segmentation type and size of a frame larger than the
 * MTU ({@link #gsoType()}, {@link #gsoSize()}). A fresh buffer has none of it.
 * <p>
 * A frame on its way to a device that gathers ({@code Offloads.TX_GATHER}) may end in bytes held elsewhere, in
 * off-heap memory such as a connection's send ring: the {@link #attach attached} payload follows the window on the
 * wire, so the payload is never copied into the slot. It must stay unchanged until the frame reaches the device,
 * which takes it in the same duty cycle; whatever would keep the frame longer {@link #linearize}s it first.
 * <p>
 * A buffer belongs to exactly one {@link BufferPool}; only the thread of that pool's core may release it.
 * Not thread-safe: a buffer is handed between threads only through a queue, never shared.
 */
public final class PacketBuffer
{
    /** The transport checksum is complete (transmit) or must be verified in software (receive). */
    public static final int CHECKSUM_NONE = 0;
    /** Received: the device verified the transport checksum (virtio DATA_VALID, Linux CHECKSUM_UNNECESSARY). */
    public static final int CHECKSUM_UNNECESSARY = 1;
    /**
     * The checksum field holds only the pseudo-header sum; the sum from {@link #checksumStart()} to the end is
     * still to be added (virtio NEEDS_CSUM, Linux CHECKSUM_PARTIAL). On receive it comes from a local sender
     * through memory, so there is nothing to verify.
     */
    public static final int CHECKSUM_PARTIAL = 2;

    /** Not a segmentation-offload frame. */
    public static final int GSO_NONE = 0;
    /** A TCP/IPv4 segment to be cut (or coalesced) at {@link #gsoSize()} bytes of payload. */
    public static final int GSO_TCPV4 = 1;
    /** A TCP/IPv6 segment to be cut (or coalesced) at {@link #gsoSize()} bytes of payload. */
    public static final int GSO_TCPV6 = 4;
    /** A UDP datagram to be cut into datagrams of {@link #gsoSize()} bytes of payload. */
    public static final int GSO_UDP_L4 = 5;

    private final UnsafeBuffer buffer;
    private final BufferPool pool;
    private final int index;
    private int offset;
    private int length;
    private int ifIndex;
    private boolean free;
    private int checksumState;
    private int checksumStart;
    private int checksumOffset;
    private int gsoType;
    private int gsoSize;
    private DirectBuffer attached;
    private int attachedIndex;
    private int attachedLength;

    PacketBuffer(final BufferPool pool, final int index, final UnsafeBuffer buffer)
    {
        this.pool = pool;
        this.index = index;
        this.buffer = buffer;
        this.free = true;
    }

    /**
     * @return the whole slot; valid bytes are {@code offset()..offset()+length()}.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return index of the first valid byte within {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return number of valid bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the frame's length on the wire: the window and the attached payload.
     */
    public int wireLength()
    {
        return length + attachedLength;
    }

    /**
     * Attaches a payload that follows the window on the wire (see the class comment).
     *
     * @param source off-heap memory holding it (a heap buffer has no address a device can use).
     * @param index  where it starts in {@code source}.
     * @param length its length.
     * @return this
     */
    public PacketBuffer attach(final DirectBuffer source, final int index, final int length)
    {
        if (source.byteArray() != null || length <= 0)
        {
            throw new IllegalArgumentException("attach needs off-heap memory and a length: " + length);
        }
        this.attached = source;
        this.attachedIndex = index;
        this.attachedLength = length;
        return this;
    }

    /**
     * @return bytes attached after the window, 0 for none.
     */
    public int attachedLength()
    {
        return attachedLength;
    }

    /**
     * @return address of the attached payload (valid while {@link #attachedLength()} is not 0).
     */
    public long attachedAddress()
    {
        return attached.addressOffset() + attachedIndex;
    }

    /**
     * Copies the attached payload elsewhere, as a gathering device takes it.
     *
     * @param dst   where to.
     * @param index at which index.
     */
    public void copyAttached(final MutableDirectBuffer dst, final int index)
    {
        if (attachedLength > 0)
        {
            dst.putBytes(index, attached, attachedIndex, attachedLength);
        }
    }

    /**
     * Copies the attached payload into the slot after the window, which then holds the whole frame.
     */
    public void linearize()
    {
        if (attachedLength > 0)
        {
            final int at = offset + length;
            buffer.putBytes(at, attached, attachedIndex, attachedLength);
            length += attachedLength;
            detach();
        }
    }

    private void detach()
    {
        attached = null;
        attachedIndex = 0;
        attachedLength = 0;
    }

    /**
     * @return offset one past the last valid byte.
     */
    public int limit()
    {
        return offset + length;
    }

    /**
     * @return capacity of the slot in bytes.
     */
    public int capacity()
    {
        return buffer.capacity();
    }

    /**
     * @return interface the frame arrived on or leaves by.
     */
    public int ifIndex()
    {
        return ifIndex;
    }

    /**
     * @param ifIndex interface the frame arrived on or leaves by.
     * @return this
     */
    public PacketBuffer ifIndex(final int ifIndex)
    {
        this.ifIndex = ifIndex;
        return this;
    }

    /**
     * Sets the valid window.
     *
     * @param offset first valid byte.
     * @param length number of valid bytes.
     * @return this
     */
    public PacketBuffer window(final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset + length > buffer.capacity())
        {
            throw new IndexOutOfBoundsException("window " + offset + "+" + length + " > " + buffer.capacity());
        }
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Grows the window towards the front by {@code bytes} (room for a header) and returns its new offset.
     *
     * @param bytes header length.
     * @return the new {@link #offset()}, where the header starts.
     */
    public int prepend(final int bytes)
    {
        if (bytes > offset)
        {
            throw new IndexOutOfBoundsException("no headroom for " + bytes + " bytes, have " + offset);
        }
        offset -= bytes;
        length += bytes;
        return offset;
    }

    /**
     * Drops {@code bytes} from the front of the window (a header that has been consumed).
     *
     * @param bytes bytes to drop.
     */
    public void advance(final int bytes)
    {
        offset += bytes;
        length -= bytes;
    }

    /**
     * @return {@link #CHECKSUM_NONE}, {@link #CHECKSUM_UNNECESSARY} or {@link #CHECKSUM_PARTIAL}.
     */
    public int checksumState()
    {
        return checksumState;
    }

    /**
     * @return for a partial checksum, the index within {@link #buffer()} where the summed range starts (the
     *         transport header); an index, not an offset in the window, so headers prepended later do not move it.
     */
    public int checksumStart()
    {
        return checksumStart;
    }

    /**
     * @return for a partial checksum, where the checksum field is, relative to {@link #checksumStart()}.
     */
    public int checksumOffset()
    {
        return checksumOffset;
    }

    /**
     * Marks the transport checksum partial: its field holds the pseudo-header sum, the rest is summed from
     * {@code start} to the end of the frame.
     *
     * @param start  index within {@link #buffer()} of the first byte summed.
     * @param offset position of the checksum field relative to {@code start}.
     * @return this
     */
    public PacketBuffer checksumPartial(final int start, final int offset)
    {
        checksumState = CHECKSUM_PARTIAL;
        checksumStart = start;
        checksumOffset = offset;
        return this;
    }

    /**
     * Marks the transport checksum as verified by the device.
     *
     * @return this
     */
    public PacketBuffer checksumUnnecessary()
    {
        checksumState = CHECKSUM_UNNECESSARY;
        return this;
    }

    /**
     * Marks the transport checksum complete (it was finished in software); segmentation metadata stays.
     *
     * @return this
     */
    public PacketBuffer checksumComplete()
    {
        checksumState = CHECKSUM_NONE;
        checksumStart = 0;
        checksumOffset = 0;
        return this;
    }

    /**
     * @return true when the transport checksum need not be verified in software.
     */
    public boolean checksumTrusted()
    {
        return checksumState != CHECKSUM_NONE;
    }

    /**
     * @return {@link #GSO_NONE}, {@link #GSO_TCPV4}, {@link #GSO_TCPV6} or {@link #GSO_UDP_L4}.
     */
    public int gsoType()
    {
        return gsoType;
    }

    /**
     * @return payload bytes per cut segment of a segmentation-offload frame, 0 otherwise.
     */
    public int gsoSize()
    {
        return gsoSize;
    }

    /**
     * Marks the frame a segmentation-offload frame (transmit: to be cut; receive: coalesced from segments).
     *
     * @param type a {@code GSO_} type.
     * @param size payload bytes per segment.
     * @return this
     */
    public PacketBuffer gso(final int type, final int size)
    {
        gsoType = type;
        gsoSize = type == GSO_NONE ? 0 : size;
        return this;
    }

    /**
     * Takes another buffer's checksum state and segmentation metadata (a copy of its bytes at the same offsets).
     *
     * @param other the original.
     * @return this
     */
    public PacketBuffer offloadsFrom(final PacketBuffer other)
    {
        checksumState = other.checksumState;
        checksumStart = other.checksumStart;
        checksumOffset = other.checksumOffset;
        gsoType = other.gsoType;
        gsoSize = other.gsoSize;
        return this;
    }

    /**
     * Forgets the checksum state and segmentation metadata (the bytes became a complete, ordinary frame).
     *
     * @return this
     */
    public PacketBuffer clearOffloads()
    {
        checksumState = CHECKSUM_NONE;
        checksumStart = 0;
        checksumOffset = 0;
        gsoType = GSO_NONE;
        gsoSize = 0;
        return this;
    }

    /**
     * @return the pool that owns this buffer.
     */
    public BufferPool pool()
    {
        return pool;
    }

    /**
     * @return slot index inside the owning pool.
     */
    public int index()
    {
        return index;
    }

    /**
     * Returns the buffer to its pool. Must be called on the pool's owning thread.
     */
    public void release()
    {
        pool.release(this);
    }

    boolean isFree()
    {
        return free;
    }

    void free(final boolean free)
    {
        this.free = free;
    }

    void reset(final int headroom)
    {
        offset = headroom;
        length = 0;
        ifIndex = 0;
        clearOffloads();
        detach();
    }
}
