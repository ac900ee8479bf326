package io.flowstack.tcp;

import io.flowstack.core.driver.Offloads;
import io.flowstack.tcp.api.ReadHandler;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.test.TwoStacks;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TCP data path allocates nothing per segment in steady state: two stacks on one thread move data over the
 * in-memory link while the thread's allocated bytes are measured (the test's own handlers allocate nothing); with
 * and without offloads (partial checksums, 64 KB segments both ways), and with payloads gathered from the send
 * ring.
 */
class TcpZeroAllocationTest
{
    /** Writes zeros forever (as much as the connection takes) and reads whatever comes. */
    private static final class Blaster implements TcpHandler
    {
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[1 << 16]);
        final boolean inPlace;
        /** Counts what it is shown and consumes it (reads in place, no copy). */
        final ReadHandler count = this::count;
        long read;

        Blaster(final boolean inPlace)
        {
            this.inPlace = inPlace;
        }

        private int count(final DirectBuffer buffer, final int offset, final int length)
        {
            read += length;
            return length;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            onWritable(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            while (c.write(chunk, 0, chunk.capacity()) == chunk.capacity())
            {
                // fill the send buffer
            }
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            if (inPlace)
            {
                while (c.read(count) > 0)
                {
                    // counted by the handler
                }
                return;
            }
            while ((n = c.read(chunk, 0, chunk.capacity())) > 0)
            {
                read += n;
            }
        }
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest(name = "offloads {0}")
    @ValueSource(strings = {"none", "virtio", "virtio+gather", "virtio+gather, read in place"})
    void shouldMoveDataWithoutAllocatingPerSegment(final String offloads) throws Exception
    {
        final Offloads o = switch (offloads)
        {
            case "virtio" -> Offloads.VIRTIO_NET;
            case "virtio+gather", "virtio+gather, read in place" -> Offloads.VIRTIO_NET.with(Offloads.TX_GATHER);
            default -> Offloads.NONE;
        };
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT, o, o))
        {
            final boolean inPlace = offloads.endsWith("in place");
            final Blaster server = new Blaster(inPlace);
            final Blaster client = new Blaster(inPlace);
            net.ctx[1].listen(5001, c -> server);
            net.ctx[0].connect(TwoStacks.B_IP, 5001, client);
            final long[] target = {200_000_000L};
            net.runUntil(() -> server.read >= target[0], 600_000_000_000L);

            long best = Long.MAX_VALUE;
            for (int window = 0; window < 5 && best >= 4096; window++)
            {
                final long before = allocatedBytes();
                target[0] = server.read + 50_000_000L;
                net.runUntil(() -> server.read >= target[0], 600_000_000_000L);
                best = Math.min(best, allocatedBytes() - before);
            }
            System.out.println("TCP steady state (offloads " + offloads + "): " + best
                + " bytes allocated while moving 50 MB; " + net.da.txLargeFrames() + " large segments sent");
            // 50 MB is about 35,000 segments and as many ACKs: one allocation each would be 1 MB or more.
            assertTrue(best < 4096, best + " bytes allocated while moving 50 MB");
        }
    }
}
