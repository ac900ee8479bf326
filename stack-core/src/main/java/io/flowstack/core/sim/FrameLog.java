package io.flowstack.core.sim;

import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * A compact record of every frame a simulation delivered: virtual time, link, length and a 64-bit hash of the
 * bytes. Two runs with the same seed must produce equal logs; {@link #digest()} folds the whole log into one
 * number so that long runs can be compared without keeping every entry ({@link #keepEntries(boolean)}).
 */
public final class FrameLog
{
    private static final long FNV_OFFSET = 0xCBF2_9CE4_8422_2325L;
    private static final long FNV_PRIME = 0x0000_0100_0000_01B3L;

    private boolean keep;
    private long[] times = new long[0];
    private int[] links = new int[0];
    private int[] lengths = new int[0];
    private long[] hashes = new long[0];
    private int size;
    private long count;
    private long digest = FNV_OFFSET;

    /**
     * @param keep whether to keep every entry (for {@link #firstDifference}); the digest is always kept.
     * @return this
     */
    public FrameLog keepEntries(final boolean keep)
    {
        this.keep = keep;
        return this;
    }

    /**
     * FNV-1a over the bytes: cheap, and any change of a byte changes it.
     *
     * @param buffer bytes.
     * @param offset first byte.
     * @param length length.
     * @return the hash.
     */
    public static long hash(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = FNV_OFFSET;
        for (int i = 0; i < length; i++)
        {
            h ^= buffer.getByte(offset + i) & 0xFF;
            h *= FNV_PRIME;
        }
        return h;
    }

    /**
     * Records one delivery.
     *
     * @param timeNs virtual time.
     * @param link   link id.
     * @param buffer bytes.
     * @param offset first byte.
     * @param length length.
     */
    public void record(final long timeNs, final int link, final DirectBuffer buffer, final int offset, final int length)
    {
        final long h = hash(buffer, offset, length);
        count++;
        digest = mix(mix(mix(mix(digest, timeNs), link), length), h);
        if (keep)
        {
            if (size == times.length)
            {
                final int n = Math.max(1024, size * 2);
                times = Arrays.copyOf(times, n);
                links = Arrays.copyOf(links, n);
                lengths = Arrays.copyOf(lengths, n);
                hashes = Arrays.copyOf(hashes, n);
            }
            times[size] = timeNs;
            links[size] = link;
            lengths[size] = length;
            hashes[size] = h;
            size++;
        }
    }

    private static long mix(final long h, final long v)
    {
        return (h ^ v) * FNV_PRIME + (v >>> 17);
    }

    /**
     * @return frames recorded.
     */
    public long count()
    {
        return count;
    }

    /**
     * @return a hash of every entry in order.
     */
    public long digest()
    {
        return digest;
    }

    /**
     * @return entries kept.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param other another log (both with entries kept).
     * @return the index of the first entry that differs, or -1 if the logs are equal.
     */
    public int firstDifference(final FrameLog other)
    {
        final int n = Math.min(size, other.size);
        for (int i = 0; i < n; i++)
        {
            if (times[i] != other.times[i] || links[i] != other.links[i] || lengths[i] != other.lengths[i]
                || hashes[i] != other.hashes[i])
            {
                return i;
            }
        }
        return size == other.size && count == other.count && digest == other.digest ? -1 : n;
    }

    /**
     * @param i an entry index.
     * @return the entry as {@code time link length hash}.
     */
    public String entry(final int i)
    {
        return i < 0 || i >= size ? "(none)" : times[i] + "ns link " + links[i] + " len " + lengths[i] + " hash "
            + Long.toHexString(hashes[i]);
    }

    @Override
    public String toString()
    {
        return count + " frames, digest " + Long.toHexString(digest);
    }
}
