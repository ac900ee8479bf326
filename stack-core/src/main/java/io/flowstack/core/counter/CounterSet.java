package io.flowstack.core.counter;

import org.agrona.concurrent.status.AtomicCounter;

import java.util.HashMap;
import java.util.Map;
import org.agrona.concurrent.status.CountersManager;

/**
 * The counters of one core, allocated from an Agrona {@link CountersManager} whose buffers may live in a
 * memory-mapped file that another process reads. Each counter's key holds the core id; its label is the
 * counter's name, e.g. {@code ipv4.rx.bad_checksum}. Counters are single-writer (the core's thread), so
 * updates use ordered (release) stores, not atomic read-modify-write.
 */
public final class CounterSet
{
    /** Type id of every flowstack counter in the manager. */
    public static final int TYPE_ID = 1001;
    /** Label of the counter every layer adds to when it discards a received frame, whatever the reason. */
    public static final String RX_DROPS = StackCounter.RX_DROPS.label();
    /** Where a counter's key holds the owning core (an int). */
    public static final int KEY_CORE_OFFSET = 0;
    /** Where a counter's key holds its {@link CounterKind} (an int, the ordinal). */
    public static final int KEY_KIND_OFFSET = 4;
    /** Where a counter's key holds its unit (an int length, then ASCII). */
    public static final int KEY_UNIT_OFFSET = 8;
    /** Longest unit kept in a key. */
    public static final int MAX_UNIT_LENGTH = 32;

    private final int coreId;
    private final CountersManager manager;
    private final Map<String, AtomicCounter> byName = new HashMap<>();

    /**
     * @param coreId  the owning core, stored in each counter's key.
     * @param manager where counters are allocated.
     */
    public CounterSet(final int coreId, final CountersManager manager)
    {
        this.coreId = coreId;
        this.manager = manager;
    }

    /**
     * A private, in-memory set: for tests and for embedded stacks that publish nothing.
     *
     * @param coreId the owning core.
     * @return a new set with room for 1024 counters.
     */
    public static CounterSet inMemory(final int coreId)
    {
        return new CounterSet(coreId, CountersFactory.inMemory(1024));
    }

    /**
     * Finds or allocates a declared counter: layers that ask for the same one share it (for example the total of
     * received frames dropped). Its key holds the core, the kind and the unit, for readers in other processes.
     * Called at construction time only, never per packet.
     *
     * @param descriptor the counter as its layer declares it.
     * @return the counter.
     */
    public AtomicCounter counter(final CounterDescriptor descriptor)
    {
        return allocate(descriptor.label(), descriptor.kind(), descriptor.unit());
    }

    /**
     * Finds or allocates a total with no declared unit by label: for an application's own counters.
     *
     * @param name dotted name, layer first.
     * @return the counter.
     */
    public AtomicCounter counter(final String name)
    {
        return allocate(name, CounterKind.TOTAL, "");
    }

    private AtomicCounter allocate(final String label, final CounterKind kind, final String unit)
    {
        final String u = unit.length() > MAX_UNIT_LENGTH ? unit.substring(0, MAX_UNIT_LENGTH) : unit;
        return byName.computeIfAbsent(label, n -> manager.newCounter(n, TYPE_ID, key ->
        {
            key.putInt(KEY_CORE_OFFSET, coreId);
            key.putInt(KEY_KIND_OFFSET, kind.ordinal());
            key.putStringAscii(KEY_UNIT_OFFSET, u);
        }));
    }

    /**
     * @param name a counter name.
     * @return its current value, or -1 if no counter of that name exists (for tests and diagnostics).
     */
    public long get(final String name)
    {
        final AtomicCounter c = byName.get(name);
        return c == null ? -1 : c.get();
    }

    /**
     * @return the owning core.
     */
    public int coreId()
    {
        return coreId;
    }

    /**
     * @return the manager counters come from.
     */
    public CountersManager manager()
    {
        return manager;
    }
}
