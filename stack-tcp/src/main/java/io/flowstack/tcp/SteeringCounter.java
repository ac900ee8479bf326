package io.flowstack.tcp;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of reprogramming the indirection table (TableHandover). All are totals.
 */
public enum SteeringCounter implements CounterDescriptor
{
    /** Live connections pinned to their core because a new table would move them. */
    PINNED("steering.pinned", "connections"),
    /** Connections pinned late: opened during a handover. */
    LATE_PINS("steering.late_pins", "connections"),
    /** Pins or table updates the kernel's steering program refused. */
    KERNEL_REFUSED("steering.kernel_refused", "updates"),
    /** Reprogrammings completed. */
    HANDOVERS("steering.handovers", "handovers");

    private final String label;
    private final String unit;

    SteeringCounter(final String label, final String unit)
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
