package io.flowstack.tap;

import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.sys.Native;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * epoll plus eventfd waiting; needs no root. The TAP case is in {@link TapDriverLiveTest}.
 */
class EpollWaiterTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldRoundTimeoutsUpToWholeMilliseconds()
    {
        assertEquals(0, EpollWaiter.toMillis(0));
        assertEquals(0, EpollWaiter.toMillis(-5));
        assertEquals(1, EpollWaiter.toMillis(1));
        assertEquals(1, EpollWaiter.toMillis(999_999));
        assertEquals(1, EpollWaiter.toMillis(1_000_000));
        assertEquals(2, EpollWaiter.toMillis(1_000_001));
        assertEquals(50, EpollWaiter.toMillis(50 * MS));
        assertEquals(Integer.MAX_VALUE, EpollWaiter.toMillis(Long.MAX_VALUE));
        assertEquals(Integer.MAX_VALUE, EpollWaiter.toMillis(Integer.MAX_VALUE * MS + 1));
    }

    @Test
    void shouldWriteTimeoutsAsATimespec()
    {
        final UnsafeBuffer ts = new UnsafeBuffer(BufferUtil.allocateDirectAligned(16, 8));
        EpollWaiter.toTimespec(2_345_678_901L, ts);
        assertEquals(2, ts.getLong(0));
        assertEquals(345_678_901L, ts.getLong(8));
        EpollWaiter.toTimespec(-5, ts);
        assertEquals(0, ts.getLong(0));
        assertEquals(0, ts.getLong(8));
    }

    /**
     * A pacing deadline a fraction of a millisecond away is kept, not rounded up to a millisecond: fifty waits of 0.2
     * ms take well under the fifty milliseconds that rounding gives at least (generous, for a loaded machine).
     */
    @Test
    void shouldKeepSubMillisecondTimeouts() throws Exception
    {
        try (EpollWaiter waiter = new EpollWaiter())
        {
            assertTrue(waiter.nanoTimeouts(), "epoll_pwait2 (Linux 5.11, glibc 2.35) is there on the machines we run");
            final long start = System.nanoTime();
            for (int i = 0; i < 50; i++)
            {
                waiter.await(200_000L);
            }
            final long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= 10 * MS, "returned early: " + elapsed / 1000 + " us");
            assertTrue(elapsed < 40 * MS, "rounded up: " + elapsed / 1000 + " us for 50 waits of 200 us");
        }
    }

    @Test
    void shouldTimeOutAfterTheRequestedTimeWhenNothingHappens() throws Exception
    {
        try (EpollWaiter waiter = new EpollWaiter())
        {
            final long start = System.nanoTime();
            waiter.await(50 * MS);
            final long elapsed = System.nanoTime() - start;
            assertTrue(elapsed >= 40 * MS, "returned early: " + elapsed / MS + " ms");
            assertTrue(elapsed < 2_000 * MS, "returned late: " + elapsed / MS + " ms");
        }
    }

    @Test
    void shouldPollWithoutBlockingForAZeroTimeout() throws Exception
    {
        try (EpollWaiter waiter = new EpollWaiter())
        {
            final long start = System.nanoTime();
            waiter.await(0);
            assertTrue(System.nanoTime() - start < 500 * MS);
        }
    }

    @Test
    void shouldReturnPromptlyWhenWokenFromAnotherThread() throws Exception
    {
        try (EpollWaiter waiter = new EpollWaiter())
        {
            final CountDownLatch waiting = new CountDownLatch(1);
            final Thread waker = new Thread(() ->
            {
                try
                {
                    waiting.await();
                    Thread.sleep(100);
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
                waiter.wake();
            });
            waker.start();
            final long start = System.nanoTime();
            waiting.countDown();
            waiter.await(30_000 * MS);
            final long elapsed = System.nanoTime() - start;
            waker.join(5_000);
            assertTrue(elapsed >= 50 * MS, "woke before wake(): " + elapsed / MS + " ms");
            assertTrue(elapsed < 2_000 * MS, "wake() did not end the wait: " + elapsed / MS + " ms");
        }
    }

    @Test
    void shouldReturnAtOnceWhenWokenBeforeAwaitAndThenClearTheDoorbell() throws Exception
    {
        try (EpollWaiter waiter = new EpollWaiter())
        {
            waiter.wake();
            waiter.wake();
            long start = System.nanoTime();
            waiter.await(10_000 * MS);
            assertTrue(System.nanoTime() - start < 1_000 * MS, "an earlier wake() must not be lost");

            start = System.nanoTime();
            waiter.await(50 * MS);
            assertTrue(System.nanoTime() - start >= 40 * MS, "the doorbell must be cleared by the first await");
        }
    }

    @Test
    void shouldSurviveConcurrentWakes() throws Exception
    {
        try (EpollWaiter waiter = new EpollWaiter())
        {
            final Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++)
            {
                threads[t] = new Thread(() ->
                {
                    for (int i = 0; i < 10_000; i++)
                    {
                        waiter.wake();
                    }
                });
                threads[t].start();
            }
            for (final Thread t : threads)
            {
                t.join(10_000);
            }
            final long start = System.nanoTime();
            waiter.await(10_000 * MS);
            assertTrue(System.nanoTime() - start < 1_000 * MS);
        }
    }

    @Test
    void shouldReturnWhenAWatchedDescriptorBecomesReadable() throws Exception
    {
        // A second eventfd stands in for a device.
        final int device = Native.check(Native.LIBC.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC), "eventfd");
        try (EpollWaiter waiter = new EpollWaiter(device))
        {
            long start = System.nanoTime();
            waiter.await(50 * MS);
            assertTrue(System.nanoTime() - start >= 40 * MS);

            final UnsafeBuffer one = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8, 8));
            one.putLong(0, 1L);
            assertEquals(8, Native.LIBC.write(device, one.addressOffset(), 8));
            start = System.nanoTime();
            waiter.await(10_000 * MS);
            assertTrue(System.nanoTime() - start < 1_000 * MS, "a readable device must end the wait");

            // Level-triggered: until the device is read, await keeps returning at once.
            start = System.nanoTime();
            waiter.await(10_000 * MS);
            assertTrue(System.nanoTime() - start < 1_000 * MS);
        }
        finally
        {
            Native.closeQuietly(device);
        }
    }

    @Test
    void shouldCloseIdempotentlyAndIgnoreCallsAfterClose() throws Exception
    {
        final EpollWaiter waiter = new EpollWaiter();
        waiter.close();
        waiter.close();
        waiter.wake();
        final long start = System.nanoTime();
        waiter.await(TimeUnit.SECONDS.toNanos(5));
        assertTrue(System.nanoTime() - start < 1_000 * MS);
    }
}
