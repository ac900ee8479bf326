package io.flowstack.core.sim;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over 100,000 frames the observed rates must match the profile within a few standard deviations; the seed is
 * random per run (printed on failure), so the tolerances are statistical, not tuned to one seed.
 */
class FaultInjectorTest
{
    private static final int FRAMES = 100_000;

    private final UnsafeBuffer ipFrame = frame(0x0800, 100);
    private final UnsafeBuffer arpFrame = frame(0x0806, 42);

    private static UnsafeBuffer frame(final int etherType, final int length)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[length]);
        b.putShort(12, (short)etherType, ByteOrder.BIG_ENDIAN);
        return b;
    }

    /** Five standard deviations of a binomial count: false alarms about once in 3.5 million runs. */
    private static void assertRate(final String what, final double p, final long count, final long n)
    {
        final double expected = p * n;
        final double tolerance = 5 * Math.sqrt(n * p * (1 - p)) + 1;
        assertTrue(Math.abs(count - expected) <= tolerance,
            what + ": " + count + " of " + n + ", expected " + expected + " +- " + tolerance);
    }

    @Test
    void shouldMatchConfiguredProbabilities() throws Exception
    {
        SimulationSeed.pick().run(seed ->
        {
            final FaultProfile profile = FaultProfile.parse("loss=2%,dup=1%,corrupt=3%,reorder=5%");
            final FaultInjector f = new FaultInjector(profile, seed);
            long copies = 0;
            for (int i = 0; i < FRAMES; i++)
            {
                final int c = f.offer(i * 1000L, ipFrame, 0, 100);
                for (int k = 0; k < c; k++)
                {
                    if (f.corruptOffset(k) >= 0)
                    {
                        assertTrue(f.corruptOffset(k) >= FaultInjector.ETHERNET_HEADER_LENGTH && f.corruptOffset(k) < 100);
                        assertEquals(1, Integer.bitCount(f.corruptMask(k)));
                    }
                }
                copies += c;
            }
            assertEquals(FRAMES, f.offered());
            assertRate("loss", 0.02, f.lost(), FRAMES);
            assertRate("dup", 0.01, f.duplicated(), f.passed());
            assertRate("corrupt", 0.03, f.corrupted(), copies);
            assertRate("reorder", 0.05, f.reordered(), copies);
            assertEquals(f.passed() + f.duplicated(), copies);
        });
    }

    @Test
    void shouldLoseInBurstsAtTheGilbertElliottRate() throws Exception
    {
        SimulationSeed.pick().run(seed ->
        {
            final FaultProfile profile = FaultProfile.parse("burst=1%:20%:50%");
            final FaultInjector f = new FaultInjector(profile, seed);
            int runs = 0;
            boolean previousLost = false;
            for (int i = 0; i < FRAMES; i++)
            {
                final boolean lostNow = f.offer(i, ipFrame, 0, 100) == 0;
                if (lostNow && !previousLost)
                {
                    runs++;
                }
                previousLost = lostNow;
            }
            final double expected = profile.burstLossRate();
            assertEquals(0.5 * 0.01 / 0.21, expected, 1e-12);
            // Bursts correlate the losses: allow a wider band than the binomial one.
            assertTrue(Math.abs(f.burstLost() - expected * FRAMES) < 0.2 * expected * FRAMES,
                "burst loss " + f.burstLost() + " vs " + expected * FRAMES);
            assertTrue(runs < f.burstLost(), "losses come in runs");
        });
    }

    @Test
    void shouldLoseCorruptedNonIpFramesInsteadOfCorruptingThem() throws Exception
    {
        SimulationSeed.pick().run(seed ->
        {
            final FaultInjector f = new FaultInjector(FaultProfile.parse("corrupt=10%"), seed);
            for (int i = 0; i < FRAMES; i++)
            {
                final int c = f.offer(i, arpFrame, 0, 42);
                assertTrue(c == 0 || f.corruptOffset(0) < 0);
            }
            assertEquals(0, f.corrupted());
            assertRate("corrupt drops", 0.1, f.corruptDropped(), FRAMES);
        });
    }

    @Test
    void shouldBeDeterministicForASeed()
    {
        final FaultProfile profile = FaultProfile.parse("loss=5%,dup=5%,corrupt=5%,reorder=5%,delay=1ms,jitter=500us");
        assertEquals(trace(profile, 42), trace(profile, 42));
        assertNotEquals(trace(profile, 42), trace(profile, 43));
    }

    private long trace(final FaultProfile profile, final long seed)
    {
        final FaultInjector f = new FaultInjector(profile, seed);
        long h = 17;
        for (int i = 0; i < 10_000; i++)
        {
            final int c = f.offer(i * 10_000L, ipFrame, 0, 100);
            h = h * 31 + c;
            for (int k = 0; k < c; k++)
            {
                h = h * 31 + f.departure(k);
                h = h * 31 + f.corruptOffset(k) * 256 + f.corruptMask(k);
            }
        }
        return h;
    }

    @Test
    void shouldKeepJitterWithinBounds() throws Exception
    {
        SimulationSeed.pick().run(seed ->
        {
            final FaultInjector f = new FaultInjector(FaultProfile.parse("delay=5ms,jitter=1ms"), seed);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < FRAMES; i++)
            {
                final long now = i * 100_000L;
                assertEquals(1, f.offer(now, ipFrame, 0, 100));
                min = Math.min(min, f.departure(0) - now);
                max = Math.max(max, f.departure(0) - now);
            }
            assertTrue(min >= 4_000_000L && min < 4_010_000L, "min " + min);
            assertTrue(max <= 6_000_000L && max > 5_990_000L, "max " + max);
        });
    }

    @Test
    void shouldSerializeAtTheRateAndTailDropWhenTheQueueIsFull()
    {
        // 10 Mbit/s: a 1250-byte frame takes 1 ms.
        final FaultInjector f = new FaultInjector(FaultProfile.parse("rate=10mbit,queue=4"), 1);
        final UnsafeBuffer big = frame(0x0800, 1250);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(1, f.offer(0, big, 0, 1250));
            assertEquals((i + 1) * 1_000_000L, f.departure(0));
        }
        assertEquals(0, f.offer(0, big, 0, 1250));
        assertEquals(FaultInjector.DROP_QUEUE, f.lastDrop());
        // Once the first frame is out, one more fits, behind the others.
        assertEquals(1, f.offer(1_000_000L, big, 0, 1250));
        assertEquals(5_000_000L, f.departure(0));
        assertEquals(1, f.queueDropped());
    }

    @Test
    void shouldBoundTheQueueInBytes()
    {
        final FaultInjector f = new FaultInjector(FaultProfile.parse("rate=1mbit,queue=3000b"), 1);
        final UnsafeBuffer big = frame(0x0800, 1000);
        assertEquals(1, f.offer(0, big, 0, 1000));
        assertEquals(1, f.offer(0, big, 0, 1000));
        assertEquals(1, f.offer(0, big, 0, 1000));
        assertEquals(0, f.offer(0, big, 0, 1000));
        assertEquals(FaultInjector.DROP_QUEUE, f.lastDrop());
    }

    @Test
    void shouldDropEverythingDuringAPartitionAndHeal()
    {
        final FaultInjector f = new FaultInjector(FaultProfile.parse("partition=2s@5s"), 1);
        for (long t = 0; t < 10_000_000_000L; t += 1_000_000L)
        {
            final int c = f.offer(t, ipFrame, 0, 100);
            final boolean down = t >= 5_000_000_000L && t < 7_000_000_000L;
            assertEquals(down ? 0 : 1, c, "at " + t);
        }
        assertEquals(2000, f.partitioned());
    }
}
