package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimLink;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.CongestionAlgorithm;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpInfo;

import java.util.function.Predicate;

/**
 * One bulk transfer through the simulator over a path like lossy-path.sh's: a 100 Mbit/s bottleneck with a queue
 * of one bandwidth-delay product (at least 64 KiB), a round-trip time and random loss each way; the sender uses the
 * congestion control given. Measures goodput as the receiving application sees it.
 */
final class CongestionControlGoodput
{
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    static final long RATE = 100_000_000L;

    /**
     * What a run measured.
     *
     * @param queueDrops frames the bottleneck queues dropped because they were full.
     * @param offered    frames offered to the links.
     * @param undos      reductions undone as spurious (D-SACK or timestamps), both hosts.
     */
    record Result(double mbits, long bytes, long elapsedNs, TcpInfo sender, long queueDrops, long offered, long undos)
    {
        /** @return the share of offered frames the full queues dropped. */
        double queueLossRate()
        {
            return offered == 0 ? 0 : (double)queueDrops / offered;
        }
    }

    private CongestionControlGoodput()
    {
    }

    /**
     * @param cc     the sender's congestion control.
     * @param pacing pace a window-based one.
     * @param rttNs  the path's round-trip time.
     * @param loss   loss probability each way.
     * @param bytes  what to send.
     * @param seed   the simulation's seed.
     * @return the goodput.
     */
    static Result run(final CongestionAlgorithm cc, final boolean pacing, final long rttNs, final double loss,
        final long bytes, final long seed) throws Exception
    {
        return run(cc, pacing, rttNs, loss, bytes, seed, 0);
    }

    /**
     * @param queueFrames the bottleneck queue in frames; 0 for one bandwidth-delay product, at least 44 (64 KiB).
     * @return the goodput over a path with that queue; the other parameters as above.
     */
    static Result run(final CongestionAlgorithm cc, final boolean pacing, final long rttNs, final double loss,
        final long bytes, final long seed, final int queueFrames) throws Exception
    {
        return run(cc, pacing, rttNs, loss, bytes, seed, queueFrames, c -> false);
    }

    /**
     * @param stop asked after every instant of the simulation, once the sender is connected, with its connection:
     *             true ends the run there (the result counts what arrived until then).
     * @return the goodput over the path until the transfer completed or {@code stop} said so; the other parameters
     *         as above.
     */
    static Result run(final CongestionAlgorithm cc, final boolean pacing, final long rttNs, final double loss,
        final long bytes, final long seed, final int queueFrames, final Predicate<TcpConnection> stop) throws Exception
    {
        final int bdpFrames = (int)(RATE / 8 * rttNs / S / 1514);
        final FaultProfile path = FaultProfile.builder().loss(loss).delay(rttNs / 2).rate(RATE)
            .queueFrames(queueFrames > 0 ? queueFrames : Math.max(bdpFrames, 44)).build();
        final TcpConfig config = TcpConfig.DEFAULT.withMsl(S);
        try (SimNetwork net = new SimNetwork(seed))
        {
            final BulkSink sink = new BulkSink(net, bytes);
            net.newHost("server").cores(1).address(SimNetwork.SERVER_ADDRESS).configure(b -> b.tcp(config))
                .onEachCore(core -> core.listen(5001, c -> sink)).build();
            final SimHost client = net.newHost("client").cores(1).address(SimNetwork.CLIENT_ADDRESS)
                .configure(b -> b.tcp(config)).build();
            net.connect(client, net.host("server"), path, path);
            final BulkSource source = new BulkSource(bytes, false);
            final ConnectionOptions options = ConnectionOptions.DEFAULT.withCongestionControl(cc).withPacing(pacing);
            final long start = net.simulator().now();
            client.stack().core(0).submit(c -> c.connect(Ipv4Flyweight.parseAddress("198.18.0.2"), 5001, source, options));
            final boolean done = net.runUntil(() -> sink.doneAt >= 0
                || source.connection != null && stop.test(source.connection), 600 * S);
            final long end = done && sink.doneAt >= 0 ? sink.doneAt : net.simulator().now();
            if (source.connection != null)
            {
                source.connection.info(source.info);
            }
            long queueDrops = 0;
            long offered = 0;
            for (final SimLink link : net.simulator().links())
            {
                queueDrops += link.injector().queueDropped();
                offered += link.injector().offered();
            }
            return new Result(sink.read * 8.0 / ((end - start) / 1e9) / 1e6, sink.read, end - start, source.info,
                queueDrops, offered, net.counter("tcp.undos"));
        }
    }
}
