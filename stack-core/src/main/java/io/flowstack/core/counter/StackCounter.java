package io.flowstack.core.counter;

/**
 * Counters that several layers of a core add to.
 */
public enum StackCounter implements CounterDescriptor
{
    /** Every received frame discarded, by whichever layer, whatever the reason (each reason counts on its own too). */
    RX_DROPS("rx.drops", CounterKind.TOTAL, "frames"),
    /** Flows (UDP endpoints, TCP connections) this core holds now. */
    FLOWS_OWNED("flows.owned", CounterKind.GAUGE, "flows");

    private final String label;
    private final CounterKind kind;
    private final String unit;

    StackCounter(final String label, final CounterKind kind, final String unit)
    {
        this.label = label;
        this.kind = kind;
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
        return kind;
    }

    @Override
    public String unit()
    {
        return unit;
    }
}
