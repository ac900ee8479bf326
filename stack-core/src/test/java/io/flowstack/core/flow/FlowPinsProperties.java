package io.flowstack.core.flow;

import io.flowstack.core.wire.AddressBits;
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
 * Pins against a map model (insert, move, delete with backward shift, capacity), over addresses of both families
 * that share their low or high halves, and their place in the ownership function: after rules and designation,
 * before the table, for flows with ports only, IPv4 and IPv6 alike.
 */
class FlowPinsProperties
{
    private static final int TCP = 6;
    private static final int UDP = 17;
    /** High halves: IPv4-mapped, 2001:2::/64, another /64; low halves shared between them. */
    private static final long[] HIGHS = {0, 0x2001_0002_0000_0000L, 0x2001_0002_0000_0001L};
    private static final long[] LOWS = {AddressBits.ipv4Low(0xC612_0001), AddressBits.ipv4Low(0xC612_0002), 1, 2};

    @Property(tries = 200)
    void shouldAgreeWithAMapModel(@ForAll final long seed, @ForAll @IntRange(min = 1, max = 64) final int capacity)
    {
        final Random r = new Random(seed);
        final FlowPins pins = new FlowPins(capacity);
        // Few distinct tuples, so that pins collide, move and go away often.
        final Map<List<Long>, Integer> model = new HashMap<>();
        for (int step = 0; step < 2000; step++)
        {
            final List<Long> t = List.of((long)(r.nextBoolean() ? TCP : UDP), HIGHS[r.nextInt(3)], LOWS[r.nextInt(4)],
                HIGHS[r.nextInt(3)], LOWS[r.nextInt(4)], (long)r.nextInt(8), (long)r.nextInt(2));
            final int protocol = t.get(0).intValue();
            final int sourcePort = t.get(5).intValue();
            final int destinationPort = t.get(6).intValue();
            if (r.nextInt(3) == 0)
            {
                assertEquals(model.remove(t) != null,
                    pins.unpin(protocol, t.get(1), t.get(2), t.get(3), t.get(4), sourcePort, destinationPort));
            }
            else
            {
                final int core = r.nextInt(5);
                final boolean fits = model.containsKey(t) || model.size() < capacity;
                assertEquals(fits,
                    pins.pin(protocol, t.get(1), t.get(2), t.get(3), t.get(4), sourcePort, destinationPort, core));
                if (fits)
                {
                    model.put(t, core);
                }
            }
            assertEquals(model.size(), pins.size());
            for (final Map.Entry<List<Long>, Integer> e : model.entrySet())
            {
                final List<Long> k = e.getKey();
                assertEquals(e.getValue(), pins.core(k.get(0).intValue(), k.get(1), k.get(2), k.get(3), k.get(4),
                    k.get(5).intValue(), k.get(6).intValue()));
            }
        }
        final Map<List<Long>, Integer> visited = new HashMap<>();
        pins.forEach((p, sh, sl, dh, dl, sp, dp, core) ->
            visited.put(List.of((long)p, sh, sl, dh, dl, (long)sp, (long)dp), core));
        assertEquals(model, visited);
    }

    @Test
    void shouldFindAnIpv4PinByItsIntsAndItsMappedForm()
    {
        final FlowPins pins = new FlowPins(4);
        assertTrue(pins.pin(TCP, 0xC612_0001, 0xC612_0002, 40000, 80, 3));
        assertEquals(3, pins.core(TCP, 0, AddressBits.ipv4Low(0xC612_0001), 0, AddressBits.ipv4Low(0xC612_0002),
            40000, 80));
        assertEquals(-1, pins.core(TCP, 0, 0xC612_0001L, 0, 0xC612_0002L, 40000, 80), "::198.18.0.1 is not IPv4");
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
        final long rh = 0x2001_0002_0000_0000L;
        final long rl = 1;
        final long lh = rh;
        final long ll = 2;
        assertTrue(o.pins().pin(TCP, remote, local, 40000, 80, 0));
        assertTrue(o.pins().pin(TCP, remote, local, 40001, 53, 0));
        assertTrue(o.pins().pin(TCP, rh, rl, lh, ll, 40000, 80, 0));
        assertTrue(o.pins().pin(TCP, rh, rl, lh, ll, 40001, 53, 0));
        o.reprogram(all1);
        assertEquals(0, o.ownerOfFlow6(0, TCP, rh, rl, lh, ll, 40000, 80), "IPv6 pinned: stays");
        assertEquals(1, o.ownerOfFlow6(0, TCP, rh, rl, lh, ll, 40002, 80), "IPv6 not pinned: moves");
        assertEquals(1, o.ownerOfFlow6(0, UDP, rh, rl, lh, ll, 40000, 80), "IPv6, another protocol: not pinned");
        assertEquals(1, o.ownerOfFlow6(0, TCP, 0, rl, 0, ll, 40000, 80), "the high halves count");
        assertEquals(2, o.ownerOfFlow6(0, TCP, rh, rl, lh, ll, 40001, 53), "IPv6: a rule comes first");
        assertEquals(2, o.ownerOfFlow6(1, TCP, rh, rl, lh, ll, 40000, 80), "IPv6: so does the designation");
        assertEquals(1, o.ownerOfAddresses6(0, TCP, rh, rl, lh, ll), "IPv6 fragments hash on addresses");
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
            assertEquals(-1, o.selectLocalPort6(0, 0, TCP, lh, ll, rh, rl, 40000, 80, 80, i, p -> false),
                "the only IPv6 port in range is pinned");
        }
    }
}
