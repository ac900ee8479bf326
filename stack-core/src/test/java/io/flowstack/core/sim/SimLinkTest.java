package io.flowstack.core.sim;

import io.flowstack.core.pcap.PcapReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Links on virtual time, driven by a {@link Simulator} with raw endpoints (no stacks): arrival times follow the
 * rate, the queue and the delay exactly; faults happen at their rates; runs replay exactly.
 */
class SimLinkTest
{
    private static final long MS = 1_000_000L;

    /** What a raw endpoint received: arrival time and the frame's sequence number (bytes 14..17). */
    private final List<long[]> arrivals = new ArrayList<>();
    private final FrameReceiver recorder = (now, buffer, offset, length) ->
        arrivals.add(new long[]{now, buffer.getInt(offset + 14, ByteOrder.BIG_ENDIAN), length});

    private static UnsafeBuffer frame(final int sequence, final int length)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[length]);
        b.putShort(12, (short)0x0800, ByteOrder.BIG_ENDIAN);
        b.putInt(14, sequence, ByteOrder.BIG_ENDIAN);
        return b;
    }

    private static void send(final Simulator sim, final SimLink link, final long at, final int sequence, final int length)
    {
        final UnsafeBuffer f = frame(sequence, length);
        sim.schedule(at, () -> link.offer(sim.now(), f, 0, length));
    }

    @Test
    void shouldSpaceABurstBySerializationTime()
    {
        final Simulator sim = new Simulator(1);
        final SimLink link = sim.link("a>b", FaultProfile.parse("rate=10mbit,delay=2ms"), recorder);
        final int n = 20;
        final int size = 1000;
        for (int i = 0; i < n; i++)
        {
            send(sim, link, 0, i, size);
        }
        sim.runUntil(1_000 * MS);
        assertEquals(n, arrivals.size());
        final long spacing = size * 8L * 1_000_000_000L / 10_000_000L;
        assertEquals(800_000L, spacing);
        for (int i = 0; i < n; i++)
        {
            assertEquals(i, arrivals.get(i)[1]);
            assertEquals(2 * MS + (i + 1) * spacing, arrivals.get(i)[0], "frame " + i);
        }
    }

    @Test
    void shouldTailDropWhatTheQueueCannotHold()
    {
        final Simulator sim = new Simulator(1);
        final SimLink link = sim.link("a>b", FaultProfile.parse("rate=10mbit,queue=5"), recorder);
        for (int i = 0; i < 20; i++)
        {
            send(sim, link, 0, i, 1250);
        }
        sim.runFor(1_000 * MS);
        assertEquals(5, arrivals.size());
        assertEquals(15, link.injector().queueDropped());
        for (int i = 0; i < 5; i++)
        {
            assertEquals(i, arrivals.get(i)[1], "the first five, in order");
        }
    }

    @Test
    void shouldDropEverythingDuringAPartitionAndHeal()
    {
        final Simulator sim = new Simulator(1);
        final SimLink link = sim.link("a>b", FaultProfile.parse("delay=1ms,partition=2s@5s"), recorder);
        for (int i = 0; i < 1000; i++)
        {
            send(sim, link, i * 10 * MS, i, 100);
        }
        sim.runFor(11_000 * MS);
        assertEquals(1000 - 200, arrivals.size());
        for (final long[] a : arrivals)
        {
            final long sent = a[1] * 10 * MS;
            assertTrue(sent < 5_000 * MS || sent >= 7_000 * MS, "frame sent at " + sent + " crossed the partition");
            assertEquals(sent + MS, a[0]);
        }
        assertEquals(200, link.injector().partitioned());
    }

    @Test
    void shouldReorderAndDuplicate() throws Exception
    {
        SimulationSeed.pick().run(seed ->
        {
            final Simulator sim = new Simulator(seed);
            final SimLink link = sim.link("a>b", FaultProfile.parse("delay=1ms,reorder=10%:5ms,dup=10%"), recorder);
            for (int i = 0; i < 2000; i++)
            {
                send(sim, link, i * MS, i, 64);
            }
            sim.runFor(3_000 * MS);
            final Set<Long> seen = new HashSet<>();
            int duplicates = 0;
            int inversions = 0;
            long last = -1;
            for (final long[] a : arrivals)
            {
                if (!seen.add(a[1]))
                {
                    duplicates++;
                }
                if (a[1] < last)
                {
                    inversions++;
                }
                last = Math.max(last, a[1]);
            }
            assertEquals(2000, seen.size(), "nothing lost");
            assertEquals(link.injector().duplicated(), duplicates);
            assertTrue(inversions > 100, "reordered: " + inversions);
            assertEquals(0, link.inFlight());
        });
    }

    private FrameLog runMixedTraffic(final long seed, final Path pcapDirectory)
    {
        final Simulator sim = new Simulator(seed);
        sim.frameLog().keepEntries(true);
        if (pcapDirectory != null)
        {
            sim.capture(pcapDirectory);
        }
        final FaultProfile lossy = FaultProfile.parse("loss=5%,dup=2%,reorder=3%,corrupt=2%,delay=2ms,jitter=1ms,rate=50mbit");
        final SimLink ab = sim.link("a>b", lossy, recorder);
        final SimLink ba = sim.link("b>a", lossy, recorder);
        for (int i = 0; i < 500; i++)
        {
            send(sim, ab, i * 100_000L, i, 60 + i % 1400);
            send(sim, ba, i * 130_000L, -i, 60 + (i * 7) % 1400);
        }
        sim.runFor(1_000 * MS);
        sim.close();
        return sim.frameLog();
    }

    @Test
    void shouldReplayTheSameFramesForTheSameSeed(@TempDir final Path dir) throws Exception
    {
        SimulationSeed.pick().run(seed ->
        {
            final FrameLog first = runMixedTraffic(seed, dir);
            final FrameLog second = runMixedTraffic(seed, null);
            final int diff = first.firstDifference(second);
            assertEquals(-1, diff, "first difference at " + diff + ": " + first.entry(diff) + " vs " + second.entry(diff));
            assertEquals(first.digest(), second.digest());
            assertNotEquals(first.digest(), runMixedTraffic(seed + 1, null).digest());
            // The capture holds each link's deliveries with their virtual timestamps.
            final long captured = PcapReader.readAll(dir.resolve("0-a_b.pcap")).size()
                + PcapReader.readAll(dir.resolve("1-b_a.pcap")).size();
            assertEquals(first.count(), captured);
        });
    }
}
