package io.flowstack.core.counter;

/**
 * A counter as a layer declares it, once: its label (dotted, layer first, e.g. {@code ipv4.rx.bad_checksum}),
 * whether it is a total or a gauge, and the unit it counts. Each layer lists its counters in an enum implementing
 * this, and allocates them with {@link CounterSet#counter(CounterDescriptor)}; the kind and unit travel with the
 * counter (in its key), so {@code flowstack stat} shows them from another process.
 */
public interface CounterDescriptor
{
    /**
     * @return the counter's label, e.g. {@code engine.frames_in}.
     */
    String label();

    /**
     * @return total or gauge.
     */
    CounterKind kind();

    /**
     * @return what one unit of the value is, plural, e.g. {@code frames}, {@code bytes}, {@code segments}.
     */
    String unit();
}
