package io.flowstack.core.sim;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Decides the fate of each frame offered to a link or a device under a {@link FaultProfile}: dropped (partition,
 * full queue, random or bursty loss), or delivered once or twice, each copy at its own time and maybe with one bit
 * flipped. Deterministic: the same profile, seed and sequence of offers give the same decisions.
 * <p>
 * Per frame, in this order: a partition in force drops it at once; a rate-limited link queues it behind the
 * frames still being serialized (tail drop when the queue is full) and it leaves the transmitter when its last bit
 * is out; on the wire it may be lost (random, then Gilbert–Elliott), duplicated, and each copy is delayed (base
 * delay, jitter, extra delay when reordered) and maybe corrupted. A lost frame still used the link's bandwidth.
 * <p>
 * Nothing here allocates after construction. Not thread-safe: one injector per link direction or driver handle.
 */
public final class FaultInjector
{
    /** Why the last offer was dropped: it was not. */
    public static final int PASSED = 0;
    /** Dropped: a partition was in force. */
    public static final int DROP_PARTITION = 1;
    /** Dropped: the queue in front of the rate limit was full. */
    public static final int DROP_QUEUE = 2;
    /** Dropped: random loss. */
    public static final int DROP_LOSS = 3;
    /** Dropped: the Gilbert–Elliott bad state. */
    public static final int DROP_BURST = 4;
    /** Dropped: a non-IP frame was corrupted, which the Ethernet FCS would catch. */
    public static final int DROP_CORRUPT = 5;

    /** Bytes of the Ethernet header that corruption never touches. */
    public static final int ETHERNET_HEADER_LENGTH = 14;

    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    private final FaultProfile profile;
    private final long seed;
    private final SplittableRandom random;
    private final long startNs;
    private final long[] queueEnds;
    private final int[] queueLengths;
    private final int queueFrameLimit;
    private final int queueByteLimit;
    private int queueHead;
    private int queueCount;
    private long queueBytesUsed;
    private long busyUntil;
    private boolean bad;

    private final long[] departure = new long[2];
    private final int[] corruptOffset = new int[2];
    private final int[] corruptMask = new int[2];
    private final boolean[] reorderedCopy = new boolean[2];
    private int lastDrop;

    private long offered;
    private long passed;
    private long partitioned;
    private long queueDropped;
    private long lost;
    private long burstLost;
    private long corruptDropped;
    private long duplicated;
    private long corrupted;
    private long reordered;

    /**
     * @param profile what to do.
     * @param seed    the random seed.
     */
    public FaultInjector(final FaultProfile profile, final long seed)
    {
        this(profile, seed, 0);
    }

    /**
     * @param profile what to do.
     * @param seed    the random seed.
     * @param startNs time zero of the profile's partitions (the clock's reading when a real device starts).
     */
    public FaultInjector(final FaultProfile profile, final long seed, final long startNs)
    {
        this.profile = profile;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.startNs = startNs;
        final int frames = profile.effectiveQueueFrames();
        this.queueFrameLimit = frames;
        this.queueByteLimit = profile.queueBytes();
        // The ring holds as many frames as either bound admits (counting frames of at least an Ethernet header;
        // shorter junk beyond the ring is tail-dropped like any other overflow).
        final int ring = profile.rateBitsPerSecond() == 0 ? 1
            : Math.max(frames, queueByteLimit > 0 ? Math.min(queueByteLimit / ETHERNET_HEADER_LENGTH, 1 << 20) : 0) + 1;
        this.queueEnds = new long[ring];
        this.queueLengths = new int[ring];
        this.busyUntil = Long.MIN_VALUE;
    }

    /**
     * Derives independent seeds for several injectors from one (SplitMix64's finalizer over seed and stream).
     *
     * @param seed   the master seed.
     * @param stream which injector.
     * @return its seed.
     */
    public static long seedFor(final long seed, final long stream)
    {
        long z = seed + (stream + 1) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Decides what happens to one frame. Read the copies' fates with {@link #departure}, {@link #corruptOffset} and
     * {@link #corruptMask}; apply a copy's corruption with {@link #corrupt}.
     *
     * @param nowNs  when the frame is handed to the link.
     * @param frame  the frame's bytes (only its EtherType is read).
     * @param offset first byte.
     * @param length frame length.
     * @return copies to deliver: 0 (dropped, see {@link #lastDrop()}), 1 or 2.
     */
    public int offer(final long nowNs, final DirectBuffer frame, final int offset, final int length)
    {
        offered++;
        lastDrop = PASSED;
        if (!profile.partitions().isEmpty() && profile.isPartitioned(nowNs - startNs))
        {
            partitioned++;
            return drop(DROP_PARTITION);
        }
        long leaves = nowNs;
        if (profile.rateBitsPerSecond() > 0)
        {
            leaves = serialize(nowNs, length);
            if (leaves == Long.MIN_VALUE)
            {
                queueDropped++;
                return drop(DROP_QUEUE);
            }
        }
        if (profile.loss() > 0 && random.nextDouble() < profile.loss())
        {
            lost++;
            return drop(DROP_LOSS);
        }
        if (profile.burstEnter() > 0)
        {
            // Gilbert–Elliott: move between the states, then lose with the bad state's probability.
            bad = bad ? random.nextDouble() >= profile.burstExit() : random.nextDouble() < profile.burstEnter();
            if (bad && random.nextDouble() < profile.burstLoss())
            {
                burstLost++;
                return drop(DROP_BURST);
            }
        }
        int copies = profile.duplicate() > 0 && random.nextDouble() < profile.duplicate() ? 2 : 1;
        final boolean ip = isIp(frame, offset, length);
        int out = 0;
        for (int c = 0; c < copies; c++)
        {
            long at = leaves + profile.delayNs();
            if (profile.jitterNs() > 0)
            {
                at = Math.max(leaves, at + random.nextLong(-profile.jitterNs(), profile.jitterNs() + 1));
            }
            final boolean late = profile.reorder() > 0 && random.nextDouble() < profile.reorder();
            if (late)
            {
                at += profile.reorderDelayNs();
            }
            int corruptAt = -1;
            int mask = 0;
            if (profile.corrupt() > 0 && random.nextDouble() < profile.corrupt())
            {
                if (!ip)
                {
                    corruptDropped++;
                    continue;
                }
                corruptAt = ETHERNET_HEADER_LENGTH + random.nextInt(length - ETHERNET_HEADER_LENGTH);
                mask = 1 << random.nextInt(8);
                corrupted++;
            }
            if (late)
            {
                reordered++;
            }
            departure[out] = at;
            corruptOffset[out] = corruptAt;
            corruptMask[out] = mask;
            reorderedCopy[out] = late;
            out++;
        }
        if (out == 0)
        {
            return drop(DROP_CORRUPT);
        }
        if (out == 2)
        {
            duplicated++;
        }
        passed++;
        return out;
    }

    private int drop(final int reason)
    {
        lastDrop = reason;
        return 0;
    }

    private static boolean isIp(final DirectBuffer frame, final int offset, final int length)
    {
        if (length <= ETHERNET_HEADER_LENGTH)
        {
            return false;
        }
        final int type = frame.getShort(offset + 12, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        return type == 0x0800 || type == 0x86DD;
    }

    /**
     * Puts a frame in the queue in front of the rate limit.
     *
     * @return when its last bit leaves, or {@link Long#MIN_VALUE} if the queue is full.
     */
    private long serialize(final long nowNs, final int length)
    {
        // Frames whose last bit left by now are out of the queue.
        while (queueCount > 0 && queueEnds[queueHead] <= nowNs)
        {
            queueBytesUsed -= queueLengths[queueHead];
            queueHead = (queueHead + 1) % queueEnds.length;
            queueCount--;
        }
        if ((queueFrameLimit > 0 && queueCount >= queueFrameLimit)
            || (queueByteLimit > 0 && queueBytesUsed + length > queueByteLimit)
            || queueCount == queueEnds.length)
        {
            return Long.MIN_VALUE;
        }
        final long start = Math.max(nowNs, busyUntil);
        final long end = start + serializationNs(length, profile.rateBitsPerSecond());
        busyUntil = end;
        final int tail = (queueHead + queueCount) % queueEnds.length;
        queueEnds[tail] = end;
        queueLengths[tail] = length;
        queueCount++;
        queueBytesUsed += length;
        return end;
    }

    /**
     * @param length frame length in bytes.
     * @param rate   bits per second.
     * @return nanoseconds the frame occupies the link, rounded up.
     */
    public static long serializationNs(final long length, final long rate)
    {
        final long bits = length * 8;
        // bits * 1e9 overflows only past 1 GB frames; ceil so that back-to-back frames never overlap.
        return (bits * 1_000_000_000L + rate - 1) / rate;
    }

    /**
     * @param copy 0 or 1.
     * @return when that copy arrives.
     */
    public long departure(final int copy)
    {
        return departure[copy];
    }

    /**
     * @param copy 0 or 1.
     * @return offset from the frame's start of the byte to flip, or -1 for none.
     */
    public int corruptOffset(final int copy)
    {
        return corruptOffset[copy];
    }

    /**
     * @param copy 0 or 1.
     * @return the bit to flip in that byte.
     */
    public int corruptMask(final int copy)
    {
        return corruptMask[copy];
    }

    /**
     * @param copy 0 or 1.
     * @return true if that copy was held back to be reordered.
     */
    public boolean reordered(final int copy)
    {
        return reorderedCopy[copy];
    }

    /**
     * @param copy 0 or 1.
     * @return true if that copy is to be corrupted.
     */
    public boolean corrupts(final int copy)
    {
        return corruptOffset[copy] >= 0;
    }

    /**
     * Applies a copy's corruption to its bytes, if it has any.
     *
     * @param copy   0 or 1.
     * @param frame  the copy's bytes.
     * @param offset first byte of the frame.
     */
    public void corrupt(final int copy, final MutableDirectBuffer frame, final int offset)
    {
        final int at = corruptOffset[copy];
        if (at >= 0)
        {
            frame.putByte(offset + at, (byte)(frame.getByte(offset + at) ^ corruptMask[copy]));
        }
    }

    /**
     * @return why the last offer returned 0 ({@code DROP_*}), or {@link #PASSED}.
     */
    public int lastDrop()
    {
        return lastDrop;
    }

    /**
     * @return the profile.
     */
    public FaultProfile profile()
    {
        return profile;
    }

    /**
     * @return the seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * @return frames offered.
     */
    public long offered()
    {
        return offered;
    }

    /**
     * @return frames delivered at least once.
     */
    public long passed()
    {
        return passed;
    }

    /**
     * @return frames dropped by a partition.
     */
    public long partitioned()
    {
        return partitioned;
    }

    /**
     * @return frames dropped because the queue was full.
     */
    public long queueDropped()
    {
        return queueDropped;
    }

    /**
     * @return frames lost at random.
     */
    public long lost()
    {
        return lost;
    }

    /**
     * @return frames lost in the Gilbert–Elliott bad state.
     */
    public long burstLost()
    {
        return burstLost;
    }

    /**
     * @return copies of non-IP frames lost to corruption.
     */
    public long corruptDropped()
    {
        return corruptDropped;
    }

    /**
     * @return frames delivered twice.
     */
    public long duplicated()
    {
        return duplicated;
    }

    /**
     * @return copies with a flipped bit.
     */
    public long corrupted()
    {
        return corrupted;
    }

    /**
     * @return copies held back to be reordered.
     */
    public long reordered()
    {
        return reordered;
    }

    /**
     * @return frames dropped for any reason.
     */
    public long dropped()
    {
        return offered - passed;
    }

    @Override
    public String toString()
    {
        return "offered=" + offered + " passed=" + passed + " partitioned=" + partitioned + " queue_drops=" + queueDropped
            + " lost=" + lost + " burst_lost=" + burstLost + " corrupt_dropped=" + corruptDropped + " duplicated="
            + duplicated + " corrupted=" + corrupted + " reordered=" + reordered;
    }
}
