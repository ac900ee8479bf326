package io.flowstack.core.engine;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Waiter;
import io.flowstack.core.time.VirtualClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a core reacts when a device goes away under it: the failed queue leaves the waiter's set, is never read or
 * written again, is closed (its queued frames back in the pool), is counted and reported once; frames for its
 * interface are dropped and counted; the other interfaces go on.
 */
class DeviceFailureTest
{
    private static final int EBADFD = 77;
    private static final int SLOTS = 16;

    private final BufferPool pool = new BufferPool(0, SLOTS, 2048, 128);
    private final CounterSet counters = CounterSet.inMemory(0);
    private final RecordingWaiter waiter = new RecordingWaiter();
    private final VanishingDriver if0 = new VanishingDriver(0, 100);
    private final VanishingDriver if1 = new VanishingDriver(1, 101);
    private final List<String> reports = new ArrayList<>();
    private final CountingStack stack = new CountingStack();
    private final CoreEngine engine = new CoreEngine(0, new VirtualClock(), pool, new NetworkDriver[] {if0, if1},
        new NetworkDriver[] {if0, if1}, waiter, counters, 16);

    DeviceFailureTest()
    {
        engine.stack(stack);
        engine.deviceListener((core, queue, errno) -> reports.add(core + ":" + (queue == if0 ? "if0" : "if1") + ":" + errno));
        engine.start();
    }

    @Test
    void shouldRetireAQueueThatFailsOnReadOnceAndReportIt()
    {
        if0.arrive(3);
        engine.doWork();
        assertEquals(3, stack.frames);

        if0.failOnRead(EBADFD);
        for (int i = 0; i < 100; i++)
        {
            engine.doWork();
        }
        assertEquals(List.of("0:if0:77"), reports, "one report, with the core and the errno");
        assertEquals(List.of(100), waiter.removed, "its descriptor left the waiter's set");
        assertTrue(if0.closed);
        assertEquals(0, if0.receivesAfterFailure, "never read again: no busy loop on a gone device");
        assertEquals(1, engine.receiveQueueCount());
        assertEquals(1, counters.get("engine.queues_failed"));

        if1.arrive(2);
        engine.doWork();
        assertEquals(5, stack.frames, "the other interface goes on");
        assertEquals(SLOTS, pool.available());
    }

    @Test
    void shouldDropAndCountFramesForTheGoneInterface()
    {
        if0.failOnRead(EBADFD);
        engine.doWork();
        stack.send(engine, pool, 0, 4);
        stack.send(engine, pool, 1, 2);
        engine.doWork();
        assertEquals(0, if0.transmitsAfterFailure, "nothing written to a gone device");
        assertEquals(4, counters.get("engine.tx_no_device"));
        assertEquals(2, if1.sent);
        assertEquals(SLOTS, pool.available(), "every dropped frame back in the pool");
    }

    @Test
    void shouldRetireAQueueThatFailsOnWriteAndReleaseWhatItHeld()
    {
        if1.failOnWrite(EBADFD);
        stack.send(engine, pool, 1, 3);
        engine.doWork();
        assertEquals(List.of("0:if1:77"), reports);
        assertEquals(List.of(101), waiter.removed);
        assertTrue(if1.closed);
        assertEquals(1, engine.receiveQueueCount());
        stack.send(engine, pool, 1, 1);
        if1.arrive(1);
        engine.doWork();
        assertEquals(0, if1.receivesAfterFailure);
        assertEquals(0, if1.transmitsAfterFailure);
        assertEquals(1, counters.get("engine.tx_no_device"));
        assertEquals(SLOTS, pool.available());
    }

    @Test
    void shouldKeepRunningWithNoQueueLeft()
    {
        if0.failOnRead(EBADFD);
        if1.failOnRead(EBADFD);
        engine.doWork();
        engine.doWork();
        assertEquals(List.of("0:if0:77", "0:if1:77"), reports);
        assertEquals(0, engine.receiveQueueCount());
        assertFalse(engine.nextDeadline() < Long.MAX_VALUE, "nothing left to wake for");
        assertSame(waiter, engine.waiter());
    }

    /** Records the handles the engine stops watching. */
    private static final class RecordingWaiter implements Waiter
    {
        final List<Integer> removed = new ArrayList<>();

        @Override
        public void await(final long timeoutNs)
        {
        }

        @Override
        public void remove(final int handle)
        {
            removed.add(handle);
        }

        @Override
        public void wake()
        {
        }

        @Override
        public void close()
        {
        }
    }

    /** Counts frames and releases them; sends zero-filled frames on request. */
    private static final class CountingStack implements CoreStack
    {
        int frames;

        void send(final CoreEngine engine, final BufferPool pool, final int ifIndex, final int count)
        {
            for (int i = 0; i < count; i++)
            {
                final PacketBuffer b = pool.acquire();
                b.window(b.offset(), 60).ifIndex(ifIndex);
                engine.transmit(b);
            }
        }

        @Override
        public void onStart()
        {
        }

        @Override
        public void onFrame(final PacketBuffer frame)
        {
            frames++;
            frame.release();
        }

        @Override
        public int onTime()
        {
            return 0;
        }

        @Override
        public long nextDeadline()
        {
            return Long.MAX_VALUE;
        }
    }
}
