package io.flowstack.core.flow;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Local port selection: every port chosen for a core hashes back to that core, and none that could be is missed.
 * Ownership is always checked with the full hash of the inbound tuple, never with the selector's own algebra.
 */
class LocalPortSelectorTest
{
    private static final int MIN_EPHEMERAL = 1024;
    private static final int MAX_PORT = 65535;

    @Property(tries = 200)
    void shouldReturnOnlyPortsThatHashToTheRequestingCore(
        @ForAll final int localAddress,
        @ForAll final int remoteAddress,
        @ForAll @IntRange(max = 65535) final int remotePort,
        @ForAll @IntRange(min = 1, max = 16) final int cores,
        @ForAll @IntRange(max = 15) final int coreChoice,
        @ForAll("tableSizes") final int size,
        @ForAll final boolean weighted,
        @ForAll final int start,
        @ForAll final long seed)
    {
        final Random random = new Random(seed);
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(random));
        final IndirectionTable table = table(size, cores, weighted, random);
        final LocalPortSelector selector = new LocalPortSelector(hash, table);
        final int core = coreChoice % cores;
        if (table.bucketsOf(core).length == 0)
        {
            // A small weight in a small table can round to no bucket at all.
            assertEquals(-1, selector.select(core, localAddress, remoteAddress, remotePort, 0, MAX_PORT, start,
                p -> false));
            return;
        }

        for (int i = 0; i < 20; i++)
        {
            final int port = selector.select(core, localAddress, remoteAddress, remotePort, MIN_EPHEMERAL, MAX_PORT,
                start + i * 7919, p -> false);
            assertTrue(port >= MIN_EPHEMERAL && port <= MAX_PORT, "port " + port);
            assertEquals(core, table.core(hash.hashIpv4(remoteAddress, localAddress, remotePort, port)));
            assertTrue(selector.owns(core, localAddress, remoteAddress, remotePort, port));
        }
        assertEquals(selector.select(core, localAddress, remoteAddress, remotePort, 0, MAX_PORT, start, p -> false),
            selector.select(core, localAddress, remoteAddress, remotePort, 0, MAX_PORT, start, p -> false),
            "deterministic for the same start");
    }

    @Property(tries = 100)
    void shouldNeverReturnAPortInUseNorGiveUpWhileOneIsFree(
        @ForAll final int localAddress,
        @ForAll final int remoteAddress,
        @ForAll @IntRange(max = 65535) final int remotePort,
        @ForAll @IntRange(min = 1, max = 16) final int cores,
        @ForAll @IntRange(max = 15) final int coreChoice,
        @ForAll("tableSizes") final int size,
        @ForAll("inUsePercent") final int inUsePercent,
        @ForAll final int start,
        @ForAll final long seed)
    {
        final Random random = new Random(seed);
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(random));
        final IndirectionTable table = table(size, cores, random.nextBoolean(), random);
        final LocalPortSelector selector = new LocalPortSelector(hash, table);
        final int core = coreChoice % cores;
        final BitSet inUse = new BitSet(65536);
        for (int port = 0; port < 65536; port++)
        {
            inUse.set(port, random.nextInt(100) < inUsePercent);
        }

        final int port = selector.select(core, localAddress, remoteAddress, remotePort, MIN_EPHEMERAL, MAX_PORT,
            start, inUse::get);
        if (port == -1)
        {
            // Only acceptable if every port of the core in range is taken.
            for (int p = MIN_EPHEMERAL; p <= MAX_PORT; p++)
            {
                if (!inUse.get(p))
                {
                    assertFalse(selector.owns(core, localAddress, remoteAddress, remotePort, p), "free port " + p);
                }
            }
        }
        else
        {
            assertFalse(inUse.get(port), "port in use");
            assertTrue(port >= MIN_EPHEMERAL && port <= MAX_PORT);
            assertEquals(core, table.core(hash.hashIpv4(remoteAddress, localAddress, remotePort, port)));
        }
    }

    @Property(tries = 100)
    void shouldFindAPortInAnyRangeIffTheCoreOwnsOne(
        @ForAll final int localAddress,
        @ForAll final int remoteAddress,
        @ForAll @IntRange(max = 65535) final int remotePort,
        @ForAll @IntRange(min = 1, max = 16) final int cores,
        @ForAll @IntRange(max = 15) final int coreChoice,
        @ForAll("tableSizes") final int size,
        @ForAll @IntRange(max = 65535) final int minPort,
        @ForAll @IntRange(max = 300) final int width,
        @ForAll final int start,
        @ForAll final long seed)
    {
        final Random random = new Random(seed);
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(random));
        final IndirectionTable table = table(size, cores, random.nextBoolean(), random);
        final LocalPortSelector selector = new LocalPortSelector(hash, table);
        final int core = coreChoice % cores;
        final int maxPort = Math.min(MAX_PORT, minPort + width);

        boolean anyOwned = false;
        for (int p = minPort; p <= maxPort; p++)
        {
            anyOwned |= selector.owns(core, localAddress, remoteAddress, remotePort, p);
        }
        final int port = selector.select(core, localAddress, remoteAddress, remotePort, minPort, maxPort, start,
            p -> false);
        assertEquals(anyOwned, port != -1);
        if (port != -1)
        {
            assertTrue(port >= minPort && port <= maxPort);
            assertTrue(selector.owns(core, localAddress, remoteAddress, remotePort, port));
        }
    }

    @Property(tries = 30)
    void shouldMissNoPortOfTheCore(
        @ForAll final int localAddress,
        @ForAll final int remoteAddress,
        @ForAll @IntRange(max = 65535) final int remotePort,
        @ForAll @IntRange(min = 1, max = 16) final int cores,
        @ForAll("tableSizes") final int size,
        @ForAll final long seed)
    {
        final Random random = new Random(seed);
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(random));
        final IndirectionTable table = table(size, cores, random.nextBoolean(), random);
        final LocalPortSelector selector = new LocalPortSelector(hash, table);

        // With every port but one in use, the selector must return that port if and only if the core owns it.
        for (int i = 0; i < 10; i++)
        {
            final int only = random.nextInt(65536);
            final int owner = table.core(hash.hashIpv4(remoteAddress, localAddress, remotePort, only));
            for (int core = 0; core < cores; core++)
            {
                final int port = selector.select(core, localAddress, remoteAddress, remotePort, 0, MAX_PORT,
                    random.nextInt(), p -> p != only);
                assertEquals(core == owner ? only : -1, port, "core " + core + ", port " + only);
            }
        }
    }

    @Property(tries = 20)
    void shouldGiveEveryBucketTheSameNumberOfPortsWithAFullRankKey(
        @ForAll final int localAddress,
        @ForAll final int remoteAddress,
        @ForAll @IntRange(max = 65535) final int remotePort,
        @ForAll @IntRange(max = 16) final int log2Size,
        @ForAll final long seed)
    {
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(new Random(seed)));
        final int size = 1 << log2Size;
        final IndirectionTable table = new IndirectionTable(size);
        final LocalPortSelector selector = new LocalPortSelector(hash, table);
        assertEquals(log2Size, selector.rank());

        final int[] perBucket = new int[size];
        for (int port = 0; port < 65536; port++)
        {
            perBucket[table.bucket(hash.hashIpv4(remoteAddress, localAddress, remotePort, port))]++;
        }
        final int expected = 1 << (16 - selector.rank());
        for (int bucket = 0; bucket < size; bucket++)
        {
            assertEquals(expected, perBucket[bucket], "bucket " + bucket);
        }
    }

    @Test
    void shouldGive512PortsToEachOf128Buckets()
    {
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(new Random(128)));
        final IndirectionTable table = new IndirectionTable(IndirectionTable.DEFAULT_SIZE);
        for (int bucket = 0; bucket < table.size(); bucket++)
        {
            table.set(bucket, bucket); // one core per bucket
        }
        final LocalPortSelector selector = new LocalPortSelector(hash, table);
        assertEquals(7, selector.rank());

        // Enumerate each core's ports through the selector itself: mark each found port in use, ask again.
        final int local = 0xC6120001;
        final int remote = 0xC6120002;
        final int remotePort = 80;
        final BitSet taken = new BitSet(65536);
        for (int core = 0; core < table.size(); core += 37)
        {
            int found = 0;
            int port;
            while ((port = selector.select(core, local, remote, remotePort, 0, MAX_PORT, 0, taken::get)) != -1)
            {
                assertTrue(selector.owns(core, local, remote, remotePort, port));
                taken.set(port);
                found++;
            }
            assertEquals(512, found, "core " + core);
        }
    }

    @Test
    void shouldReturnMinusOneForACoreWithoutBuckets()
    {
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(new Random(3)));
        final IndirectionTable table = new IndirectionTable(128);
        table.fill(new int[] {1, 0, 1});
        final LocalPortSelector selector = new LocalPortSelector(hash, table);
        assertEquals(-1, selector.select(1, 0xC6120001, 0xC6120002, 80, 0, MAX_PORT, 0, p -> false));
        assertEquals(-1, selector.select(7, 0xC6120001, 0xC6120002, 80, 0, MAX_PORT, 0, p -> false));
        assertNotEquals(-1, selector.select(2, 0xC6120001, 0xC6120002, 80, 0, MAX_PORT, 0, p -> false));
    }

    @Test
    void shouldStayCorrectWithRankDeficientKeys()
    {
        final byte[] repeated = new byte[ToeplitzHash.KEY_LENGTH];
        Arrays.fill(repeated, (byte)0x05);
        final byte[] zero = new byte[ToeplitzHash.KEY_LENGTH];
        final Random random = new Random(9);
        for (final byte[] key : new byte[][] {repeated, zero, ToeplitzHash.symmetricKey(), ToeplitzHash.microsoftKey()})
        {
            final ToeplitzHash hash = new ToeplitzHash(key);
            final IndirectionTable table = IndirectionTable.uniform(128, 16);
            final LocalPortSelector selector = new LocalPortSelector(hash, table);
            for (int flow = 0; flow < 4; flow++)
            {
                final int local = random.nextInt();
                final int remote = random.nextInt();
                final int remotePort = random.nextInt(65536);
                final int[] portsPerCore = new int[16];
                for (int port = 0; port < 65536; port++)
                {
                    portsPerCore[table.core(hash.hashIpv4(remote, local, remotePort, port))]++;
                }
                for (int core = 0; core < 16; core++)
                {
                    final int port = selector.select(core, local, remote, remotePort, 0, MAX_PORT, random.nextInt(),
                        p -> false);
                    if (portsPerCore[core] == 0)
                    {
                        assertEquals(-1, port, "core " + core + " owns no port of this flow");
                    }
                    else
                    {
                        assertTrue(selector.owns(core, local, remote, remotePort, port), "core " + core);
                    }
                }
            }
        }
        assertTrue(new LocalPortSelector(new ToeplitzHash(repeated), new IndirectionTable(128)).rank() < 7);
        assertEquals(0, new LocalPortSelector(new ToeplitzHash(zero), new IndirectionTable(128)).rank());
    }

    @Test
    void shouldRejectABadPortRange()
    {
        final LocalPortSelector selector = new LocalPortSelector(
            new ToeplitzHash(ToeplitzHash.microsoftKey()), IndirectionTable.uniform(128, 2));
        ToeplitzHashTest.assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> selector.select(0, 1, 2, 3, 2000, 1000, 0, p -> false)));
        ToeplitzHashTest.assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> selector.select(0, 1, 2, 3, -1, 1000, 0, p -> false)));
        ToeplitzHashTest.assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> selector.select(0, 1, 2, 3, 1000, 65536, 0, p -> false)));
    }

    private static IndirectionTable table(final int size, final int cores, final boolean weighted, final Random random)
    {
        if (!weighted)
        {
            return IndirectionTable.uniform(size, cores);
        }
        final int[] weights = new int[cores];
        for (int i = 0; i < cores; i++)
        {
            weights[i] = 1 + random.nextInt(10);
        }
        final IndirectionTable table = new IndirectionTable(size);
        table.fill(weights);
        return table;
    }

    @Provide
    Arbitrary<Integer> tableSizes()
    {
        return Arbitraries.of(64, 128, 256);
    }

    @Provide
    Arbitrary<Integer> inUsePercent()
    {
        // Mostly sparse, sometimes nearly or entirely full, to reach the "everything in use" end.
        return Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.integers().between(0, 90)),
            Tuple.of(3, Arbitraries.integers().between(91, 99)),
            Tuple.of(1, Arbitraries.just(100)));
    }
}
