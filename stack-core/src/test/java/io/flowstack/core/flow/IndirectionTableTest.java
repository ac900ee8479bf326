package io.flowstack.core.flow;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.flowstack.core.flow.ToeplitzHashTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The indirection table: sizes, weighted fill, reprogramming, and the load it spreads over cores.
 */
class IndirectionTableTest
{
    /**
     * 99.9% quantiles of the chi-square distribution for 1..15 degrees of freedom (standard tables, e.g. NIST/
     * SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.4).
     */
    private static final double[] CHI_SQUARE_999 = {
        10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124,
        27.877, 29.588, 31.264, 32.909, 34.528, 36.123, 37.697,
    };

    @Test
    void shouldAcceptOnlyPowersOfTwoUpTo65536()
    {
        assertEquals(1, new IndirectionTable(1).size());
        assertEquals(65536, new IndirectionTable(65536).size());
        assertEquals(IndirectionTable.DEFAULT_SIZE, new IndirectionTable(IndirectionTable.DEFAULT_SIZE).size());
        for (final int size : new int[] {0, -1, 3, 100, 131072, Integer.MIN_VALUE})
        {
            assertOneLine(assertThrows(IllegalArgumentException.class, () -> new IndirectionTable(size)));
        }
    }

    @Test
    void shouldIndexWithTheLowBitsOfTheHash()
    {
        final IndirectionTable table = new IndirectionTable(128);
        table.set(0x55, 3);
        assertEquals(0x55, table.bucket(0xABCDEF55 | 0x80));
        assertEquals(0x55, table.bucket(0x12345655));
        assertEquals(3, table.core(0x12345655));
        assertEquals(3, table.core(0xFFFFFFD5));
        assertEquals(0, table.core(0x12345656));
        assertEquals(3, table.coreOfBucket(0x55));
    }

    @Test
    void shouldFillEqualWeightsHalfAndHalfInterleaved()
    {
        final IndirectionTable table = new IndirectionTable(128);
        table.fill(new int[] {1, 1});
        assertEquals(64, table.bucketsOf(0).length);
        assertEquals(64, table.bucketsOf(1).length);
        for (int bucket = 0; bucket < 128; bucket++)
        {
            assertEquals(bucket & 1, table.coreOfBucket(bucket), "bucket " + bucket);
        }
    }

    @Test
    void shouldFillThreeToOneAs96And32()
    {
        final IndirectionTable table = new IndirectionTable(128);
        table.fill(new int[] {3, 1});
        assertEquals(96, table.bucketsOf(0).length);
        assertEquals(32, table.bucketsOf(1).length);
        // Interleaved: core 1 every fourth bucket, never two of its buckets adjacent.
        final int[] ofCore1 = table.bucketsOf(1);
        for (int i = 1; i < ofCore1.length; i++)
        {
            assertEquals(4, ofCore1[i] - ofCore1[i - 1]);
        }
    }

    @Test
    void shouldGiveNoBucketToACoreOfWeightZero()
    {
        final IndirectionTable table = new IndirectionTable(128);
        table.fill(new int[] {2, 0, 1});
        assertEquals(0, table.bucketsOf(1).length);
        assertEquals(85, table.bucketsOf(0).length);
        assertEquals(43, table.bucketsOf(2).length);

        table.fill(new int[] {0, 0, 5});
        assertEquals(128, table.bucketsOf(2).length);
    }

    @Test
    void shouldRejectBadWeightsAndEntries()
    {
        final IndirectionTable table = new IndirectionTable(128);
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> table.fill(new int[0])));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> table.fill(new int[] {0, 0})));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> table.fill(new int[] {1, -1})));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> table.set(128, 0)));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> table.set(-1, 0)));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> table.set(0, -1)));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> IndirectionTable.uniform(128, 0)));
        assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> table.copyFrom(new IndirectionTable(64))));
    }

    @Test
    void shouldCopyIndependently()
    {
        final IndirectionTable table = IndirectionTable.uniform(128, 4);
        final IndirectionTable copy = table.copy();
        copy.set(0, 3);
        assertEquals(0, table.coreOfBucket(0));
        assertEquals(3, copy.coreOfBucket(0));

        table.copyFrom(copy);
        assertEquals(3, table.coreOfBucket(0));
        for (int core = 0; core < 4; core++)
        {
            assertArrayEquals(copy.bucketsOf(core), table.bucketsOf(core));
        }
        assertEquals("IndirectionTable{size=128, buckets per core=[31, 32, 32, 33]}", table.toString());
    }

    @Property(tries = 500)
    void shouldApportionBucketsWithinOneOfTheExactShare(
        @ForAll @Size(min = 1, max = 16) final List<@IntRange(max = 10) Integer> weightList,
        @ForAll @IntRange(max = 16) final int log2Size)
    {
        final int[] weights = weightList.stream().mapToInt(Integer::intValue).toArray();
        final int sum = weightList.stream().mapToInt(Integer::intValue).sum();
        Assume.that(sum > 0);
        final int size = 1 << log2Size;
        final IndirectionTable table = new IndirectionTable(size);
        table.fill(weights);

        int total = 0;
        for (int core = 0; core < weights.length; core++)
        {
            final int[] buckets = table.bucketsOf(core);
            final double exact = (double)size * weights[core] / sum;
            assertTrue(Math.abs(buckets.length - exact) < 1.0, () -> "core count off by 1 or more");
            if (weights[core] == 0)
            {
                assertEquals(0, buckets.length);
            }
            // Interleaved: no prefix of the table is more than one bucket ahead of or behind the core's share.
            for (int i = 0; i < buckets.length; i++)
            {
                final double due = (double)(buckets[i] + 1) * buckets.length / size;
                assertTrue(Math.abs((i + 1) - due) <= 1.0 + 1e-9, "prefix share of core " + core);
            }
            total += buckets.length;
        }
        assertEquals(size, total);
    }

    @Property(tries = 50, seed = "6171")
    void shouldSpreadRandomFlowsInProportionToWeights(
        @ForAll @Size(min = 2, max = 16) final List<@IntRange(min = 1, max = 10) Integer> weightList,
        @ForAll("tableSizes") final int size,
        @ForAll final long seed)
    {
        // A fixed jqwik seed: at the 99.9% level, 50 fresh random tries would fail about one run in twenty.
        final int[] weights = weightList.stream().mapToInt(Integer::intValue).toArray();
        final int sum = weightList.stream().mapToInt(Integer::intValue).sum();
        final int cores = weights.length;
        final Random random = new Random(seed);
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(random));
        final IndirectionTable table = new IndirectionTable(size);
        table.fill(weights);

        final int flows = 20_000;
        final long[] observed = new long[cores];
        for (int i = 0; i < flows; i++)
        {
            observed[table.core(
                hash.hashIpv4(random.nextInt(), random.nextInt(), random.nextInt(65536), random.nextInt(65536)))]++;
        }

        double chiSquare = 0;
        int cells = 0;
        for (int core = 0; core < cores; core++)
        {
            final int buckets = table.bucketsOf(core).length;
            assertTrue(Math.abs(buckets - (double)size * weights[core] / sum) < 1.0);
            final double expected = (double)flows * buckets / size;
            if (expected == 0)
            {
                assertEquals(0, observed[core], "a core without buckets got flows");
                continue;
            }
            chiSquare += (observed[core] - expected) * (observed[core] - expected) / expected;
            cells++;
        }
        Assume.that(cells >= 2);
        final int degreesOfFreedom = cells - 1;
        final double critical = CHI_SQUARE_999[degreesOfFreedom - 1];
        final double statistic = chiSquare;
        assertTrue(statistic < critical, () -> "chi-square " + statistic + " >= " + critical + " at " +
            degreesOfFreedom + " degrees of freedom");
    }

    @Test
    void shouldAgreeWithWilsonHilfertyOnChiSquareQuantiles()
    {
        // Cross-check of the hard-coded table: Wilson–Hilferty, chi2_p(k) ~ k (1 - 2/(9k) + z_p sqrt(2/(9k)))^3,
        // z_0.999 = 3.0902, is within 3.5% from 1 degree of freedom up (it is least accurate at 1).
        for (int df = 1; df <= CHI_SQUARE_999.length; df++)
        {
            final double c = 2.0 / (9.0 * df);
            final double approximation = df * Math.pow(1 - c + 3.0902 * Math.sqrt(c), 3);
            assertEquals(CHI_SQUARE_999[df - 1], approximation, CHI_SQUARE_999[df - 1] * 0.035, "df " + df);
        }
    }

    @Property(tries = 100)
    void shouldMoveExactlyTheFlowsOfMovedBuckets(
        @ForAll @IntRange(min = 2, max = 16) final int cores,
        @ForAll("tableSizes") final int size,
        @ForAll @IntRange(max = 100) final int movePercent,
        @ForAll final long seed)
    {
        final Random random = new Random(seed);
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(random));
        final IndirectionTable coreCopy = IndirectionTable.uniform(size, cores);
        final LocalPortSelector selector = new LocalPortSelector(hash, coreCopy);

        // The controller reprograms a table of its own and sends it to the core, which applies it with copyFrom.
        final IndirectionTable reprogrammed = coreCopy.copy();
        final boolean[] moved = new boolean[size];
        for (int bucket = 0; bucket < size; bucket++)
        {
            if (random.nextInt(100) < movePercent)
            {
                final int from = reprogrammed.coreOfBucket(bucket);
                reprogrammed.set(bucket, (from + 1 + random.nextInt(cores - 1)) % cores);
                moved[bucket] = true;
            }
        }

        final int flows = 1000;
        final int[] local = new int[flows];
        final int[] remote = new int[flows];
        final int[] remotePort = new int[flows];
        final int[] localPort = new int[flows];
        final int[] before = new int[flows];
        for (int i = 0; i < flows; i++)
        {
            local[i] = random.nextInt();
            remote[i] = random.nextInt();
            remotePort[i] = random.nextInt(65536);
            if ((i & 1) == 0)
            {
                localPort[i] = random.nextInt(65536);
                before[i] = coreCopy.core(hash.hashIpv4(remote[i], local[i], remotePort[i], localPort[i]));
            }
            else
            {
                // Half the flows are outgoing, with a port chosen for a core.
                before[i] = random.nextInt(cores);
                localPort[i] = selector.select(before[i], local[i], remote[i], remotePort[i], 1024, 65535,
                    random.nextInt(), port -> false);
            }
        }

        coreCopy.copyFrom(reprogrammed);

        for (int i = 0; i < flows; i++)
        {
            final int h = hash.hashIpv4(remote[i], local[i], remotePort[i], localPort[i]);
            final int bucket = coreCopy.bucket(h);
            final int after = coreCopy.core(h);
            assertEquals(moved[bucket], after != before[i], "flow " + i + " in bucket " + bucket);
            assertEquals(!moved[bucket], selector.owns(before[i], local[i], remote[i], remotePort[i], localPort[i]));
            if (moved[bucket])
            {
                assertEquals(reprogrammed.coreOfBucket(bucket), after);
                assertNotEquals(before[i], after);
            }
        }
    }

    @Provide
    Arbitrary<Integer> tableSizes()
    {
        return Arbitraries.of(64, 128, 256);
    }
}
