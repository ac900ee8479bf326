package io.flowstack.core.flow;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins against a map model (insert, move, delete with backward shift, capacity), and their place in the ownership
 * function: after rules and designation, before the table, for flows with ports only.
 */
class FlowPinsProperties
{
    private static final int TCP = 6;
    private static final int UDP = 17;

    @Property(tries = 200)
    void shouldAgreeWithAMapModel(@ForAll final long seed, @ForAll @IntRange(min = 1, max = 64) final int capacity)
    {
        final Random r = new Random(seed);
        final FlowPins pins = new FlowPins(capacity);
        final Map<List<Integer>, Integer> model = new HashMap<>();
        // Few distinct tuples, so that pins collide, move and go away often.
        for (int step = 0; step < 2000; step++)
        {
            final List<Integer> t = List.of(r.nextBoolean() ? TCP : UDP, r.nextInt(4), r.nextInt(3),
                r.nextInt(8), r.nextInt(2));
            if (r.nextInt(3) == 0)
            {
                assertEquals(model.remove(t) != null, pins.unpin(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4)));
            }
            else
            {
                final int core = r.nextInt(5);
                final boolean fits = model.containsKey(t) || model.size() < capacity;
                assertEquals(fits, pins.pin(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), core));
                if (fits)
                {
                    model.put(t, core);
                }
            }
            assertEquals(model.size(), pins.size());
            for (final Map.Entry<List<Integer>, Integer> e : model.entrySet())
            {
                final List<Integer> k = e.getKey();
                assertEquals(e.getValue(), pins.core(k.get(0), k.get(1), k.get(2), k.get(3), k.get(4)));
            }
        }
        final Map<List<Integer>, Integer> visited = new HashMap<>();
        pins.forEach((p, s, d, sp, dp, core) -> visited.put(List.of(p, s, d, sp, dp), core));
        assertEquals(model, visited);
    }

    @Test
    void shouldKeepPinnedFlowsWithTheirCoreAfterTheTableMoves()
    {
        final IndirectionTable all0 = new IndirectionTable(128);
        final IndirectionTable all1 = new IndirectionTable(128);
        for (int b = 0; b < 128; b++)
        {
            all1.set(b, 1);
        }
        final SteeringRules rules = new SteeringRules().add(new SteeringRule(TCP, 53, 2));
        final FlowOwnership o = new FlowOwnership(3, new ToeplitzHash(ToeplitzHash.microsoftKey()), all0, rules,
            new int[]{FlowOwnership.HASHED, 2}, new int[]{15, 15, 15});
        final int remote = 0xC612_0001;
        final int local = 0xC612_0002;
        assertTrue(o.pins().pin(TCP, remote, local, 40000, 80, 0));
        assertTrue(o.pins().pin(TCP, remote, local, 40001, 53, 0));
        o.reprogram(all1);
        assertEquals(0, o.ownerOfFlow(0, TCP, remote, local, 40000, 80), "pinned: stays");
        assertEquals(1, o.ownerOfFlow(0, TCP, remote, local, 40002, 80), "not pinned: moves");
        assertEquals(1, o.ownerOfFlow(0, UDP, remote, local, 40000, 80), "another protocol: not pinned");
        assertEquals(2, o.ownerOfFlow(0, TCP, remote, local, 40001, 53), "a rule comes first");
        assertEquals(2, o.ownerOfFlow(1, TCP, remote, local, 40000, 80), "so does the designation");
        assertEquals(1, o.ownerOfAddresses(0, TCP, remote, local), "fragments hash on addresses");
        assertFalse(o.withTable(all0).pins().size() > 0, "a copy with another table has no pins");
        // A pinned tuple's port is not handed out again to an outgoing flow towards the same peer.
        o.reprogram(all0);
        for (int i = 0; i < 200; i++)
        {
            final int port = o.selectLocalPort(0, 0, TCP, local, remote, 40000, 80, 80, i, p -> false);
            assertEquals(-1, port, "the only port in range is pinned");
        }
    }
}
