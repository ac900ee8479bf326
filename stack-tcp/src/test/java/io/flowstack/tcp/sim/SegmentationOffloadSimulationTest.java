package io.flowstack.tcp.sim;

import io.flowstack.core.driver.Offloads;
import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimPort;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sender whose card cuts its large segments (a simulated port with TCP segmentation offload) through a lossy,
 * rate-limited link: the receiver, a plain host, gets every byte in order, every wire frame fits the MTU, and
 * goodput stays near that of the same sender without offloads (TSO autosizing keeps bursts to what the window
 * and the pacing rate allow, so loss recovery is not swamped).
 */
class SegmentationOffloadSimulationTest
{
    private static final int BYTES = 4 * 1024 * 1024;
    private static final long SEED = 20261201L;

    /** Writes BYTES of a pattern (position mod 251) and closes. */
    private static final class Sender implements TcpHandler
    {
        final UnsafeBuffer chunk = new UnsafeBuffer(new byte[1 << 16]);
        long written;

        @Override
        public void onConnected(final TcpConnection c)
        {
            onWritable(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            while (written < BYTES)
            {
                final int n = (int)Math.min(chunk.capacity(), BYTES - written);
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
            c.close();
        }

        @Override
        public void onData(final TcpConnection c)
        {
        }
    }

    /** Checks the pattern; notes the virtual time of the last byte. */
    private static final class Receiver implements TcpHandler
    {
        final UnsafeBuffer in = new UnsafeBuffer(new byte[1 << 16]);
        final SimNetwork net;
        long read;
        long mismatches;
        long doneAt = -1;

        Receiver(final SimNetwork net)
        {
            this.net = net;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = c.read(in, 0, in.capacity())) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    if (in.getByte(i) != (byte)((read + i) % 251))
                    {
                        mismatches++;
                    }
                }
                read += n;
            }
            if (read >= BYTES && doneAt < 0)
            {
                doneAt = net.simulator().now();
            }
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            onData(c);
            c.close();
        }
    }

    /** @return goodput in Mbit/s; asserts the bytes arrived intact. */
    private static double run(final Offloads senderOffloads, final long[] cut)
    {
        final FaultProfile faults = FaultProfile.parse("loss=1%,delay=1ms,rate=100mbit,queue=1000");
        final TcpConfig config = TcpConfig.DEFAULT.withBuffers(256 * 1024);
        try (SimNetwork net = new SimNetwork(SEED))
        {
            final Receiver receiver = new Receiver(net);
            final SimHost server = net.newHost("server").cores(1).address(SimNetwork.SERVER_ADDRESS)
                .configure(b -> b.tcp(config)).onEachCore(core -> core.listen(5001, c -> receiver)).build();
            final SimHost client = net.newHost("client").cores(1).address(SimNetwork.CLIENT_ADDRESS)
                .offloads(senderOffloads).configure(b -> b.tcp(config)).build();
            net.connect(client, server, faults, faults);
            final Sender sender = new Sender();
            final long start = net.simulator().now();
            client.stack().core(0).submit(c -> c.connect(Ipv4Flyweight.parseAddress("198.18.0.2"), 5001, sender));
            assertTrue(net.runUntil(() -> receiver.doneAt >= 0, 600_000_000_000L), "stuck at " + receiver.read);
            assertEquals(0, receiver.mismatches, "bytes in order and intact, offloads " + senderOffloads);
            assertEquals(0, net.host("server").counter("tcp.rx.bad_checksum"), "every checksum finished by the card");
            final SimPort port = client.port(0);
            cut[0] = port.segmented();
            cut[1] = port.segmentsProduced();
            cut[2] = port.driver().txGatheredFrames();
            assertEquals(0, port.segmentationRefused());
            return BYTES * 8.0 / ((receiver.doneAt - start) / 1e9) / 1e6;
        }
    }

    @Test
    void shouldDeliverEveryByteThroughLossWithTheCardCuttingLargeSegments()
    {
        final long[] cut = new long[3];
        final double plain = run(Offloads.NONE, cut);
        assertEquals(0, cut[0]);
        final double tso = run(Offloads.VIRTIO_NET, cut);
        System.out.printf("1%% loss, 1 ms, 100 Mbit/s: goodput %.1f Mbit/s with TSO (%d large segments cut into %d"
            + " frames), %.1f without%n", tso, cut[0], cut[1], plain);
        assertTrue(cut[0] > 0 && cut[1] > cut[0], "the card cut large segments");
        assertTrue(tso >= 0.7 * plain, "TSO goodput " + tso + " against " + plain + " without");
    }

    @Test
    void shouldDeliverEveryByteWithTheCardGatheringPayloadFromTheSendRing()
    {
        // Offloads.TX_GATHER: segments leave with their payload attached from the send ring, not copied into the
        // slot; retransmissions through 1% loss attach ranges the ring still holds.
        final long[] cut = new long[3];
        final double gather = run(Offloads.VIRTIO_NET.with(Offloads.TX_GATHER), cut);
        System.out.printf("1%% loss, 1 ms, 100 Mbit/s, gather: %.1f Mbit/s, %d frames gathered%n", gather, cut[2]);
        assertTrue(cut[2] > BYTES / (64 * 1024), "payloads gathered: " + cut[2]);
        assertTrue(cut[0] > 0, "and still cut by the card");
    }
}
