package io.flowstack.tcp.socket;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of the blocking socket API on one core. All are totals.
 */
public enum SocketCounter implements CounterDescriptor
{
    /** Connections refused with RST because a {@link FlowServerSocket}'s accept queue was full. */
    ACCEPT_QUEUE_OVERFLOWS("tcp.accept_queue.overflows", "connections");

    private final String label;
    private final String unit;

    SocketCounter(final String label, final String unit)
    {
        this.label = label;
        this.unit = unit;
    }

    @Override
    public String label()
    {
        return label;
    }

    @Override
    public CounterKind kind()
    {
        return CounterKind.TOTAL;
    }

    @Override
    public String unit()
    {
        return unit;
    }
}
