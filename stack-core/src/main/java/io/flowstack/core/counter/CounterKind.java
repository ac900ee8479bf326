package io.flowstack.core.counter;

/**
 * What a counter's value means over time.
 */
public enum CounterKind
{
    /** Only grows: events or bytes since the start; its difference over an interval is a rate. */
    TOTAL,
    /** Goes up and down: how many of something there are now (flows owned, entries held). */
    GAUGE;

    /**
     * @return the name tools print: "total" or "gauge".
     */
    public String label()
    {
        return this == TOTAL ? "total" : "gauge";
    }
}
