package io.flowstack.ip.link;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of a core's Ethernet input ({@link EthernetLink}). All are totals.
 */
public enum EthernetCounter implements CounterDescriptor
{
    /** Frames that reached the stack. */
    RX_FRAMES("eth.rx.frames", "frames"),
    /** Frames shorter than an Ethernet header. */
    RX_TRUNCATED("eth.rx.truncated", "frames"),
    /** Frames for another MAC address. */
    RX_NOT_FOR_US("eth.rx.not_for_us", "frames"),
    /** Frames of an EtherType the stack does not speak. */
    RX_UNKNOWN_TYPE("eth.rx.unknown_type", "frames"),
    /** Frames from an interface the stack does not know. */
    RX_NO_INTERFACE("eth.rx.no_interface", "frames");

    private final String label;
    private final String unit;

    EthernetCounter(final String label, final String unit)
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
