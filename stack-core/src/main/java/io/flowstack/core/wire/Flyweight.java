package io.flowstack.core.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Base of all wire views. A flyweight is wrapped over bytes of a buffer; every multi-byte field is read and
 * written in network (big-endian) byte order, never in Agrona's native default.
 * <p>
 * Rule for subclasses: {@code wrap} only records the window; a subclass's {@code check...()} method validates
 * the length (and any length fields) once and returns false for short or inconsistent input. After a
 * successful check, no getter can read outside the window, so getters need no further checks.
 */
public abstract class Flyweight
{
    /** Network byte order. */
    protected static final ByteOrder NET = ByteOrder.BIG_ENDIAN;

    /** The buffer the view is over. */
    protected MutableDirectBuffer buffer;
    /** Where the view starts in {@link #buffer}. */
    protected int offset;
    /** How many bytes the view covers. */
    protected int length;

    /**
     * @param buffer bytes to view.
     * @param offset where this header starts.
     * @param length bytes available from {@code offset} (header plus everything after it).
     */
    protected void wrapInternal(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
    }

    /**
     * @return the wrapped buffer.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return where the view starts in {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return bytes available from {@link #offset()}.
     */
    public int length()
    {
        return length;
    }

    /**
     * @param at offset relative to the view.
     * @return the unsigned byte there.
     */
    protected final int u8(final int at)
    {
        return buffer.getByte(offset + at) & 0xFF;
    }

    /**
     * @param at    offset relative to the view.
     * @param value the byte to write (low 8 bits).
     */
    protected final void u8(final int at, final int value)
    {
        buffer.putByte(offset + at, (byte)value);
    }

    /**
     * @param at offset relative to the view.
     * @return the unsigned big-endian 16-bit value there.
     */
    protected final int u16(final int at)
    {
        return buffer.getShort(offset + at, NET) & 0xFFFF;
    }

    /**
     * @param at    offset relative to the view.
     * @param value the value to write big-endian (low 16 bits).
     */
    protected final void u16(final int at, final int value)
    {
        buffer.putShort(offset + at, (short)value, NET);
    }

    /**
     * @param at offset relative to the view.
     * @return the big-endian 32-bit value there.
     */
    protected final int i32(final int at)
    {
        return buffer.getInt(offset + at, NET);
    }

    /**
     * @param at    offset relative to the view.
     * @param value the value to write big-endian.
     */
    protected final void i32(final int at, final int value)
    {
        buffer.putInt(offset + at, value, NET);
    }

    /**
     * Reads a 48-bit big-endian value (a MAC address) into the low bits of a long.
     *
     * @param at offset relative to the view.
     * @return the value.
     */
    protected final long u48(final int at)
    {
        return ((long)u16(at) << 32) | (i32(at + 2) & 0xFFFF_FFFFL);
    }

    /**
     * Writes a 48-bit big-endian value (a MAC address) from the low bits of a long.
     *
     * @param at    offset relative to the view.
     * @param value the value.
     */
    protected final void u48(final int at, final long value)
    {
        u16(at, (int)(value >>> 32));
        i32(at + 2, (int)value);
    }

    /**
     * Reads a 48-bit value from any buffer: helper for code that has no view wrapped.
     *
     * @param buffer bytes.
     * @param index absolute index.
     * @return value in the low 48 bits.
     */
    public static long getU48(final DirectBuffer buffer, final int index)
    {
        return ((long)(buffer.getShort(index, NET) & 0xFFFF) << 32) | (buffer.getInt(index + 2, NET) & 0xFFFF_FFFFL);
    }

    /**
     * Writes a 48-bit value into any buffer.
     *
     * @param buffer bytes.
     * @param index absolute index.
     * @param value value in the low 48 bits.
     */
    public static void putU48(final MutableDirectBuffer buffer, final int index, final long value)
    {
        buffer.putShort(index, (short)(value >>> 32), NET);
        buffer.putInt(index + 2, (int)value, NET);
    }
}
