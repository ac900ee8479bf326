package io.flowstack.tcp;

import io.flowstack.core.driver.Offloads;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.test.TwoStacks;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpInfo;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP over IPv6 between two stacks on one thread: the handshake, MSS = MTU - 60 (RFC 8200 5, RFC 9293 3.7.1),
 * every byte in order both ways, a wildcard listener that takes both families, and no allocation per segment.
 */
class Ipv6TcpTest
{
    /** Sends a fixed pattern of {@code total} bytes, then half-closes; reads and checks what comes back. */
    private static final class Pattern implements TcpHandler
    {
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[1 << 14]);
        final long total;
        long sent;
        long received;
        boolean mismatch;
        boolean peerClosed;
        TcpConnection connection;

        Pattern(final long total)
        {
            this.total = total;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            connection = c;
            onWritable(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            while (sent < total)
            {
                final int n = (int)Math.min(chunk.capacity(), total - sent);
                for (int i = 0; i < n; i++)
                {
                    chunk.putByte(i, (byte)((sent + i) * 31));
                }
                final int w = c.write(chunk, 0, n);
                sent += w;
                if (w < n)
                {
                    return;
                }
            }
            c.shutdownOutput();
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = c.read(chunk, 0, chunk.capacity())) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    mismatch |= chunk.getByte(i) != (byte)((received + i) * 31);
                }
                received += n;
            }
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            peerClosed = true;
        }
    }

    @ParameterizedTest(name = "offloads {0}")
    @ValueSource(strings = {"none", "virtio", "virtio+tso6"})
    void shouldCarryEveryByteBothWaysOverIpv6(final String offloads) throws Exception
    {
        final Offloads o = switch (offloads)
        {
            case "none" -> Offloads.NONE;
            case "virtio" -> Offloads.VIRTIO_NET;
            default -> Offloads.VIRTIO_NET.with(Offloads.TX_TCP6_SEGMENTATION);
        };
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT, o, o, true))
        {
            final long bytes = 5_000_000;
            final List<Pattern> accepted = new ArrayList<>();
            net.ctx[1].listen(5001, c ->
            {
                final Pattern p = new Pattern(bytes);
                accepted.add(p);
                return p;
            });
            final Pattern client = new Pattern(bytes);
            net.ctx[0].connect(TwoStacks.B_IP6, 5001, client, ConnectionOptions.DEFAULT);
            net.runUntil(() -> accepted.size() == 1 && client.received == bytes && accepted.get(0).received == bytes
                && client.peerClosed && accepted.get(0).peerClosed, 120_000_000_000L);
            final Pattern server = accepted.get(0);
            assertTrue(!client.mismatch && !server.mismatch, "every byte as sent");
            assertEquals(TwoStacks.A_IP6, server.connection.remoteIpAddress());
            assertEquals(TwoStacks.B_IP6, server.connection.localIpAddress());
            assertEquals(TwoStacks.B_IP6, client.connection.remoteIpAddress());
            final TcpInfo info = client.connection.info(new TcpInfo());
            assertEquals(1500 - 60, info.receiveMss, "our MSS over IPv6: MTU - 60");
            assertEquals(1500 - 60 - 12, info.sendMss, "the peer's, less the timestamps option");
            assertEquals(o.txTcp6Segmentation(), net.da.txLargeFrames() > 0,
                "segments above the MTU (TCPV6 for the device to cut) only where the device takes them: "
                    + net.da.txLargeFrames());
        }
    }

    @Test
    void shouldAcceptBothFamiliesOnAWildcardListener() throws Exception
    {
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT, Offloads.NONE, Offloads.NONE, true))
        {
            final List<Pattern> accepted = new ArrayList<>();
            net.ctx[1].listen(80, c ->
            {
                final Pattern p = new Pattern(1000);
                accepted.add(p);
                return p;
            });
            final Pattern v4 = new Pattern(1000);
            final Pattern v6 = new Pattern(1000);
            net.ctx[0].connect(TwoStacks.B_IP, 80, v4);
            net.ctx[0].connect(TwoStacks.B_IP6, 80, v6, ConnectionOptions.DEFAULT);
            net.runUntil(() -> v4.received == 1000 && v6.received == 1000, 10_000_000_000L);
            assertEquals(2, accepted.size());
            assertTrue(accepted.stream().anyMatch(p -> p.connection.remoteIpAddress().isIpv4()));
            assertTrue(accepted.stream().anyMatch(p -> p.connection.remoteIpAddress().equals(TwoStacks.A_IP6)));
            assertEquals(IpAddress.ofIpv4(TwoStacks.B_IP), v4.connection.remoteIpAddress());
        }
    }

    @Test
    void shouldShrinkItsSegmentsWhenARouterSaysPacketTooBig() throws Exception
    {
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT, Offloads.NONE, Offloads.NONE, true))
        {
            final Pattern server = new Pattern(0);
            final Pattern client = new Pattern(3_000_000);
            net.ctx[1].listen(5001, c -> server);
            net.ctx[0].connect(TwoStacks.B_IP6, 5001, client, ConnectionOptions.DEFAULT);
            net.runUntil(() -> server.received > 500_000, 60_000_000_000L);
            final TcpInfo before = client.connection.info(new TcpInfo());
            assertEquals(1500 - 60 - 12, before.sendMss);
            // A router on the path reports an MTU of 1280 about a segment in flight (ISN 1000: SND.UNA is 1001
            // plus what was acknowledged; the last one sent is still in flight when the report arrives).
            final int una = 1001 + (int)before.bytesAcked;
            assertTrue(before.inFlight > 0);
            final byte[] tooBig = packetTooBig(client.connection.localPort(), una + before.inFlight - 1, 1280);
            assertTrue(net.da.inject(new UnsafeBuffer(tooBig), 0, tooBig.length));
            final byte[] stale = packetTooBig(client.connection.localPort(), una - 100_000, 1000);
            assertTrue(net.da.inject(new UnsafeBuffer(stale), 0, stale.length));
            net.runUntil(() -> server.received == 3_000_000 && server.peerClosed, 60_000_000_000L);
            assertEquals(1, net.a.ip(0).counters().get("tcp.path_mtu_reductions"));
            assertTrue(!server.mismatch, "every byte as sent");
            final TcpInfo after = client.connection.info(new TcpInfo());
            assertEquals(1280 - 60 - 12, after.sendMss, "RFC 8201: segments for the new path MTU, timestamps counted;"
                + " the report about a sequence number not in flight ignored");
        }
    }

    /** ICMPv6 Packet Too Big from the peer's side, quoting a segment A sent (RFC 4443 3.2). */
    private static byte[] packetTooBig(final int localPort, final int sequence, final int mtu)
    {
        final IpAddress router = TwoStacks.B_IP6;
        final byte[] f = new byte[14 + 40 + 8 + 40 + 20];
        final UnsafeBuffer b = new UnsafeBuffer(f);
        b.putShort(0, (short)0x0200, java.nio.ByteOrder.BIG_ENDIAN);
        b.putInt(2, 0x0000_0001, java.nio.ByteOrder.BIG_ENDIAN);
        b.putShort(6, (short)0x0200, java.nio.ByteOrder.BIG_ENDIAN);
        b.putInt(8, 0x0000_0002, java.nio.ByteOrder.BIG_ENDIAN);
        b.putShort(12, (short)0x86DD, java.nio.ByteOrder.BIG_ENDIAN);
        b.putInt(14, 0x6000_0000, java.nio.ByteOrder.BIG_ENDIAN);
        b.putShort(18, (short)(8 + 40 + 20), java.nio.ByteOrder.BIG_ENDIAN);
        b.putByte(20, (byte)58);
        b.putByte(21, (byte)64);
        b.putBytes(22, router.toBytes());
        b.putBytes(38, TwoStacks.A_IP6.toBytes());
        b.putByte(54, (byte)2);
        b.putInt(58, mtu, java.nio.ByteOrder.BIG_ENDIAN);
        // The quoted segment: IPv6 from A to B, TCP from A's port to 5001 with the sequence number.
        b.putInt(62, 0x6000_0000, java.nio.ByteOrder.BIG_ENDIAN);
        b.putShort(66, (short)1400, java.nio.ByteOrder.BIG_ENDIAN);
        b.putByte(68, (byte)6);
        b.putByte(69, (byte)64);
        b.putBytes(70, TwoStacks.A_IP6.toBytes());
        b.putBytes(86, TwoStacks.B_IP6.toBytes());
        b.putShort(102, (short)localPort, java.nio.ByteOrder.BIG_ENDIAN);
        b.putShort(104, (short)5001, java.nio.ByteOrder.BIG_ENDIAN);
        b.putInt(106, sequence, java.nio.ByteOrder.BIG_ENDIAN);
        long sum = io.flowstack.core.wire.InternetChecksum.partial(b, 22, 32, 0) + 58 + (f.length - 54);
        sum = io.flowstack.core.wire.InternetChecksum.partial(b, 54, f.length - 54, sum);
        b.putShort(56, (short)io.flowstack.core.wire.InternetChecksum.fold(sum), java.nio.ByteOrder.BIG_ENDIAN);
        return f;
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void shouldMoveDataOverIpv6WithoutAllocatingPerSegment() throws Exception
    {
        try (TwoStacks net = new TwoStacks(TcpConfig.DEFAULT, Offloads.NONE, Offloads.NONE, true))
        {
            final Pattern server = new Pattern(0);
            final Pattern client = new Pattern(Long.MAX_VALUE);
            net.ctx[1].listen(5001, c -> server);
            net.ctx[0].connect(TwoStacks.B_IP6, 5001, client, ConnectionOptions.DEFAULT);
            final long[] target = {100_000_000L};
            net.runUntil(() -> server.received >= target[0], 600_000_000_000L);
            long best = Long.MAX_VALUE;
            for (int window = 0; window < 5 && best >= 4096; window++)
            {
                final long before = allocatedBytes();
                target[0] = server.received + 30_000_000L;
                net.runUntil(() -> server.received >= target[0], 600_000_000_000L);
                best = Math.min(best, allocatedBytes() - before);
            }
            assertTrue(best < 4096, best + " bytes allocated while moving 30 MB over IPv6");
        }
    }
}
