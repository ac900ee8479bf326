package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds IPv4 datagrams and fragments byte by byte for the tests, independently of the code under test.
 */
final class Datagrams
{
    static final ByteOrder NET = ByteOrder.BIG_ENDIAN;
    static final int SOURCE = 0xC612_0001;      // 198.18.0.1
    static final int DESTINATION = 0xC612_0002; // 198.18.0.2
    static final int UDP = 17;

    private Datagrams()
    {
    }

    /**
     * A header plus data as bytes: version 4, TTL 64, given flags/offset word, correct checksum.
     */
    static byte[] datagram(
        final int source,
        final int destination,
        final int protocol,
        final int id,
        final int flagsOffset,
        final byte[] options,
        final byte[] data)
    {
        final int headerLength = 20 + options.length;
        final byte[] bytes = new byte[headerLength + data.length];
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        b.putByte(0, (byte)(0x40 | (headerLength >> 2)));
        b.putByte(1, (byte)0);
        b.putShort(2, (short)bytes.length, NET);
        b.putShort(4, (short)id, NET);
        b.putShort(6, (short)flagsOffset, NET);
        b.putByte(8, (byte)64);
        b.putByte(9, (byte)protocol);
        b.putInt(12, source, NET);
        b.putInt(16, destination, NET);
        b.putBytes(20, options);
        b.putShort(10, (short)InternetChecksum.checksum(b, 0, headerLength), NET);
        b.putBytes(headerLength, data);
        return bytes;
    }

    /**
     * A fragment of a UDP datagram between the default addresses: {@code data} placed at byte {@code offset}.
     */
    static byte[] fragment(final int id, final int offset, final boolean more, final byte[] data)
    {
        return datagram(SOURCE, DESTINATION, UDP, id, (more ? 0x2000 : 0) | (offset >> 3), new byte[0], data);
    }

    static byte[] slice(final byte[] data, final int from, final int to)
    {
        final byte[] s = new byte[to - from];
        System.arraycopy(data, from, s, 0, s.length);
        return s;
    }

    static byte[] randomBytes(final long seed, final int length)
    {
        final byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * @return a pool buffer holding {@code bytes} at the pool's headroom.
     */
    static PacketBuffer buffer(final BufferPool pool, final byte[] bytes)
    {
        if (bytes.length > pool.slotSize() - pool.headroom())
        {
            throw new IllegalArgumentException(bytes.length + " bytes do not fit pool " + pool.id());
        }
        final PacketBuffer p = pool.acquire();
        if (p == null)
        {
            throw new IllegalStateException("test pool exhausted");
        }
        p.window(p.offset(), bytes.length);
        p.buffer().putBytes(p.offset(), bytes);
        return p;
    }

    static byte[] bytes(final PacketBuffer p)
    {
        final byte[] b = new byte[p.length()];
        p.buffer().getBytes(p.offset(), b);
        return b;
    }

    /**
     * Copies every buffer into a byte array and releases it.
     */
    static List<byte[]> drain(final List<PacketBuffer> buffers)
    {
        final List<byte[]> out = new ArrayList<>(buffers.size());
        for (final PacketBuffer p : buffers)
        {
            out.add(bytes(p));
            p.release();
        }
        buffers.clear();
        return out;
    }

    static int u16(final byte[] bytes, final int at)
    {
        return ((bytes[at] & 0xFF) << 8) | (bytes[at + 1] & 0xFF);
    }

    static int headerLength(final byte[] bytes)
    {
        return (bytes[0] & 0x0F) << 2;
    }

    static int fragmentOffset(final byte[] bytes)
    {
        return (u16(bytes, 6) & 0x1FFF) << 3;
    }

    static boolean more(final byte[] bytes)
    {
        return (u16(bytes, 6) & 0x2000) != 0;
    }

    static boolean headerChecksumVerifies(final byte[] bytes)
    {
        return InternetChecksum.checksum(new UnsafeBuffer(bytes), 0, headerLength(bytes)) == 0;
    }

    /**
     * @return the sum of all counters labelled {@code name} in the set.
     */
    static long counter(final CounterSet counters, final String name)
    {
        final long[] sum = new long[1];
        counters.manager().forEach((value, id, label) ->
        {
            if (label.equals(name))
            {
                sum[0] += value;
            }
        });
        return sum[0];
    }
}
