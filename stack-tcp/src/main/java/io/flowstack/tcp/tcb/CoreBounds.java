package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.TcpLimits;
import io.flowstack.tcp.buffer.BufferMemory;

/**
 * The bounds of one core's TCP ({@link TcpLimits}): how many connections it holds, how many out-of-order bytes
 * its connections keep, and the writers waiting for a ring of the core's buffer memory.
 */
final class CoreBounds
{
    private final ConnectionTable table;
    private final TcpLimits limits;
    private final BufferMemory memory;
    private final TcpCounters counters;
    /** Bytes this core's connections hold out of order. */
    private long outOfOrderBytes;
    /** Connections whose write found no ring, told when memory is given back ({@link #wakeMemoryWaiters()}). */
    private Tcb memoryWaiters;
    private long releasesSeen;

    CoreBounds(final ConnectionTable table, final TcpLimits limits, final BufferMemory memory,
        final TcpCounters counters)
    {
        this.table = table;
        this.limits = limits;
        this.memory = memory;
        this.counters = counters;
    }

    /** @return true if this core holds as many connections as it may ({@link TcpLimits#connections()}). */
    boolean full()
    {
        return table.size() >= limits.connections();
    }

    /** A write found no ring for its bytes: the application hears {@code onWritable} once memory is given back. */
    void waitForMemory(final Tcb tcb)
    {
        if (!tcb.waitingForMemory)
        {
            tcb.waitingForMemory = true;
            tcb.nextMemoryWaiter = memoryWaiters;
            memoryWaiters = tcb;
        }
    }

    /**
     * Rings were given back since the waiting writers last tried: each may try again (one that still finds none
     * waits again, until the next ring is given back).
     *
     * @return true if some were told (their events are pending).
     */
    boolean wakeMemoryWaiters()
    {
        if (memoryWaiters == null || memory.releases() == releasesSeen)
        {
            return false;
        }
        releasesSeen = memory.releases();
        Tcb tcb = memoryWaiters;
        memoryWaiters = null;
        while (tcb != null)
        {
            final Tcb next = tcb.nextMemoryWaiter;
            tcb.nextMemoryWaiter = null;
            tcb.waitingForMemory = false;
            if (!tcb.closed)
            {
                tcb.wantWritable = false;
                tcb.signal(Tcb.EV_WRITABLE);
            }
            tcb = next;
        }
        return true;
    }

    /**
     * The out-of-order bytes of a connection changed (text arrived, a gap filled): the core's total follows.
     */
    void outOfOrderChanged(final Tcb tcb)
    {
        final int now = tcb.rcv.buffer.outOfOrderBytes();
        final int delta = now - tcb.rcv.outOfOrderBytes;
        if (delta != 0)
        {
            tcb.rcv.outOfOrderBytes = now;
            outOfOrderBytes += delta;
            counters.outOfOrderBytes.setOrdered(outOfOrderBytes);
        }
    }

    /**
     * @param tcb    a connection.
     * @param length bytes of an out-of-order segment.
     * @return true if holding them would pass the connection's or the core's bound of out-of-order bytes.
     */
    boolean outOfOrderFull(final Tcb tcb, final int length)
    {
        final int perConnection = limits.outOfOrderPerConnection();
        return perConnection > 0 && tcb.rcv.outOfOrderBytes + length > perConnection
            || outOfOrderBytes + length > limits.outOfOrderPerCore();
    }
}
