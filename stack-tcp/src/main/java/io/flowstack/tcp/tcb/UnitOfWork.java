package io.flowstack.tcp.tcb;

/**
 * A core's TCP works in units: one arriving segment, the timers due in one duty cycle, or one application call made
 * from outside such a unit. While a unit runs, the connections it touches collect events and owed replies; when
 * the outermost unit ends, each of them delivers its events to the application ({@link AppEvents}), sends what it
 * may ({@link Transmitter}, stamped with the time it leaves) and sets its wheel timer. So callbacks never run in
 * the middle of a transition, and an answer the application writes in a callback carries the ACK of the segment it
 * answers.
 */
final class UnitOfWork
{
    private final TcpLayer layer;
    private final TcpTimers timers;
    private int depth;
    private Tcb pendingHead;
    private Tcb pendingTail;

    UnitOfWork(final TcpLayer layer, final TcpTimers timers)
    {
        this.layer = layer;
        this.timers = timers;
    }

    /** Starts a unit of work, or joins the one running. */
    void enter()
    {
        depth++;
    }

    /** Ends a unit of work: the outermost exit settles every connection touched. */
    void exit()
    {
        if (depth > 1)
        {
            depth--;
            return;
        }
        try
        {
            settle();
        }
        finally
        {
            depth = 0;
        }
    }

    /** Marks a connection as having work for the end of the unit (events, output, timers). */
    void touch(final Tcb tcb)
    {
        if (tcb.pending)
        {
            return;
        }
        tcb.pending = true;
        tcb.nextPending = null;
        if (pendingTail == null)
        {
            pendingHead = tcb;
        }
        else
        {
            pendingTail.nextPending = tcb;
        }
        pendingTail = tcb;
    }

    private void settle()
    {
        do
        {
            Tcb tcb;
            while ((tcb = pendingHead) != null)
            {
                pendingHead = tcb.nextPending;
                if (pendingHead == null)
                {
                    pendingTail = null;
                }
                tcb.nextPending = null;
                tcb.pending = false;
                AppEvents.deliver(tcb);
                Transmitter.output(tcb, layer.transmitTime());
                timers.sync(tcb);
            }
        }
        while (layer.bounds.wakeMemoryWaiters() && pendingHead != null);
    }
}
