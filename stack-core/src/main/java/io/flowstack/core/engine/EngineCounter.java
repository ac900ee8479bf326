package io.flowstack.core.engine;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of a core's engine: frames and bytes through its devices, frames forwarded between cores, commands,
 * device queues that failed. All are totals.
 */
public enum EngineCounter implements CounterDescriptor
{
    /** Frames read from this core's device queues. */
    FRAMES_IN("engine.frames_in", "frames"),
    /** Frames handed to a device to send. */
    FRAMES_OUT("engine.frames_out", "frames"),
    /** Bytes of the frames read (Ethernet header included; a large received segment counts whole). */
    BYTES_IN("engine.bytes_in", "bytes"),
    /** Bytes of the frames sent (Ethernet header included; a TSO segment counts whole). */
    BYTES_OUT("engine.bytes_out", "bytes"),
    /** Frames another core forwarded to this one (it owns their flows). */
    FORWARDED_IN("engine.forwarded_in", "frames"),
    /** Frames this core forwarded to their owner. */
    FORWARDED_OUT("engine.forwarded_out", "frames"),
    /** Frames dropped because the owner's ring was full. */
    RING_DROPS("engine.ring_drops", "frames"),
    /** Commands run from other threads. */
    COMMANDS("engine.commands", "commands"),
    /** Applications' tasks that threw (the cycle goes on). */
    COMMAND_FAILURES("engine.command_failures", "commands"),
    /** Device queues that failed and were taken out of the cycle. */
    QUEUES_FAILED("engine.queues_failed", "queues"),
    /** Frames dropped because the interface they were for has no device left. */
    TX_NO_DEVICE("engine.tx_no_device", "frames"),
    /** Control messages between cores dropped because a ring was full. */
    CONTROL_DROPS("engine.control_drops", "messages");

    private final String label;
    private final String unit;

    EngineCounter(final String label, final String unit)
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
