package io.flowstack.tcp.tcb;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.concurrent.TimeUnit;

/**
 * The timers of all connections of a core in one Agrona timer wheel: one wheel timer per connection, at the
 * earliest deadline of its {@link TimerTable}.
 * <p>
 * A duty cycle asks {@link #poll} whether anything is due. The earliest deadline of all is kept exact while that is
 * cheap: a timer set earlier lowers it, a timer cancelled or moved that was not the earliest leaves it as it is.
 * While it is known, a poll before it returns at once, and the wheel is polled only once per tick to keep up (a
 * core spinning between the requests of a TCP_RR peer polls ten times per transaction; the wheel's scan of its
 * current tick took 6% of that core's time). Only a fired or cancelled earliest timer loses it; then the wheel is
 * polled every cycle, and the whole wheel is scanned for the new earliest at most once per tick, or when the core
 * is about to block ({@link #nextDeadline(long)}).
 */
final class TcpTimers
{
    private static final long TICK_NS = 1L << 20;
    private static final int TICKS_PER_WHEEL = 1024;
    private static final int MAX_FIRED_PER_POLL = 4096;

    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<TimerTable> byTimerId = new Long2ObjectHashMap<>();
    private final TimerTable[] fired = new TimerTable[MAX_FIRED_PER_POLL];
    private int firedCount;
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onExpiry;
    private final DeadlineTimerWheel.TimerConsumer findEarliest = this::findEarliest;
    private long earliest = Long.MAX_VALUE;
    private boolean earliestKnown = true;
    private long lastScanNs;

    TcpTimers(final long startNs)
    {
        wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startNs, TICK_NS, TICKS_PER_WHEEL);
        lastScanNs = startNs;
    }

    /**
     * Makes the wheel fire no later than the table's earliest deadline. A deadline that moved later keeps the
     * earlier wheel timer, which fires, finds nothing due and is set again.
     */
    void sync(final TimerTable t)
    {
        final long deadline = t.earliest();
        if (deadline == TimerTable.NONE)
        {
            cancel(t);
        }
        else if (deadline < t.wheelDeadline)
        {
            // The earliest of all moving earlier stays the earliest.
            final boolean wasEarliest = earliestKnown && t.wheelDeadline == earliest;
            cancel(t);
            t.wheelTimerId = wheel.scheduleTimer(deadline);
            t.wheelDeadline = deadline;
            byTimerId.put(t.wheelTimerId, t);
            if (wasEarliest || earliestKnown && deadline < earliest)
            {
                earliest = deadline;
                earliestKnown = true;
            }
        }
    }

    void cancel(final TimerTable t)
    {
        if (t.wheelTimerId != -1)
        {
            wheel.cancelTimer(t.wheelTimerId);
            byTimerId.remove(t.wheelTimerId);
            if (t.wheelDeadline <= earliest)
            {
                // The earliest of all may have gone with it; any other leaves the earliest where it was.
                earliestKnown = false;
            }
            t.wheelTimerId = -1;
            t.wheelDeadline = TimerTable.NONE;
        }
    }

    /**
     * Advances the wheel to now and collects the tables whose wheel timer expired.
     *
     * @return the number collected; {@link #fired(int)} gives them.
     */
    int poll(final long nowNs)
    {
        firedCount = 0;
        if (wheel.timerCount() == 0)
        {
            // Nothing scheduled: move the wheel's origin instead of walking the ticks of an idle spell.
            wheel.resetStartTime(nowNs);
            earliest = Long.MAX_VALUE;
            earliestKnown = true;
            return 0;
        }
        if (!earliestKnown && nowNs - lastScanNs >= TICK_NS)
        {
            scan(nowNs);
        }
        if (earliestKnown && nowNs < earliest && nowNs < wheel.currentTickTime())
        {
            // Nothing is due, and the wheel's current tick is not over: it is still polled once a tick, so that it
            // never has a long idle spell of ticks to walk when something is due.
            return 0;
        }
        // Each poll looks at the current tick and moves on once it is over: poll until the wheel has caught up
        // (a core that blocked has ticks to walk) or the batch is full.
        long tickBefore;
        do
        {
            tickBefore = wheel.currentTickTime();
            wheel.poll(nowNs, onExpiry, MAX_FIRED_PER_POLL - firedCount);
        }
        while (firedCount < MAX_FIRED_PER_POLL && wheel.timerCount() > 0 && wheel.currentTickTime() != tickBefore);
        if (firedCount > 0)
        {
            earliestKnown = false;
        }
        return firedCount;
    }

    TimerTable fired(final int i)
    {
        final TimerTable t = fired[i];
        fired[i] = null;
        return t;
    }

    private boolean onExpiry(final TimeUnit unit, final long nowNs, final long timerId)
    {
        final TimerTable t = byTimerId.remove(timerId);
        if (t != null)
        {
            t.wheelTimerId = -1;
            t.wheelDeadline = TimerTable.NONE;
            fired[firedCount++] = t;
        }
        return true;
    }

    /**
     * @param nowNs the core's time.
     * @return the earliest deadline of all connections, or {@link Long#MAX_VALUE}; scanned for here when not known,
     *         as the core asks before blocking.
     */
    long nextDeadline(final long nowNs)
    {
        if (wheel.timerCount() == 0)
        {
            return Long.MAX_VALUE;
        }
        if (!earliestKnown)
        {
            scan(nowNs);
        }
        return earliest;
    }

    private void scan(final long nowNs)
    {
        earliest = Long.MAX_VALUE;
        wheel.forEach(findEarliest);
        earliestKnown = true;
        lastScanNs = nowNs;
    }

    private void findEarliest(final long deadline, final long timerId)
    {
        if (deadline < earliest)
        {
            earliest = deadline;
        }
    }
}
