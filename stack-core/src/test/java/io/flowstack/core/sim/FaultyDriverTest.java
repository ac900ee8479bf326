package io.flowstack.core.sim;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.time.VirtualClock;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault decorator over an in-memory driver: both directions lose and duplicate at the configured rates, delayed
 * frames wait for their time and announce it through nextDeadline, and frames that pass cost no allocation.
 */
class FaultyDriverTest
{
    private static final int FRAMES = 20_000;

    private final VirtualClock clock = new VirtualClock(1_000_000_000L);
    private final MemoryDriver memory = new MemoryDriver(0, 0x02_00_00_00_00_01L, 1500, 1 << 22);
    private final BufferPool pool = new BufferPool(0, 512, 2048, 128);
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[100]);
    private final Counting handler = new Counting();
    private final Counting transmitted = new Counting();

    private static final class Counting implements FrameHandler, MessageHandler
    {
        long frames;
        long lastSequence = -1;

        @Override
        public void onFrame(final PacketBuffer f)
        {
            frames++;
            lastSequence = f.buffer().getInt(f.offset() + 14, ByteOrder.BIG_ENDIAN);
            f.release();
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            frames++;
        }
    }

    private FaultyDriver faulty(final String profile, final long seed)
    {
        frame.putShort(12, (short)0x0800, ByteOrder.BIG_ENDIAN);
        return new FaultyDriver(memory, new FaultInjector(FaultProfile.parse(profile), seed),
            new FaultInjector(FaultProfile.parse(profile), FaultInjector.seedFor(seed, 1)), clock, 256);
    }

    private void receiveAll(final FaultyDriver d, final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            frame.putInt(14, i, ByteOrder.BIG_ENDIAN);
            memory.inject(frame, 0, 100);
            d.receive(pool, handler, 16);
        }
    }

    private void transmitAll(final FaultyDriver d, final int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            final PacketBuffer b = pool.acquire();
            b.buffer().putBytes(b.offset(), frame, 0, 100);
            b.window(b.offset(), 100);
            d.transmit(b);
            d.flush();
            memory.drainTransmitted(transmitted, 16);
        }
    }

    private static void assertNear(final String what, final double expected, final long actual)
    {
        final double tolerance = 5 * Math.sqrt(expected) + 1;
        assertTrue(Math.abs(actual - expected) <= tolerance, what + ": " + actual + ", expected " + expected);
    }

    @Test
    void shouldLoseAndDuplicateOnReceive() throws Exception
    {
        SimulationSeed.pick().run(seed ->
        {
            final FaultyDriver d = faulty("loss=10%,dup=5%", seed);
            receiveAll(d, FRAMES);
            final FaultInjector f = d.receiveFaults();
            assertNear("lost", FRAMES * 0.1, f.lost());
            assertNear("duplicated", f.passed() * 0.05, f.duplicated());
            assertEquals(FRAMES - f.lost() + f.duplicated(), handler.frames);
            assertEquals(pool.capacity(), pool.available(), "every buffer back");
        });
    }

    @Test
    void shouldLoseAndDuplicateOnTransmit() throws Exception
    {
        SimulationSeed.pick().run(seed ->
        {
            final FaultyDriver d = faulty("loss=10%,dup=5%", seed);
            transmitAll(d, FRAMES);
            final FaultInjector f = d.transmitFaults();
            assertNear("lost", FRAMES * 0.1, f.lost());
            assertEquals(FRAMES - f.lost() + f.duplicated(), transmitted.frames);
            assertEquals(pool.capacity(), pool.available(), "every buffer back");
        });
    }

    @Test
    void shouldHoldDelayedFramesUntilTheirTime()
    {
        final FaultyDriver d = faulty("delay=5ms", 1);
        receiveAll(d, 3);
        assertEquals(0, handler.frames);
        assertEquals(3, d.held());
        assertEquals(clock.nanoTime() + 5_000_000L, d.nextDeadline());
        clock.advance(4_999_999L);
        d.receive(pool, handler, 16);
        assertEquals(0, handler.frames);
        clock.advance(1);
        d.receive(pool, handler, 16);
        assertEquals(3, handler.frames);
        assertEquals(2, handler.lastSequence, "in order");
        assertEquals(Long.MAX_VALUE, d.nextDeadline());

        transmitAll(d, 2);
        assertEquals(0, transmitted.frames);
        clock.advance(5_000_000L);
        d.flush();
        memory.drainTransmitted(transmitted, 16);
        assertEquals(2, transmitted.frames);
        d.close();
        assertEquals(pool.capacity(), pool.available());
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void shouldNotAllocatePerFrameOnThePassThroughPath()
    {
        // Faults are drawn for every frame (loss, corruption), but frames that pass go straight through.
        final FaultyDriver d = faulty("loss=1%,corrupt=1%,dup=0.5%", 3);
        receiveAll(d, 50_000);
        transmitAll(d, 50_000);
        long best = Long.MAX_VALUE;
        for (int w = 0; w < 5 && best >= 1024; w++)
        {
            final long b0 = allocatedBytes();
            receiveAll(d, 0);
            final long overhead = allocatedBytes() - b0;
            final long b1 = allocatedBytes();
            receiveAll(d, 10_000);
            transmitAll(d, 10_000);
            best = Math.min(best, allocatedBytes() - b1 - overhead);
        }
        assertTrue(best < 1024, "allocated " + best + " bytes for 20,000 frames");
    }
}
