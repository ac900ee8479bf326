package io.flowstack.tap;

import io.flowstack.core.driver.Waiter;
import io.flowstack.tap.sys.ErrnoException;
import io.flowstack.tap.sys.LibC;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.sys.Native;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Waiter} for cores with device descriptors: epoll over the devices plus an eventfd doorbell.
 * <p>
 * {@link #await(long)} is for the owning thread only; {@link #wake()} may be called from any thread. Neither
 * allocates. A doorbell rung before {@code await} keeps the eventfd readable, so that {@code await} returns at
 * once; {@code await} reads the eventfd to clear it. Descriptors are watched level-triggered: a device with
 * unread frames keeps {@code await} from blocking.
 * <p>
 * Timeouts are kept to the nanosecond with epoll_pwait2 where the kernel and libc have it (Linux 5.11), and rounded
 * up to milliseconds with epoll_wait otherwise. A core that paces data blocks until its next departure time, often
 * a fraction of a millisecond away: rounded up, that wake-up came up to a millisecond late, and live (lossy-path.sh,
 * 20 ms, 1% loss) BBR lost 8-12% of its sending time to it.
 */
public final class EpollWaiter implements Waiter
{
    /** Events fetched per epoll_wait: one per device is plenty, we only need to know that something is ready. */
    private static final int MAX_EVENTS = 16;
    private static final int EVENT_SIZE = Native.EPOLL_EVENT_PACKED ? 12 : 16;
    private static final int DATA_OFFSET = Native.EPOLL_EVENT_PACKED ? 4 : 8;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The 8-byte value 1 written to ring the doorbell; only ever read, so every thread may share it. */
    private static final UnsafeBuffer ONE = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8, 8));

    static
    {
        ONE.putLong(0, 1L);
    }

    private final LibC libc = Native.LIBC;
    private final int epollFd;
    private final int eventFd;
    private final UnsafeBuffer events = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_EVENTS * 16, 64));
    private final UnsafeBuffer drain = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8, 8));
    private final UnsafeBuffer ctl = new UnsafeBuffer(BufferUtil.allocateDirectAligned(16, 8));
    /** The {@code struct timespec} of epoll_pwait2's timeout. */
    private final UnsafeBuffer timespec = new UnsafeBuffer(BufferUtil.allocateDirectAligned(16, 8));
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean nanoTimeouts;

    /**
     * @param fds descriptors to watch for readability (such as {@link TapDriver#waitHandle()}); negative ones are
     *            skipped.
     * @throws ErrnoException when epoll or eventfd cannot be created or a descriptor cannot be watched.
     */
    public EpollWaiter(final int... fds) throws ErrnoException
    {
        epollFd = Native.check(libc.epoll_create1(Linux.EPOLL_CLOEXEC), "epoll_create1");
        int efd = -1;
        try
        {
            efd = Native.check(libc.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC), "eventfd");
            eventFd = efd;
            add(efd);
            for (final int fd : fds)
            {
                if (fd >= 0)
                {
                    add(fd);
                }
            }
            nanoTimeouts = probeNanoTimeouts();
        }
        catch (final ErrnoException | RuntimeException e)
        {
            Native.closeQuietly(efd);
            Native.closeQuietly(epollFd);
            throw e;
        }
    }

    /**
     * Watches one more descriptor for readability. Call on the owning thread, not during {@link #await(long)}.
     *
     * @param fd the descriptor.
     * @throws ErrnoException when epoll refuses it (e.g. already watched, or not pollable).
     */
    public void add(final int fd) throws ErrnoException
    {
        ctl.setMemory(0, ctl.capacity(), (byte)0);
        ctl.putInt(0, Linux.EPOLLIN);
        // The descriptor as user data tells the doorbell apart from devices.
        ctl.putLong(DATA_OFFSET, fd);
        Native.check(libc.epoll_ctl(epollFd, Linux.EPOLL_CTL_ADD, fd, ctl.addressOffset()), "epoll_ctl ADD " + fd);
    }

    /**
     * Stops watching a descriptor (a device queue that failed: a TAP whose device is gone reports POLLERR forever).
     * Call on the owning thread, not during {@link #await(long)}, and before the descriptor is closed. A descriptor
     * that is not watched, or -1, is ignored.
     *
     * @param fd the descriptor.
     */
    @Override
    public void remove(final int fd)
    {
        if (fd >= 0 && fd != eventFd && !closed.get())
        {
            // Kernels before 2.6.9 wanted a non-null event even for DEL; the scratch area serves.
            libc.epoll_ctl(epollFd, Linux.EPOLL_CTL_DEL, fd, ctl.addressOffset());
        }
    }

    /** @return whether epoll_pwait2 answers (a zero timeout polls): the kernel and libc both have it. */
    private boolean probeNanoTimeouts()
    {
        try
        {
            toTimespec(0, timespec);
            return libc.epoll_pwait2(epollFd, events.addressOffset(), MAX_EVENTS, timespec.addressOffset(), 0) >= 0;
        }
        catch (final UnsatisfiedLinkError e)
        {
            return false;
        }
    }

    /** @return whether timeouts are kept to the nanosecond (epoll_pwait2), not rounded up to milliseconds. */
    public boolean nanoTimeouts()
    {
        return nanoTimeouts;
    }

    /**
     * Writes a timeout as a {@code struct timespec} (seconds, then nanoseconds, 64 bits each on the 64-bit Linux
     * ABIs); 0 or less polls.
     *
     * @param timeoutNs timeout in nanoseconds.
     * @param timespec  where to write it, 16 bytes.
     */
    public static void toTimespec(final long timeoutNs, final UnsafeBuffer timespec)
    {
        final long ns = Math.max(0, timeoutNs);
        timespec.putLong(0, ns / NANOS_PER_SECOND);
        timespec.putLong(8, ns % NANOS_PER_SECOND);
    }

    /**
     * @return the eventfd doorbell descriptor.
     */
    public int eventFd()
    {
        return eventFd;
    }

    /**
     * Converts a timeout for epoll_wait: rounds up, so that a pending deadline is never missed by sleeping too
     * short and spinning; 0 or less polls; caps at {@link Integer#MAX_VALUE} ms.
     *
     * @param timeoutNs timeout in nanoseconds.
     * @return timeout in milliseconds.
     */
    public static int toMillis(final long timeoutNs)
    {
        if (timeoutNs <= 0)
        {
            return 0;
        }
        final long ms = timeoutNs / NANOS_PER_MILLI + (timeoutNs % NANOS_PER_MILLI == 0 ? 0 : 1);
        return ms > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int)ms;
    }

    @Override
    public void await(final long timeoutNs)
    {
        if (closed.get())
        {
            return;
        }
        final int n;
        if (nanoTimeouts)
        {
            toTimespec(timeoutNs, timespec);
            n = libc.epoll_pwait2(epollFd, events.addressOffset(), MAX_EVENTS, timespec.addressOffset(), 0);
        }
        else
        {
            n = libc.epoll_wait(epollFd, events.addressOffset(), MAX_EVENTS, toMillis(timeoutNs));
        }
        // n < 0 is EINTR (or a closed waiter): a spurious wake-up, which the caller tolerates.
        for (int i = 0; i < n; i++)
        {
            if (events.getLong(i * EVENT_SIZE + DATA_OFFSET) == eventFd)
            {
                libc.read(eventFd, drain.addressOffset(), 8);
            }
        }
    }

    @Override
    public void wake()
    {
        if (!closed.get())
        {
            // EAGAIN means the counter is saturated: the doorbell is rung already.
            libc.write(eventFd, ONE.addressOffset(), 8);
        }
    }

    /**
     * Closes the epoll and eventfd descriptors (not the watched ones). Idempotent. Stop threads that call
     * {@link #wake()} first: a wake racing with close could write to a reused descriptor number.
     */
    @Override
    public void close()
    {
        if (closed.compareAndSet(false, true))
        {
            libc.close(eventFd);
            libc.close(epollFd);
        }
    }
}
