package io.flowstack.tap.sys;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A {@code struct ifreq} in direct memory: a 16-byte interface name followed by a union (flags, MTU or
 * hardware address). One instance is reused for a sequence of ioctls by one thread; setup code only.
 */
public final class IfReq
{
    /** sizeof(struct ifreq) on 64-bit Linux. */
    public static final int SIZE = 40;
    /** Offset of the union after the name. */
    public static final int UNION_OFFSET = Linux.IFNAMSIZ;
    /** Offset of the hardware address bytes: the union's sockaddr, after its 2-byte family. */
    public static final int HWADDR_OFFSET = UNION_OFFSET + 2;

    private final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));

    /**
     * @return native address to pass to ioctl.
     */
    public long address()
    {
        return buffer.addressOffset();
    }

    /**
     * Zeroes the whole structure.
     *
     * @return this
     */
    public IfReq clear()
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        return this;
    }

    /**
     * @param name interface name, at most 15 ASCII bytes; empty lets the kernel choose.
     * @return this
     */
    public IfReq name(final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= Linux.IFNAMSIZ)
        {
            throw new IllegalArgumentException("interface name longer than 15 bytes: " + name);
        }
        buffer.setMemory(0, Linux.IFNAMSIZ, (byte)0);
        buffer.putBytes(0, bytes);
        return this;
    }

    /**
     * @return the interface name as the kernel left it.
     */
    public String name()
    {
        int length = 0;
        while (length < Linux.IFNAMSIZ && buffer.getByte(length) != 0)
        {
            length++;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * @param flags {@code ifr_flags}.
     * @return this
     */
    public IfReq flags(final short flags)
    {
        buffer.putShort(UNION_OFFSET, flags);
        return this;
    }

    /**
     * @return {@code ifr_flags}.
     */
    public short flags()
    {
        return buffer.getShort(UNION_OFFSET);
    }

    /**
     * @param value {@code ifr_mtu} or another int member of the union.
     * @return this
     */
    public IfReq intValue(final int value)
    {
        buffer.putInt(UNION_OFFSET, value);
        return this;
    }

    /**
     * @return {@code ifr_mtu} or another int member of the union.
     */
    public int intValue()
    {
        return buffer.getInt(UNION_OFFSET);
    }

    /**
     * @return the 6 bytes of {@code ifr_hwaddr.sa_data} as a MAC in the low 48 bits (first byte highest).
     */
    public long hardwareAddress()
    {
        long mac = 0;
        for (int i = 0; i < 6; i++)
        {
            mac = (mac << 8) | (buffer.getByte(HWADDR_OFFSET + i) & 0xFF);
        }
        return mac;
    }
}
