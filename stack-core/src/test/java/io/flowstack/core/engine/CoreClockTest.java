package io.flowstack.core.engine;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.driver.Waiter;
import io.flowstack.core.time.VirtualClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The time a core's stack sees: a frame carries the time it was read, not the time its cycle began. A cycle that
 * is preempted, or works through a long batch, reads later frames well after it started; TCP's RTT and delivery
 * rate samples take the frame's time as the ACK's arrival, so a time from the cycle's start made them too short.
 */
class CoreClockTest
{
    private static final long MS = 1_000_000L;

    private final VirtualClock clock = new VirtualClock(1_000 * MS);
    private final BufferPool pool = new BufferPool(0, 16, 2048, 128);
    private final SlowReadDriver driver = new SlowReadDriver();
    private final TimeRecordingStack stack = new TimeRecordingStack();
    private final CoreEngine engine = new CoreEngine(0, clock, pool, new NetworkDriver[] {driver},
        new NetworkDriver[] {driver}, new IdleWaiter(), CounterSet.inMemory(0), 16);

    CoreClockTest()
    {
        engine.stack(stack);
        engine.start();
    }

    @Test
    void shouldGiveEachFrameTheTimeItWasRead()
    {
        // Three frames, each read 4 ms after the one before (the reading thread was preempted in between).
        driver.arrive(3, 4 * MS);
        final long cycleStart = clock.nanoTime();
        engine.doWork();
        assertEquals(List.of(cycleStart + 4 * MS, cycleStart + 8 * MS, cycleStart + 12 * MS), stack.frameTimes);
    }

    @Test
    void shouldRunTimersAtTheTimeTheyRunNotWhenTheCycleBegan()
    {
        driver.arrive(2, 5 * MS);
        final long cycleStart = clock.nanoTime();
        engine.doWork();
        assertEquals(List.of(cycleStart + 10 * MS), stack.timerTimes.subList(stack.timerTimes.size() - 1,
            stack.timerTimes.size()));
    }

    /** Delivers its frames one by one, the clock moving on before each is read. */
    private final class SlowReadDriver implements NetworkDriver
    {
        private int pending;
        private long gapNs;

        void arrive(final int frames, final long gap)
        {
            pending = frames;
            gapNs = gap;
        }

        @Override
        public int receive(final BufferPool buffers, final FrameHandler handler, final int limit)
        {
            int n = 0;
            while (n < limit && pending > 0)
            {
                clock.advance(gapNs);
                final PacketBuffer b = buffers.acquire();
                b.window(b.offset(), 60).ifIndex(0);
                pending--;
                n++;
                handler.onFrame(b);
            }
            return n;
        }

        @Override
        public void transmit(final PacketBuffer frame)
        {
            frame.release();
        }

        @Override
        public int flush()
        {
            return 0;
        }

        @Override
        public int mtu()
        {
            return 1500;
        }

        @Override
        public long macAddress()
        {
            return 0x020000000001L;
        }

        @Override
        public Steering steering()
        {
            return Steering.NONE;
        }

        @Override
        public int waitHandle()
        {
            return -1;
        }

        @Override
        public void close()
        {
        }
    }

    /** Records the core's time as it sees each frame and each timer run. */
    private final class TimeRecordingStack implements CoreStack
    {
        final List<Long> frameTimes = new ArrayList<>();
        final List<Long> timerTimes = new ArrayList<>();

        @Override
        public void onStart()
        {
        }

        @Override
        public void onFrame(final PacketBuffer frame)
        {
            frameTimes.add(engine.time().nanoTime());
            frame.release();
        }

        @Override
        public int onTime()
        {
            timerTimes.add(engine.time().nanoTime());
            return 0;
        }

        @Override
        public long nextDeadline()
        {
            return Long.MAX_VALUE;
        }
    }

    private static final class IdleWaiter implements Waiter
    {
        @Override
        public void await(final long timeoutNs)
        {
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
}
