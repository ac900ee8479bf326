package io.flowstack.tcp;

import io.flowstack.tcp.api.ReadHandler;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.WriteHandler;
import io.flowstack.test.TwoStacks;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two stacks over the in-memory link move a large byte stream each way with identical bytes, and close cleanly.
 */
class StreamTransferTest
{
    /** Sends {@code total} pseudo-random bytes, digests what it receives; closes its side when done sending. */
    static final class Pump implements TcpHandler
    {
        final long total;
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[1 << 16]);
        final UnsafeBuffer in = new UnsafeBuffer(new byte[1 << 16]);
        final MessageDigest sent;
        final MessageDigest received;
        final Random random;
        long written;
        long read;
        int chunkOffset;
        int chunkLength;
        boolean connected;
        boolean peerClosed;
        int closedReason = -1;
        TcpConnection conn;
        /** Bytes one in-place read may consume at most; 0 reads by copying ({@code read(dst, ...)}). */
        int inPlaceLimit;
        private final ReadHandler inPlace = this::consume;
        /** Bytes one in-place write may produce at most; 0 writes by copying ({@code write(src, ...)}). */
        int inPlaceWriteLimit;
        private final WriteHandler produce = this::produce;

        Pump(final long total, final long seed) throws Exception
        {
            this.total = total;
            this.sent = MessageDigest.getInstance("SHA-256");
            this.received = MessageDigest.getInstance("SHA-256");
            this.random = new Random(seed);
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            conn = c;
            connected = true;
            fill(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            fill(c);
        }

        private void fill(final TcpConnection c)
        {
            while (written < total)
            {
                if (chunkOffset == chunkLength)
                {
                    chunkLength = (int)Math.min(chunk.capacity(), total - written);
                    final byte[] bytes = chunk.byteArray();
                    random.nextBytes(bytes);
                    sent.update(bytes, 0, chunkLength);
                    chunkOffset = 0;
                }
                final int n = inPlaceWriteLimit > 0 ? c.write(produce)
                    : c.write(chunk, chunkOffset, chunkLength - chunkOffset);
                if (n <= 0)
                {
                    return;
                }
                if (inPlaceWriteLimit == 0)
                {
                    chunkOffset += n;
                    written += n;
                }
            }
            c.shutdownOutput();
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = inPlaceLimit > 0 ? c.read(inPlace) : c.read(in, 0, in.capacity())) > 0)
            {
                if (inPlaceLimit == 0)
                {
                    received.update(in.byteArray(), 0, n);
                }
                read += n;
            }
        }

        private int produce(final MutableDirectBuffer buffer, final int offset, final int length)
        {
            // Writes less than offered at times (and never past the chunk), so the rest of the room must stay free.
            final int n = Math.min(Math.min(length, inPlaceWriteLimit), chunkLength - chunkOffset);
            buffer.putBytes(offset, chunk, chunkOffset, n);
            chunkOffset += n;
            written += n;
            return n;
        }

        private int consume(final DirectBuffer buffer, final int offset, final int length)
        {
            // Takes less than offered at times, so the rest must stay readable, in order.
            final int n = Math.min(length, inPlaceLimit);
            buffer.getBytes(offset, in, 0, n);
            received.update(in.byteArray(), 0, n);
            return n;
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            onData(c);
            peerClosed = true;
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason)
        {
            closedReason = reason;
        }
    }

    private static void transfer(final long bytes, final TcpConfig config, final int inPlaceLimit) throws Exception
    {
        transfer(bytes, config, inPlaceLimit, 0);
    }

    private static void transfer(final long bytes, final TcpConfig config, final int inPlaceLimit,
        final int inPlaceWriteLimit) throws Exception
    {
        try (TwoStacks net = new TwoStacks(config))
        {
            final Pump server = new Pump(bytes, 2);
            final Pump client = new Pump(bytes, 1);
            server.inPlaceLimit = inPlaceLimit;
            client.inPlaceLimit = inPlaceLimit;
            server.inPlaceWriteLimit = inPlaceWriteLimit;
            client.inPlaceWriteLimit = inPlaceWriteLimit;
            net.ctx[1].listen(5001, c -> server);
            net.ctx[0].connect(TwoStacks.B_IP, 5001, client);
            net.runUntil(() -> client.closedReason >= 0 && server.closedReason >= 0, 600_000_000_000L);
            assertEquals(bytes, client.read);
            assertEquals(bytes, server.read);
            assertArrayEquals(client.sent.digest(), server.received.digest(), "client to server bytes differ");
            assertArrayEquals(server.sent.digest(), client.received.digest(), "server to client bytes differ");
            assertEquals(TcpHandler.CLOSED_NORMALLY, client.closedReason);
            assertEquals(TcpHandler.CLOSED_NORMALLY, server.closedReason);
            assertTrue(client.peerClosed && server.peerClosed);
        }
    }

    @Test
    void shouldMoveHundredMegabytesEachWay() throws Exception
    {
        transfer(100_000_000L, TcpConfig.DEFAULT, 0);
    }

    /**
     * Read in place ({@code read(ReadHandler)}), each call consuming at most 1,001 bytes, less than a segment, so
     * every segment takes two or more calls: pieces that wrap around the ring's end and the rest of a piece left for
     * the next read arrive intact and in order (consuming the whole piece instead fails: the digests differ).
     */
    @Test
    void shouldMoveHundredMegabytesEachWayReadInPlace() throws Exception
    {
        transfer(100_000_000L, TcpConfig.DEFAULT, 1_001);
    }

    /**
     * Written in place ({@code write(WriteHandler)}), each call producing at most 1,001 bytes: room that wraps around
     * the ring's end and room left for the next write keep the stream intact and in order (committing the whole
     * room instead fails: 270,411,216 bytes arrive).
     */
    @Test
    void shouldMoveHundredMegabytesEachWayWrittenInPlace() throws Exception
    {
        transfer(100_000_000L, TcpConfig.DEFAULT, 0, 1_001);
    }

    /** A write handler that shuts the connection down has what it wrote dropped: nothing may follow the FIN. */
    @Test
    void shouldDropWhatAHandlerWroteWhenItShutTheConnectionDown() throws Exception
    {
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT))
        {
            final Pump server = new Pump(0, 2);
            final int[] queued = {-2};
            final TcpHandler client = new TcpHandler()
            {
                @Override
                public void onConnected(final TcpConnection c)
                {
                    queued[0] = c.write((buffer, offset, length) ->
                    {
                        buffer.setMemory(offset, 10, (byte)1);
                        c.shutdownOutput();
                        return 10;
                    });
                }

                @Override
                public void onData(final TcpConnection c)
                {
                }
            };
            net.ctx[1].listen(5001, c -> server);
            net.ctx[0].connect(TwoStacks.B_IP, 5001, client);
            net.runUntil(() -> server.peerClosed, 10_000_000_000L);
            assertEquals(0, queued[0], "bytes queued");
            assertEquals(0, server.read, "bytes the peer received before the FIN");
        }
    }
}
