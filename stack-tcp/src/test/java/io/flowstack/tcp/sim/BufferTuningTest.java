package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.TcpConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One connection over a 100 Mbit/s path with a 100 ms round trip (bandwidth-delay product 1.25 MB) and a queue of
 * one BDP: with buffers that grow with the path (the default) both buffers reach megabytes and the transfer runs
 * at several times what fixed 256 KiB buffers allow (their window caps it at about 20 Mbit/s).
 */
class BufferTuningTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int BYTES = 24 << 20;

    private static double goodput(final TcpConfig config, final BulkSink[] out, final BulkSource sender)
    {
        return goodput(config, out, sender, FaultProfile.builder().delay(50 * MS).rate(100_000_000L).queueFrames(830).build());
    }

    private static double goodput(
        final TcpConfig config, final BulkSink[] out, final BulkSource sender, final FaultProfile path)
    {
        try (SimNetwork net = new SimNetwork(7))
        {
            final BulkSink receiver = new BulkSink(net, BYTES);
            out[0] = receiver;
            net.newHost("server").cores(1).address(SimNetwork.SERVER_ADDRESS).configure(b -> b.tcp(config))
                .onEachCore(core -> core.listen(5001, c -> receiver)).build();
            final SimHost client = net.newHost("client").cores(1).address(SimNetwork.CLIENT_ADDRESS)
                .configure(b -> b.tcp(config)).build();
            net.connect(client, net.host("server"), path, path);
            final long start = net.simulator().now();
            client.stack().core(0).submit(c -> c.connect(Ipv4Flyweight.parseAddress("198.18.0.2"), 5001, sender));
            assertTrue(net.runUntil(() -> receiver.doneAt >= 0, 600 * S), "transfer did not finish: " + receiver.read);
            return BYTES * 8.0 / ((receiver.doneAt - start) / 1e9) / 1e6;
        }
    }

    @Test
    void shouldGrowBothBuffersToFillALongFatPath()
    {
        final BulkSink[] receiver = new BulkSink[1];
        final BulkSource sender = new BulkSource(BYTES, false);
        final double tuned = goodput(TcpConfig.DEFAULT, receiver, sender);
        System.out.printf("auto-tuned: %.1f Mbit/s; receiver %s; sender %s%n", tuned, receiver[0].info, sender.info);
        // Slow start overshoots the one-BDP queue once (CUBIC is not paced by default), CUBIC probes into it once more: ~65.
        assertTrue(tuned > 55, "goodput with auto-tuned buffers: " + tuned);
        assertTrue(receiver[0].info.receiveBuffer >= 2 << 20, "receive buffer " + receiver[0].info.receiveBuffer);
        assertTrue(sender.info.sendBuffer >= 2 << 20, "send buffer " + sender.info.sendBuffer);

        final BulkSink[] fixedReceiver = new BulkSink[1];
        final double fixed = goodput(TcpConfig.DEFAULT.withBuffers(1 << 18), fixedReceiver, new BulkSource(BYTES, false));
        System.out.printf("fixed 256 KiB: %.1f Mbit/s%n", fixed);
        assertTrue(fixed < 25, "a 256 KiB window over 100 ms is at most 21 Mbit/s: " + fixed);
        assertTrue(tuned > 2.5 * fixed, "tuned " + tuned + ", fixed " + fixed);
    }

    @Test
    void shouldStillGrowBuffersThatStartLarger()
    {
        // As the command line's connections: 1 MiB to start, tuned up to 4 MiB (a fixed 1 MiB capped this path).
        final BulkSink[] receiver = new BulkSink[1];
        final BulkSource sender = new BulkSource(BYTES, false);
        final double tuned = goodput(TcpConfig.DEFAULT.withInitialBuffers(1 << 20), receiver, sender);
        System.out.printf("1 MiB, tuned: %.1f Mbit/s; receiver %s; sender %s%n", tuned, receiver[0].info, sender.info);
        assertTrue(receiver[0].info.receiveBuffer >= 2 << 20, "receive buffer " + receiver[0].info.receiveBuffer);
        assertTrue(sender.info.sendBuffer >= 2 << 20, "send buffer " + sender.info.sendBuffer);
        assertTrue(tuned > 55, "goodput with buffers from 1 MiB up: " + tuned);
    }

    @Test
    void shouldNotGrowEitherBufferForAQueue()
    {
        // 100 Mbit/s, 0.4 ms round trip (bandwidth-delay product 5 KB) and a queue of 1000 frames: CUBIC's window grows
        // into the queue, to hundreds of KB. A send buffer of twice the window would grow to megabytes that only wait
        // in the queue; twice the window capped at twice the path's product keeps the first 256 KiB. The receiver
        // sees the same queue in every round trip it measures but the first ones: sized by the smallest, its buffer
        // stays at the first 256 KiB too (sized by a smoothed RTT it grew to 2 MiB, every byte of it queued).
        final FaultProfile path = FaultProfile.builder().delay(200_000L).rate(100_000_000L).queueFrames(1000).build();
        final BulkSink[] receiver = new BulkSink[1];
        final BulkSource sender = new BulkSource(BYTES, false);
        final double goodput = goodput(TcpConfig.DEFAULT, receiver, sender, path);
        System.out.printf("short path: %.1f Mbit/s; receiver %s; sender %s%n", goodput, receiver[0].info, sender.info);
        assertTrue(goodput > 90, "goodput " + goodput);
        assertTrue(sender.info.cwnd > 4 * TcpConfig.DEFAULT.sendBuffer() / 1448 / 10, "the window grew: " + sender.info);
        assertTrue(sender.info.sendBuffer == TcpConfig.DEFAULT.sendBuffer(), "send buffer " + sender.info.sendBuffer);
        assertTrue(receiver[0].info.receiveBuffer == TcpConfig.DEFAULT.receiveBuffer(),
            "receive buffer " + receiver[0].info.receiveBuffer);
    }

    @Test
    void shouldMeasureSubMillisecondRoundTripsWithTimestampsOn()
    {
        // The echoed timestamp counts milliseconds; a 0.4 ms round trip is measured from the record of segments.
        final FaultProfile path = FaultProfile.builder().delay(200_000L).rate(100_000_000L).queueFrames(1000).build();
        final BulkSink[] receiver = new BulkSink[1];
        final BulkSource sender = new BulkSource(BYTES, false);
        goodput(TcpConfig.DEFAULT.withBuffers(1 << 13), receiver, sender, path);
        // An 8 KiB window queues at most 0.7 ms at 100 Mbit/s. From the echo, samples would be 1 us (same
        // millisecond) or 1 ms: a mean anywhere between and a variation of hundreds of microseconds.
        assertTrue(sender.info.srttNs >= 350_000L && sender.info.srttNs < 1_100_000L, "srtt " + sender.info.srttNs);
        assertTrue(sender.info.rttvarNs < 150_000L, "rttvar " + sender.info.rttvarNs);
    }
}
