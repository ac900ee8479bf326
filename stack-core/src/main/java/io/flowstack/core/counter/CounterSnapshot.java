package io.flowstack.core.counter;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The values of every flowstack counter ({@link CounterSet#TYPE_ID}) in a {@link CountersReader} at one moment,
 * by core and label. For tools (it allocates); the stack itself never reads one.
 * <p>
 * Values are read one by one while the cores keep counting, so a snapshot is not atomic across counters; each
 * value on its own is exact.
 */
public final class CounterSnapshot
{
    /**
     * How a counter is declared, as its key records it.
     *
     * @param kind total or gauge.
     * @param unit what it counts, or "" when not declared.
     */
    public record Declaration(CounterKind kind, String unit)
    {
    }

    private static final Declaration UNDECLARED = new Declaration(CounterKind.TOTAL, "");

    private final long timeMs;
    private final Map<Integer, Map<String, Long>> byCore;
    private final Set<String> labels;
    private final Map<String, Declaration> declarations;

    private CounterSnapshot(final long timeMs, final Map<Integer, Map<String, Long>> byCore, final Set<String> labels,
        final Map<String, Declaration> declarations)
    {
        this.timeMs = timeMs;
        this.byCore = byCore;
        this.labels = labels;
        this.declarations = declarations;
    }

    /**
     * Reads all flowstack counters now.
     *
     * @param reader the counters, for example {@link CountersFile#reader()}.
     * @return the snapshot, stamped with the current epoch time.
     */
    public static CounterSnapshot of(final CountersReader reader)
    {
        final Map<Integer, Map<String, Long>> byCore = new TreeMap<>();
        final Set<String> labels = new LinkedHashSet<>();
        final Map<String, Declaration> declarations = new LinkedHashMap<>();
        final long now = System.currentTimeMillis();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == CounterSet.TYPE_ID)
            {
                final int core = keyBuffer.getInt(CounterSet.KEY_CORE_OFFSET);
                declarations.computeIfAbsent(label, l -> declaration(keyBuffer));
                final long value = reader.getCounterValue(counterId);
                byCore.computeIfAbsent(core, c -> new LinkedHashMap<>()).merge(label, value, Long::sum);
                labels.add(label);
            }
        });
        final Map<Integer, Map<String, Long>> frozen = new TreeMap<>();
        byCore.forEach((core, values) -> frozen.put(core, Collections.unmodifiableMap(values)));
        return new CounterSnapshot(now, Collections.unmodifiableMap(frozen), Collections.unmodifiableSet(labels),
            Collections.unmodifiableMap(declarations));
    }

    /** The kind and unit a writer put in a counter's key; a key it cannot read counts as an undeclared total. */
    private static Declaration declaration(final DirectBuffer key)
    {
        final int kind = key.getInt(CounterSet.KEY_KIND_OFFSET);
        final int unitLength = key.getInt(CounterSet.KEY_UNIT_OFFSET);
        if (kind < 0 || kind >= CounterKind.values().length || unitLength < 0
            || unitLength > CounterSet.MAX_UNIT_LENGTH)
        {
            return UNDECLARED;
        }
        return new Declaration(CounterKind.values()[kind], key.getStringAscii(CounterSet.KEY_UNIT_OFFSET));
    }

    /**
     * @param label a counter label.
     * @return how it is declared (an undeclared total for an unknown label).
     */
    public Declaration declaration(final String label)
    {
        return declarations.getOrDefault(label, UNDECLARED);
    }

    /**
     * @return epoch milliseconds at which the snapshot was taken.
     */
    public long timeMs()
    {
        return timeMs;
    }

    /**
     * @return the core ids that have counters, ascending.
     */
    public Set<Integer> cores()
    {
        return byCore.keySet();
    }

    /**
     * @param core a core id.
     * @return that core's counters, label to value, in allocation order; empty for an unknown core.
     */
    public Map<String, Long> core(final int core)
    {
        return byCore.getOrDefault(core, Map.of());
    }

    /**
     * @param core  a core id.
     * @param label a counter label.
     * @return whether that core has a counter of that label.
     */
    public boolean has(final int core, final String label)
    {
        return core(core).containsKey(label);
    }

    /**
     * @param core  a core id.
     * @param label a counter label.
     * @return the counter's value, or 0 when that core has no such counter.
     */
    public long value(final int core, final String label)
    {
        return core(core).getOrDefault(label, 0L);
    }

    /**
     * @param label a counter label.
     * @return the sum over all cores.
     */
    public long total(final String label)
    {
        long sum = 0;
        for (final Map<String, Long> values : byCore.values())
        {
            sum += values.getOrDefault(label, 0L);
        }
        return sum;
    }

    /**
     * @return every label seen on any core, in first-allocation order.
     */
    public Set<String> labels()
    {
        return labels;
    }

    @Override
    public boolean equals(final Object o)
    {
        // Same counters with the same values; the time stamp does not count.
        return o instanceof CounterSnapshot && ((CounterSnapshot)o).byCore.equals(byCore);
    }

    @Override
    public int hashCode()
    {
        return byCore.hashCode();
    }

    @Override
    public String toString()
    {
        return "CounterSnapshot" + byCore;
    }
}
