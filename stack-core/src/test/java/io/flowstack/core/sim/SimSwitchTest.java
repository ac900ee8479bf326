package io.flowstack.core.sim;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SimSwitchTest
{
    private static final long A = 0x02_00_00_00_00_0AL;
    private static final long B = 0x02_00_00_00_00_0BL;
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private final List<List<Long>> received = new ArrayList<>();

    private static UnsafeBuffer frame(final long destination, final long source)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[60]);
        b.putShort(0, (short)(destination >>> 32), ByteOrder.BIG_ENDIAN);
        b.putInt(2, (int)destination, ByteOrder.BIG_ENDIAN);
        b.putShort(6, (short)(source >>> 32), ByteOrder.BIG_ENDIAN);
        b.putInt(8, (int)source, ByteOrder.BIG_ENDIAN);
        b.putShort(12, (short)0x0806, ByteOrder.BIG_ENDIAN);
        return b;
    }

    @Test
    void shouldFloodUnknownAndBroadcastThenForwardLearnedAddresses()
    {
        final Simulator sim = new Simulator(7);
        final SimSwitch sw = sim.addSwitch("sw");
        final SimLink[] in = new SimLink[3];
        for (int p = 0; p < 3; p++)
        {
            final List<Long> mine = new ArrayList<>();
            received.add(mine);
            final int port = sw.attach("h" + p, (now, buffer, offset, length) ->
                mine.add((buffer.getShort(6, ByteOrder.BIG_ENDIAN) & 0xFFFFL) << 32 | (buffer.getInt(8, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL)),
                FaultProfile.parse("delay=1ms"));
            in[p] = sw.inLink(port, FaultProfile.parse("delay=1ms"));
        }
        // A broadcasts: everyone else hears it, the switch learns A on port 0.
        final UnsafeBuffer fromA = frame(BROADCAST, A);
        sim.schedule(0, () -> in[0].offer(sim.now(), fromA, 0, 60));
        sim.runFor(10_000_000L);
        assertEquals(List.of(), received.get(0));
        assertEquals(List.of(A), received.get(1));
        assertEquals(List.of(A), received.get(2));
        assertEquals(0, sw.portOf(A));
        // B answers A by unicast: only port 0 gets it.
        final UnsafeBuffer fromB = frame(A, B);
        sim.schedule(sim.now(), () -> in[1].offer(sim.now(), fromB, 0, 60));
        sim.runFor(10_000_000L);
        assertEquals(List.of(B), received.get(0));
        assertEquals(List.of(A), received.get(2));
        assertEquals(1, sw.forwarded());
        assertEquals(1, sw.flooded());
        // A to B, now known: forwarded, not flooded.
        final UnsafeBuffer aToB = frame(B, A);
        sim.schedule(sim.now(), () -> in[0].offer(sim.now(), aToB, 0, 60));
        sim.runFor(10_000_000L);
        assertEquals(List.of(A, A), received.get(1));
        assertEquals(List.of(A), received.get(2));
        assertEquals(2, sw.forwarded());
    }
}
