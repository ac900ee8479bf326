package io.flowstack.tcp.tcb;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.concurrent.TimeUnit;

/**
 * The timers of all connections of a core in one Agrona timer wheel: one wheel timer per connection, at the
 * earliest deadline of its {@link TimerTable}. The wheel advances every duty cycle; the earliest deadline of all
 * is computed only when the core is about to block ({@link #nextDeadline()}), not after every timer that fires.
 */
final class TcpTimers
{
    private static final long TICK_NS = 1L << 20;
    private static final int TICKS_PER_WHEEL = 1024;
    private static final int MAX_FIRED_PER_POLL = 4096;

    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Tcb> byTimerId = new Long2ObjectHashMap<>();
    private final Tcb[] fired = new Tcb[MAX_FIRED_PER_POLL];
    private int firedCount;
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onExpiry;
    private final DeadlineTimerWheel.TimerConsumer findEarliest = this::findEarliest;
    private long earliest = Long.MAX_VALUE;
    private boolean earliestKnown;

    TcpTimers(final long startNs)
    {
        wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startNs, TICK_NS, TICKS_PER_WHEEL);
    }

    /**
     * Makes the wheel fire no later than the connection's earliest deadline. A deadline that moved later keeps the
     * earlier wheel timer, which fires, finds nothing due and is set again.
     */
    void sync(final Tcb tcb)
    {
        final TimerTable t = tcb.timers;
        final long deadline = tcb.closed ? TimerTable.NONE : t.earliest();
        if (deadline == TimerTable.NONE)
        {
            cancel(tcb);
        }
        else if (deadline < t.wheelDeadline)
        {
            cancel(tcb);
            t.wheelTimerId = wheel.scheduleTimer(deadline);
            t.wheelDeadline = deadline;
            byTimerId.put(t.wheelTimerId, tcb);
            if (earliestKnown && deadline < earliest)
            {
                earliest = deadline;
            }
        }
    }

    void cancel(final Tcb tcb)
    {
        final TimerTable t = tcb.timers;
        if (t.wheelTimerId != -1)
        {
            wheel.cancelTimer(t.wheelTimerId);
            byTimerId.remove(t.wheelTimerId);
            t.wheelTimerId = -1;
            t.wheelDeadline = TimerTable.NONE;
            earliestKnown = false;
        }
    }

    /**
     * Advances the wheel to now and collects the connections whose wheel timer expired.
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
            return 0;
        }
        // Each poll looks at the current tick and moves on once it is over: poll until the wheel has caught up
        // (a core that blocked for a while has ticks to walk) or the batch is full.
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

    Tcb fired(final int i)
    {
        final Tcb t = fired[i];
        fired[i] = null;
        return t;
    }

    private boolean onExpiry(final TimeUnit unit, final long nowNs, final long timerId)
    {
        final Tcb tcb = byTimerId.remove(timerId);
        if (tcb != null)
        {
            tcb.timers.wheelTimerId = -1;
            tcb.timers.wheelDeadline = TimerTable.NONE;
            fired[firedCount++] = tcb;
        }
        return true;
    }

    /**
     * @return the earliest deadline of all connections, or {@link Long#MAX_VALUE}; computed here, when the core
     *         asks before blocking.
     */
    long nextDeadline()
    {
        if (wheel.timerCount() == 0)
        {
            return Long.MAX_VALUE;
        }
        if (!earliestKnown)
        {
            earliest = Long.MAX_VALUE;
            wheel.forEach(findEarliest);
            earliestKnown = true;
        }
        return earliest;
    }

    private void findEarliest(final long deadline, final long timerId)
    {
        if (deadline < earliest)
        {
            earliest = deadline;
        }
    }
}
