package io.flowstack.tcp;

import io.flowstack.tcp.api.ReadHandler;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.test.TwoStacks;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TcpConnection#read(ReadHandler)} outside the processing of a segment: a receiver that let its window
 * close, then reads in place, opens the window at once (RFC 9293 3.8.6.2.2), as a copying read does; without the
 * update the sender would wait for its persist timer (a retransmission timeout, 200 ms at least).
 */
class ReadInPlaceTest
{
    private static final long MS = 1_000_000L;

    @Test
    void shouldOpenTheWindowWhenAClosedWindowIsReadInPlace() throws Exception
    {
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT))
        {
            final TcpConnection[] server = new TcpConnection[1];
            net.ctx[1].listen(5001, c -> new TcpHandler()
            {
                @Override
                public void onConnected(final TcpConnection c)
                {
                    server[0] = c;
                }

                @Override
                public void onData(final TcpConnection c)
                {
                    // Reads later, on its own schedule.
                }
            });
            final UnsafeBuffer chunk = new UnsafeBuffer(new byte[1 << 16]);
            for (int i = 0; i < chunk.capacity(); i++)
            {
                chunk.putByte(i, (byte)i);
            }
            net.ctx[0].connect(TwoStacks.B_IP, 5001, new TcpHandler()
            {
                @Override
                public void onConnected(final TcpConnection c)
                {
                    onWritable(c);
                }

                @Override
                public void onWritable(final TcpConnection c)
                {
                    while (c.write(chunk, 0, chunk.capacity()) > 0)
                    {
                        // as much as the send buffer takes
                    }
                }

                @Override
                public void onData(final TcpConnection c)
                {
                }
            });
            // The window closes: the receiver holds (almost) a whole buffer and reads nothing; the sender stops, its
            // persist timer armed a retransmission timeout (200 ms or more) ahead.
            final int full = TcpConfig.DEFAULT.receiveBuffer() - 2 * 1460;
            net.runUntil(() -> server[0] != null && server[0].readable() >= full, 1000 * MS);
            final int held = server[0].readable();
            final long[] sum = {0};
            final ReadHandler sink = (buffer, offset, length) ->
            {
                for (int i = 0; i < length; i++)
                {
                    sum[0] += buffer.getByte(offset + i) & 0xff;
                }
                return length;
            };
            int n;
            int read = 0;
            while ((n = server[0].read(sink)) > 0)
            {
                read += n;
            }
            assertEquals(held, read, "everything held is read in place");
            assertEquals(0, server[0].readable());
            // Bytes i mod 256 from offset 0: every full 256 sums to 32,640.
            assertEquals((read / 256) * 32_640L + sumOfFirst(read % 256), sum[0], "the bytes, in order");
            // The window update goes out with this unit of work: more data follows within a round trip, long before
            // a persist probe could find the window open.
            net.runUntil(() -> server[0].readable() > 0, 20 * MS);
            assertTrue(server[0].readable() > 0);
        }
    }

    private static long sumOfFirst(final int count)
    {
        return (long)count * (count - 1) / 2;
    }
}
