package io.flowstack.tcp.tcb;

import io.flowstack.tcp.buffer.BufferMemory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receive buffer's auto-tuning while holes are open (Linux 6.16's tcp_rcvbuf_grow from tcp_data_queue_ofo):
 * twice what the application read in the last round trip, plus the out-of-order span held beyond the hole.
 */
class ReceiveWindowGrowthTest
{
    private static final int IRS = 1000;
    private static final long RTT = 100_000_000L;
    private final UnsafeBuffer data = new UnsafeBuffer(new byte[1 << 16]);

    @Test
    void outOfOrderDataBeyondTheHoleGrowsTheBufferPastWhatTheReadRateAlone()
    {
        final Receiver rcv = receiver(1 << 20);
        // A round trip in which the application read 10,000 bytes, an initial window's worth: the read rule does not
        // grow the buffer for it.
        rcv.onRead(0, 0, RTT);
        assertEquals(10_000, rcv.buffer.offer(IRS + 1, data, 0, 10_000));
        rcv.buffer.skip(10_000);
        rcv.onRead(10_000, RTT + 1, RTT);
        assertEquals(1 << 16, rcv.buffer.capacity());
        // A hole at 10,001, and 60,000 bytes held beyond it: 2 x 10,000 + 61,000 bytes wanted.
        assertEquals(0, rcv.buffer.offer(IRS + 10_001 + 1000, data, 0, 60_000));
        rcv.onOutOfOrder();
        assertEquals(1 << 17, rcv.buffer.capacity(), "the window covers the out-of-order span too");
        assertTrue(rcv.buffer.window() > 80_000);
    }

    @Test
    void theSmallestRoundTripSizesTheBuffer()
    {
        final Receiver rcv = new Receiver(1 << 16, BufferMemory.unbounded());
        rcv.rttSample(3_000_000L);
        rcv.rttSample(2_000_000L);
        rcv.rttSample(9_000_000L);
        rcv.rttSample(0);
        assertEquals(2_000_000L, rcv.minRttNs, "a queue's longer samples do not count");
    }

    @Test
    void aSampleCountsFromWhenTheTimestampClockShowedTheEchoedValue()
    {
        // The echoed value names a 1 ms tick of our clock; the time since the tick began bounds the round trip from
        // above, to the nanosecond, where the difference of ticks says 0 or 1 ms for 0.3 ms.
        final TcpLayer tcp = new TcpScript().tcp;
        final long base = tcp.now();
        final int echoed = tcp.tsClock(base);
        final long intoTick = tcp.sinceTick(base, echoed);
        assertTrue(intoTick >= 0 && intoTick < 1_000_000L, "into the tick: " + intoTick);
        assertEquals(intoTick + 300_000L, tcp.sinceTick(base + 300_000L, echoed));
        assertEquals(intoTick + 2_500_000L, tcp.sinceTick(base + 2_500_000L, echoed));
    }

    @Test
    void belowAMillisecondSlowStartGrowsTheBufferOnlyInProportion()
    {
        // 100 us round trips, 100,000 bytes read in one against the initial window's 10,000: twice that plus 16
        // segments is 216,000 bytes, and a tenth more for growth (slow start's rule would add eighteen times as
        // much: megabytes). The buffer goes to 256 KiB, not 4 MiB.
        final Receiver rcv = receiver(1 << 23);
        rcv.rttSample(100_000L);
        rcv.onRead(0, 0, 0);
        rcv.onRead(100_000, 100_000L, 0);
        assertEquals(1 << 18, rcv.buffer.capacity());
    }

    @Test
    void aFixedBufferDoesNotGrow()
    {
        final Receiver rcv = receiver(0);
        assertEquals(0, rcv.buffer.offer(IRS + 1001, data, 0, 60_000));
        rcv.onOutOfOrder();
        assertEquals(1 << 16, rcv.buffer.capacity());
    }

    /**
     * A receiver with a 64 KiB buffer and a 1000-byte MSS at IRS.
     *
     * @param maxBuffer how far auto-tuning may grow it; 0 for a fixed buffer.
     */
    private static Receiver receiver(final int maxBuffer)
    {
        final Receiver rcv = new Receiver(1 << 16, BufferMemory.unbounded());
        rcv.mss = 1000;
        rcv.maxBuffer = maxBuffer;
        rcv.buffer.reset(IRS);
        return rcv;
    }
}
