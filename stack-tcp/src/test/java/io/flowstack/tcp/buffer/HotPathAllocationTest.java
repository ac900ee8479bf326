package io.flowstack.tcp.buffer;

import io.flowstack.tcp.rtt.RttEstimator;

import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.ip.wire.TcpOptions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-segment building blocks allocate nothing (DESIGN.md, "The per-core engine"): parsing and emitting a
 * header with options, and moving data through the send and receive buffers, out of order included. Measured
 * as in stack-ip's ZeroAllocationTest: the thread's allocated-bytes counter over many rounds after a warm-up,
 * less the cost of reading the counter, best of a few windows.
 */
class HotPathAllocationTest
{
    private static final int ROUNDS = 10_000;
    private static final long NOISE_BYTES = 1024;
    private static final int WINDOWS = 5;

    private final TcpFlyweight tcp = new TcpFlyweight();
    private final TcpOptions options = new TcpOptions();
    private final UnsafeBuffer segment = new UnsafeBuffer(new byte[1500]);
    private final UnsafeBuffer data = new UnsafeBuffer(new byte[1460]);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
    private final SendBuffer send = new SendBuffer(1 << 16);
    private final ReceiveBuffer receive = new ReceiveBuffer(1 << 16, 8);
    private final RttEstimator rtt = new RttEstimator(200_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L);
    private long sink;

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private void round(final int i)
    {
        // Build a data segment with timestamps and SACK, then parse it back.
        options.reset().timestamps(i, i - 1);
        options.addSackBlock(i, i + 100);
        tcp.wrap(segment, 0, segment.capacity());
        final int headerLength = TcpFlyweight.HEADER_LENGTH + options.emit(segment, tcp.optionsOffset());
        tcp.wrap(segment, 0, headerLength + 1000)
            .sourcePort(1)
            .destinationPort(2)
            .sequenceNumber(i)
            .acknowledgmentNumber(-i)
            .dataOffset(headerLength)
            .flags(TcpFlyweight.ACK | TcpFlyweight.PSH)
            .window(1000)
            .urgentPointer(0)
            .computeChecksum(0x0a000001, 0x0a000002, headerLength + 1000);
        if (tcp.check() == TcpFlyweight.VALID && options.parse(tcp) == TcpFlyweight.VALID &&
            tcp.checksumValid(0x0a000001, 0x0a000002, headerLength + 1000))
        {
            sink += options.tsVal() + options.sackBlockCount() + tcp.payloadLength();
        }

        // Send: write, copy out twice (send and resend), acknowledge.
        send.write(data, 0, 1000);
        sink += send.copy(send.firstSeq(), out, 0, 1000) + send.copy(send.firstSeq() + 500, out, 0, 500);
        send.acknowledge(send.endSeq());

        // Receive: two segments out of order, SACK, the gap, read.
        final int nxt = receive.rcvNxt();
        receive.offer(nxt + 1000, data, 0, 500);
        receive.offer(nxt + 2000, data, 0, 500);
        sink += receive.recentRange() + receive.rangeStart(0) + receive.rangeHolding(nxt + 1200);
        sink += receive.offer(nxt, data, 0, 1000);
        sink += receive.offer(nxt + 1500, data, 0, 500);
        sink += receive.read(out, 0, 4096);

        rtt.sample(1_000_000L + (i & 0xFFFF));
        rtt.backoff();
        sink += rtt.rto();
    }

    private void rounds(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            round(i);
        }
    }

    @Test
    void shouldNotAllocatePerSegment()
    {
        send.reset(0xFFFF_0000);
        receive.reset(0x7FFF_0000);
        rounds(50_000);
        long best = Long.MAX_VALUE;
        for (int w = 0; w < WINDOWS && best >= NOISE_BYTES; w++)
        {
            final long b0 = allocatedBytes();
            rounds(0);
            final long overhead = allocatedBytes() - b0;

            final long b1 = allocatedBytes();
            rounds(ROUNDS);
            best = Math.min(best, allocatedBytes() - b1 - overhead);
        }
        assertTrue(best < NOISE_BYTES, "allocated " + best + " bytes over " + ROUNDS + " rounds");
        assertEquals(0, receive.readable());
        assertTrue(sink != 0);
    }
}
