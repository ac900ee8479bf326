package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.wire.InternetChecksum;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.statistics.Statistics;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.flowstack.ip.ipv4.Datagrams.buffer;
import static io.flowstack.ip.ipv4.Datagrams.bytes;
import static io.flowstack.ip.ipv4.Datagrams.counter;
import static io.flowstack.ip.ipv4.Datagrams.drain;
import static io.flowstack.ip.ipv4.Datagrams.fragmentOffset;
import static io.flowstack.ip.ipv4.Datagrams.headerChecksumVerifies;
import static io.flowstack.ip.ipv4.Datagrams.headerLength;
import static io.flowstack.ip.ipv4.Datagrams.more;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fragmenter and Reassembler against each other: any datagram, cut at any MTU, delivered in any order, with
 * duplicates or a forged overlapping fragment. Every try must leave both pools full again.
 */
class FragmentationProperties
{
    private static final long TIMEOUT = Reassembler.DEFAULT_TIMEOUT_NS;
    /** Worst case: 60-byte headers on every fragment at MTU 68 leave 8 data bytes each, 8185 fragments. */
    private static final int MAX_FRAGMENTS = 8192;

    private static BufferPool bigPool;
    private static BufferPool fragmentPool;
    private static CounterSet counters;
    private static Reassembler reassembler;
    private static long clock;

    @BeforeTry
    void startClean()
    {
        // Built once; rebuilt only if a failed try left something behind, so shrinking starts from a clean state.
        if (reassembler == null || reassembler.active() != 0 ||
            bigPool.available() != bigPool.capacity() || fragmentPool.available() != fragmentPool.capacity())
        {
            bigPool = new BufferPool(2, 8, BufferPool.DEFAULT_SLOT_SIZE, BufferPool.DEFAULT_HEADROOM);
            fragmentPool = new BufferPool(3, MAX_FRAGMENTS + 64, 9216, BufferPool.DEFAULT_HEADROOM);
            counters = CounterSet.inMemory(4);
            reassembler = new Reassembler(bigPool, 4, MAX_FRAGMENTS, TIMEOUT, counters);
        }
    }

    @AfterTry
    void finishPendingDatagrams()
    {
        clock += 2 * TIMEOUT;
        reassembler.expire(clock);
    }

    @Property(tries = 200)
    void shouldReassembleAnyPermutationOfTheFragments(@ForAll("permutedScenarios") final Scenario scenario)
    {
        final Original original = Original.of(scenario.spec);
        final List<byte[]> fragments = fragment(original, scenario.spec.mtu);
        final List<Integer> order = scenario.order;
        assertEquals(order.size(), fragments.size());
        final int n = fragments.size();
        Statistics.label("fragments")
            .collect(n == 1 ? "1" : n < 10 ? "2-9" : n < 100 ? "10-99" : n < 1000 ? "100-999" : "1000+");

        for (int k = 0; k < order.size(); k++)
        {
            final PacketBuffer result = offer(fragments.get(order.get(k)));
            if (k < order.size() - 1)
            {
                assertNull(result, "completed early at " + k);
            }
            else
            {
                assertNotNull(result, "the last fragment completes the datagram");
                assertArrayEquals(original.bytes, bytes(result));
                result.release();
            }
        }
        assertNoLeak();
    }

    @Property(tries = 100)
    void shouldReassembleDespiteDuplicates(
        @ForAll("fragmentingScenarios") final Scenario scenario,
        @ForAll @Size(min = 1, max = 8) final List<@IntRange(min = 0) Integer> duplicates)
    {
        final Original original = Original.of(scenario.spec);
        final List<byte[]> fragments = fragment(original, scenario.spec.mtu);
        final int n = fragments.size();
        final List<Integer> order = new ArrayList<>(scenario.order);
        for (final int d : duplicates)
        {
            order.add((d >>> 16) % (order.size() + 1), (d & 0xFFFF) % n);
        }

        // Model: a fragment already seen in the current datagram is a duplicate; once all n were seen, the
        // datagram completes and a later copy starts a new one (which then times out).
        final boolean[] seen = new boolean[n];
        int distinct = 0;
        long expectedDuplicates = 0;
        final long duplicatesBefore = counter(counters, "ipv4.reasm.duplicates");
        for (final int index : order)
        {
            if (seen[index])
            {
                expectedDuplicates++;
            }
            else
            {
                seen[index] = true;
                distinct++;
            }
            final PacketBuffer result = offer(fragments.get(index));
            if (distinct == n)
            {
                assertNotNull(result);
                assertArrayEquals(original.bytes, bytes(result));
                result.release();
                Arrays.fill(seen, false);
                distinct = 0;
            }
            else
            {
                assertNull(result);
            }
        }
        assertEquals(expectedDuplicates, counter(counters, "ipv4.reasm.duplicates") - duplicatesBefore);
        assertNoLeak();
    }

    @Property(tries = 100)
    void shouldRejectDatagramWithPartiallyOverlappingFragment(
        @ForAll("fragmentingScenarios") final Scenario scenario,
        @ForAll @IntRange(min = 0) final int which,
        @ForAll @IntRange(min = 0) final int inside,
        @ForAll @IntRange(min = 0) final int otherEdge,
        @ForAll final boolean insideIsStart,
        @ForAll @IntRange(min = 0) final int position,
        @ForAll final long dataSeed)
    {
        final Original original = Original.of(scenario.spec);
        final List<byte[]> fragments = fragment(original, scenario.spec.mtu);
        final int n = fragments.size();
        final int totalEnd = original.dataLength;

        // A point strictly inside a non-last fragment (all of those carry at least 16 bytes at MTU >= 76). A forged
        // fragment with an edge there can never be part of an exact tiling of the real ones, so whatever the order
        // it must collide with the real fragment around that point.
        final byte[] host = fragments.get(which % (n - 1));
        final int hostStart = fragmentOffset(host);
        final int hostBlocks = (host.length - headerLength(host)) / 8;
        assertTrue(hostBlocks >= 2);
        final int p = hostStart + 8 * (1 + inside % (hostBlocks - 1));
        final int start;
        final int end;
        if (insideIsStart)
        {
            start = p;
            final int alignedEnds = (totalEnd - p) / 8;
            final int m = otherEdge % (alignedEnds + 1);
            end = m < alignedEnds ? p + 8 * (m + 1) : totalEnd;
        }
        else
        {
            start = 8 * (otherEdge % (p / 8));
            end = p;
        }
        final byte[] forged = forge(fragments.get(0), start, end, end < totalEnd, dataSeed);

        final List<Integer> order = new ArrayList<>(scenario.order);
        order.add(position % n, -1);
        final long overlapsBefore = counter(counters, "ipv4.reasm.overlaps");
        final long reassembledBefore = counter(counters, "ipv4.reasm.reassembled");
        for (final int index : order)
        {
            // The forged fragment may be up to 64 KiB long: it comes in a big buffer.
            assertNull(index < 0 ? reassembler.offer(buffer(bigPool, forged), clock++) : offer(fragments.get(index)));
        }
        assertEquals(1, counter(counters, "ipv4.reasm.overlaps") - overlapsBefore);
        assertEquals(reassembledBefore, counter(counters, "ipv4.reasm.reassembled"));
        assertNoLeak();
    }

    /**
     * Times out whatever is still in progress, then both pools must be full again.
     */
    private static void assertNoLeak()
    {
        clock += TIMEOUT;
        reassembler.expire(clock);
        assertEquals(0, reassembler.active());
        assertEquals(bigPool.capacity(), bigPool.available(), "datagram pool leak");
        assertEquals(fragmentPool.capacity(), fragmentPool.available(), "fragment pool leak");
    }

    @Provide
    Arbitrary<Scenario> permutedScenarios()
    {
        // Mostly datagrams that need fragmenting, some that already fit (passed through as they are).
        return Arbitraries.frequencyOf(
            Tuple.of(1, specs()),
            Tuple.of(3, specs().map(Spec::fragmenting))).flatMap(FragmentationProperties::permuted);
    }

    @Provide
    Arbitrary<Scenario> fragmentingScenarios()
    {
        return specs().map(Spec::fragmenting).flatMap(FragmentationProperties::permuted);
    }

    private static Arbitrary<Scenario> permuted(final Spec spec)
    {
        final int n = Original.of(spec).expectedFragments(spec.mtu);
        final List<Integer> indices = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            indices.add(i);
        }
        return Arbitraries.shuffle(indices).map(order -> new Scenario(spec, order));
    }

    private static Arbitrary<Spec> specs()
    {
        // Mostly small datagrams and MTUs (many fragments, quick), but the whole range including 64 KiB ones.
        final Arbitrary<Integer> dataLength = Arbitraries.oneOf(
            Arbitraries.integers().between(1, 65_515).withDistribution(RandomDistribution.biased()),
            Arbitraries.integers().between(1, 65_515));
        final Arbitrary<Integer> mtu = Arbitraries.oneOf(
            Arbitraries.integers().between(68, 9000).withDistribution(RandomDistribution.biased()),
            Arbitraries.integers().between(68, 9000),
            Arbitraries.of(68, 576, 1280, 1500, 9000));
        return Combinators.combine(
            dataLength,
            mtu,
            Arbitraries.longs(),
            Arbitraries.integers().between(0, 0xFFFF),
            Arbitraries.integers(),
            Arbitraries.integers(),
            Arbitraries.integers().between(0, 255),
            Arbitraries.integers().between(0, 10)).as(Spec::new);
    }

    private static List<byte[]> fragment(final Original original, final int mtu)
    {
        final List<PacketBuffer> out = new ArrayList<>();
        final int count = Fragmenter.fragment(buffer(bigPool, original.bytes), mtu, fragmentPool, out::add);
        for (final PacketBuffer f : out)
        {
            assertEquals(fragmentPool.headroom(), f.offset());
        }
        final List<byte[]> fragments = drain(out);
        assertEquals(original.expectedFragments(mtu), count);
        assertEquals(count, fragments.size());

        int next = 0;
        for (int i = 0; i < count; i++)
        {
            final byte[] f = fragments.get(i);
            final boolean last = i == count - 1;
            assertTrue(f.length <= mtu || count == 1);
            assertTrue(headerChecksumVerifies(f));
            assertEquals(i == 0 ? original.headerLength : original.laterHeaderLength, headerLength(f));
            assertEquals(next, fragmentOffset(f), "fragments are contiguous");
            assertEquals(!last, more(f));
            final int data = f.length - headerLength(f);
            assertTrue(last || data % 8 == 0);
            next += data;
        }
        assertEquals(original.dataLength, next);
        return fragments;
    }

    private static PacketBuffer offer(final byte[] fragment)
    {
        return reassembler.offer(buffer(fragmentPool, fragment), clock++);
    }

    /**
     * A fragment with fragment zero's header (the same reassembly key) carrying random data for [start, end).
     */
    private static byte[] forge(
        final byte[] fragmentZero, final int start, final int end, final boolean more, final long seed)
    {
        final int headerLength = headerLength(fragmentZero);
        final byte[] f = new byte[headerLength + end - start];
        System.arraycopy(fragmentZero, 0, f, 0, headerLength);
        final byte[] data = Datagrams.randomBytes(seed, end - start);
        System.arraycopy(data, 0, f, headerLength, data.length);
        final UnsafeBuffer b = new UnsafeBuffer(f);
        b.putShort(2, (short)f.length, ByteOrder.BIG_ENDIAN);
        b.putShort(6, (short)((more ? 0x2000 : 0) | (start >> 3)), ByteOrder.BIG_ENDIAN);
        b.putShort(10, (short)0, ByteOrder.BIG_ENDIAN);
        b.putShort(10, (short)InternetChecksum.checksum(b, 0, headerLength), ByteOrder.BIG_ENDIAN);
        return f;
    }

    record Spec(
        int dataLength, int mtu, long seed, int id, int source, int destination, int protocol, int optionWords)
    {
        /**
         * @return the same datagram made large enough, and the MTU small enough (but at least 76), to fragment.
         */
        Spec fragmenting()
        {
            final int length = Math.max(dataLength, 100);
            final int total = Math.min(20 + 4 * optionWords + length, 65_535);
            final int fragmentingMtu = 76 + (mtu - 68) % (total - 76);
            return new Spec(length, fragmentingMtu, seed, id, source, destination, protocol, optionWords);
        }
    }

    record Scenario(Spec spec, List<Integer> order)
    {
        @Override
        public String toString()
        {
            return spec + " order of " + order.size() + " fragments " +
                (order.size() <= 32 ? order.toString() : order.subList(0, 32) + "...");
        }
    }

    /**
     * The original datagram: random options (some copied, some not, NOPs, sometimes an early End of Option List)
     * and random data, MF clear, offset 0, correct checksum.
     */
    static final class Original
    {
        final byte[] bytes;
        final int headerLength;
        final int laterHeaderLength;
        final int dataLength;

        private Original(final byte[] bytes, final int headerLength, final int laterHeaderLength)
        {
            this.bytes = bytes;
            this.headerLength = headerLength;
            this.laterHeaderLength = laterHeaderLength;
            this.dataLength = bytes.length - headerLength;
        }

        static Original of(final Spec spec)
        {
            final Random random = new Random(spec.seed);
            final byte[] options = new byte[4 * spec.optionWords];
            int copied = 0;
            int i = 0;
            while (i < options.length)
            {
                final int remaining = options.length - i;
                final int kind = random.nextInt(8);
                if (kind == 0 || remaining < 2)
                {
                    options[i++] = 1; // NOP
                    continue;
                }
                if (kind == 1)
                {
                    break; // End of Option List: the rest stays zero.
                }
                final boolean copy = (kind & 1) == 0;
                final int length = 2 + random.nextInt(Math.min(remaining - 2, 8) + 1);
                // Copied flag, class 0 or 2, number 2..31: never 0 (EOOL) or 1 (NOP).
                options[i] = (byte)((copy ? 0x80 : 0) | (random.nextBoolean() ? 0x40 : 0) | (2 + random.nextInt(30)));
                options[i + 1] = (byte)length;
                for (int j = 2; j < length; j++)
                {
                    options[i + j] = (byte)random.nextInt(256);
                }
                if (copy)
                {
                    copied += length;
                }
                i += length;
            }
            final int headerLength = 20 + options.length;
            final int dataLength = Math.min(spec.dataLength, 65_535 - headerLength);
            final byte[] data = new byte[dataLength];
            random.nextBytes(data);
            final byte[] bytes = Datagrams.datagram(
                spec.source, spec.destination, spec.protocol, spec.id, 0, options, data);
            return new Original(bytes, headerLength, 20 + ((copied + 3) & ~3));
        }

        int expectedFragments(final int mtu)
        {
            if (bytes.length <= mtu)
            {
                return 1;
            }
            final int first = (mtu - headerLength) / 8 * 8;
            final int later = (mtu - laterHeaderLength) / 8 * 8;
            return 1 + (dataLength - first + later - 1) / later;
        }
    }
}
