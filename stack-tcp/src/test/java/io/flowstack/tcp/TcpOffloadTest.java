package io.flowstack.tcp;

import io.flowstack.core.driver.Offloads;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.test.TwoStacks;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP over devices with offloads (MemoryDriver with virtio-net semantics): segments of up to 64 KB with partial
 * checksums go out and come in whole, and the bytes arrive intact both ways; a plain peer gets them with finished
 * checksums; segments stay within half the peer's largest window; without offloads nothing exceeds the MTU.
 */
class TcpOffloadTest
{
    private static final int BYTES = 20_000_000;
    private static final int FRAME_HEADERS = 14 + 20 + 32;

    /** Writes a known byte pattern (position mod 251) up to a total, and checks the pattern it reads. */
    private static final class Pattern implements TcpHandler
    {
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[1 << 16]);
        final long total;
        long written;
        long read;
        long mismatches;

        Pattern(final long total)
        {
            this.total = total;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            onWritable(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            while (written < total)
            {
                final int n = (int)Math.min(chunk.capacity(), total - written);
                for (int i = 0; i < n; i++)
                {
                    chunk.putByte(i, (byte)((written + i) % 251));
                }
                final int took = c.write(chunk, 0, n);
                written += took;
                if (took < n)
                {
                    return;
                }
            }
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = c.read(chunk, 0, chunk.capacity())) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    if (chunk.getByte(i) != (byte)((read + i) % 251))
                    {
                        mismatches++;
                    }
                }
                read += n;
            }
        }
    }

    private static Pattern[] exchange(final TwoStacks net, final ConnectionOptions serverOptions) throws Exception
    {
        final Pattern server = new Pattern(BYTES);
        final Pattern client = new Pattern(BYTES);
        net.ctx[1].listen(5001, c -> server, serverOptions);
        net.ctx[0].connect(TwoStacks.B_IP, 5001, client);
        net.runUntil(() -> server.read >= BYTES && client.read >= BYTES, 600_000_000_000L);
        assertEquals(0, server.mismatches, "bytes intact from A to B");
        assertEquals(0, client.mismatches, "bytes intact from B to A");
        assertEquals(BYTES, server.read);
        assertEquals(BYTES, client.read);
        return new Pattern[]{client, server};
    }

    @Test
    void shouldMoveBytesIntactInLargeSegmentsBothWays() throws Exception
    {
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT, Offloads.VIRTIO_NET, Offloads.VIRTIO_NET))
        {
            exchange(net, ConnectionOptions.DEFAULT);
            System.out.println("offloads both sides: A sent " + net.da.txFrames() + " frames (" + net.da.txLargeFrames()
                + " large, largest " + net.da.txLargestFrame() + " bytes), B " + net.db.txFrames() + " ("
                + net.db.txLargeFrames() + " large)");
            assertTrue(net.da.txLargeFrames() > 0 && net.db.txLargeFrames() > 0, "large segments both ways");
            assertTrue(net.da.txLargestFrame() > 60_000, "a fast link gets 64 KB segments: " + net.da.txLargestFrame());
            assertTrue(net.da.txLargestFrame() <= 65_535 + 14, "within one IP datagram");
            // MSS-sized segments would be BYTES / 1448 frames each way, plus as many ACKs again.
            assertTrue(net.da.txFrames() < BYTES / 1448 / 4, "far fewer frames than MSS-sized segments: "
                + net.da.txFrames());
        }
    }

    @Test
    void shouldSendLargeSegmentsWithFinishedChecksumsToAPlainPeer() throws Exception
    {
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT, Offloads.VIRTIO_NET, Offloads.NONE))
        {
            exchange(net, ConnectionOptions.DEFAULT);
            assertTrue(net.da.txLargeFrames() > 0, "A cut nothing itself");
            assertEquals(0, net.db.txLargeFrames(), "B without offloads sends MSS-sized segments");
            assertTrue(net.db.txLargestFrame() <= 1514, "B's largest frame " + net.db.txLargestFrame());
            assertEquals(0, net.b.ip(0).counters().get("tcp.rx.bad_checksum"), "every checksum finished by the device");
        }
    }

    @Test
    void shouldKeepSegmentsWithinHalfThePeersLargestWindow() throws Exception
    {
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT, Offloads.VIRTIO_NET, Offloads.VIRTIO_NET))
        {
            exchange(net, ConnectionOptions.DEFAULT.withBuffers(1 << 16, 1 << 14));
            // B offers at most 16 KiB: A's segments carry at most 8 KiB (Linux's tcp_bound_to_half_wnd).
            assertTrue(net.da.txLargestFrame() <= 8192 + FRAME_HEADERS, "largest " + net.da.txLargestFrame());
            assertTrue(net.da.txLargeFrames() > 0);
        }
    }

    @Test
    void shouldNotExceedTheMtuWithoutOffloads() throws Exception
    {
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT))
        {
            exchange(net, ConnectionOptions.DEFAULT);
            assertEquals(0, net.da.txLargeFrames() + net.db.txLargeFrames());
            assertTrue(net.da.txLargestFrame() <= 1514 && net.db.txLargestFrame() <= 1514);
        }
    }
}
