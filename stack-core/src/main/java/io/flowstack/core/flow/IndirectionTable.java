package io.flowstack.core.flow;

import java.util.Arrays;

/**
 * The RSS indirection table: maps the low bits of a flow hash (the bucket) to the core that owns the flow.
 * <p>
 * NICs index the table with the least significant bits of the Toeplitz hash, so this does too: a table that
 * mirrors a NIC's (exact steering) must agree with it bucket for bucket.
 * <p>
 * Not thread-safe, by design: each core holds its own copy and changes it only when told to by a message
 * (DESIGN.md, "Ownership and steering": reprogrammable at run time). A new table is all core 0.
 */
public final class IndirectionTable
{
    /** Entries in the default table, as many NICs have (a power of two). */
    public static final int DEFAULT_SIZE = 128;

    /** Largest table accepted: the hash bits above 16 are never needed to spread 65536 ports. */
    public static final int MAX_SIZE = 65536;

    private final int[] cores;
    private final int mask;

    /**
     * @param size number of buckets, a power of two in 1..65536.
     * @throws IllegalArgumentException if the size is not a power of two in range.
     */
    public IndirectionTable(final int size)
    {
        if (size < 1 || size > MAX_SIZE || Integer.bitCount(size) != 1)
        {
            throw new IllegalArgumentException("indirection table size must be a power of two in 1.." + MAX_SIZE +
                ", got " + size);
        }
        this.cores = new int[size];
        this.mask = size - 1;
    }

    /**
     * A table that spreads its buckets evenly over the cores, interleaved.
     *
     * @param size  number of buckets, a power of two in 1..65536.
     * @param cores number of cores, at least 1.
     * @return the new table.
     */
    public static IndirectionTable uniform(final int size, final int cores)
    {
        if (cores < 1)
        {
            throw new IllegalArgumentException("core count must be at least 1, got " + cores);
        }
        final IndirectionTable table = new IndirectionTable(size);
        final int[] weights = new int[cores];
        Arrays.fill(weights, 1);
        table.fill(weights);
        return table;
    }

    /**
     * @return number of buckets.
     */
    public int size()
    {
        return cores.length;
    }

    /**
     * @param hash a flow hash.
     * @return its bucket: the low bits of the hash, as NICs take them.
     */
    public int bucket(final int hash)
    {
        return hash & mask;
    }

    /**
     * @param hash a flow hash.
     * @return the core that owns the flow.
     */
    public int core(final int hash)
    {
        return cores[hash & mask];
    }

    /**
     * @param bucket a bucket, 0..size-1.
     * @return the core that owns it.
     */
    public int coreOfBucket(final int bucket)
    {
        return cores[bucket];
    }

    /**
     * @param bucket a bucket, 0..size-1.
     * @param core   the core that owns it from now on, non-negative.
     */
    public void set(final int bucket, final int core)
    {
        if (bucket < 0 || bucket > mask)
        {
            throw new IllegalArgumentException("bucket must be 0.." + mask + ", got " + bucket);
        }
        if (core < 0)
        {
            throw new IllegalArgumentException("core must be non-negative, got " + core);
        }
        cores[bucket] = core;
    }

    /**
     * Distributes all buckets over cores in proportion to their weights; core {@code i} has weight
     * {@code weights[i]}.
     * <p>
     * Counts: each core gets the floor of its exact share {@code size * w / sum(w)}, and the buckets left over go
     * one each to the cores with the largest remainders (ties to the lower core), so every count is within 1 of
     * the exact share (largest-remainder apportionment). Order: a smooth weighted round-robin over those counts,
     * so consecutive buckets land on different cores and no core holds a long run.
     *
     * @param weights weight per core: non-negative, at least one positive.
     * @throws IllegalArgumentException if the weights are empty, negative or all zero.
     */
    public void fill(final int[] weights)
    {
        if (weights == null || weights.length == 0)
        {
            throw new IllegalArgumentException("weights must name at least one core");
        }
        long sum = 0;
        for (int i = 0; i < weights.length; i++)
        {
            if (weights[i] < 0)
            {
                throw new IllegalArgumentException("weight of core " + i + " is negative: " + weights[i]);
            }
            sum += weights[i];
        }
        if (sum == 0)
        {
            throw new IllegalArgumentException("at least one core must have a positive weight");
        }

        final int size = cores.length;
        final int[] counts = new int[weights.length];
        final long[] remainders = new long[weights.length];
        int assigned = 0;
        for (int i = 0; i < weights.length; i++)
        {
            final long exact = (long)size * weights[i];
            counts[i] = (int)(exact / sum);
            remainders[i] = exact % sum;
            assigned += counts[i];
        }
        for (int left = size - assigned; left > 0; left--)
        {
            int best = -1;
            for (int i = 0; i < weights.length; i++)
            {
                if (weights[i] > 0 && (best < 0 || remainders[i] > remainders[best]))
                {
                    best = i;
                }
            }
            counts[best]++;
            remainders[best] = -1;
        }

        // Smooth weighted round-robin: over one period of `size` picks, core i is picked exactly counts[i] times
        // and its picks are spread evenly.
        final long[] current = new long[weights.length];
        for (int bucket = 0; bucket < size; bucket++)
        {
            int best = -1;
            for (int i = 0; i < weights.length; i++)
            {
                current[i] += counts[i];
                if (counts[i] > 0 && (best < 0 || current[i] > current[best]))
                {
                    best = i;
                }
            }
            current[best] -= size;
            cores[bucket] = best;
        }
    }

    /**
     * @param core a core.
     * @return the buckets it owns, ascending; empty if none.
     */
    public int[] bucketsOf(final int core)
    {
        int count = 0;
        for (final int owner : cores)
        {
            if (owner == core)
            {
                count++;
            }
        }
        final int[] buckets = new int[count];
        int n = 0;
        for (int bucket = 0; bucket < cores.length; bucket++)
        {
            if (cores[bucket] == core)
            {
                buckets[n++] = bucket;
            }
        }
        return buckets;
    }

    /**
     * @return an independent copy, for another core.
     */
    public IndirectionTable copy()
    {
        final IndirectionTable copy = new IndirectionTable(cores.length);
        copy.copyFrom(this);
        return copy;
    }

    /**
     * Takes every entry of another table of the same size: how a core applies a reprogramming message to its
     * private copy.
     *
     * @param other table to copy.
     * @throws IllegalArgumentException if the sizes differ.
     */
    public void copyFrom(final IndirectionTable other)
    {
        if (other.cores.length != cores.length)
        {
            throw new IllegalArgumentException("indirection table sizes differ: " + cores.length + " and " +
                other.cores.length);
        }
        System.arraycopy(other.cores, 0, cores, 0, cores.length);
    }

    /**
     * @return size and buckets per core, e.g. {@code IndirectionTable{size=128, buckets per core=[64, 64]}}.
     */
    @Override
    public String toString()
    {
        int maxCore = -1;
        for (final int owner : cores)
        {
            maxCore = Math.max(maxCore, owner);
        }
        final int[] counts = new int[maxCore + 1];
        for (final int owner : cores)
        {
            counts[owner]++;
        }
        return "IndirectionTable{size=" + cores.length + ", buckets per core=" + Arrays.toString(counts) + "}";
    }
}
