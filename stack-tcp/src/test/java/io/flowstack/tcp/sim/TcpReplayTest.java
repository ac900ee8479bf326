package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.test.SimulationSeedExtension;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A TCP run in the simulator is a function of its seed: the same seed gives the same frames at the same times,
 * initial sequence numbers included (found by the fuzzer: they came from a random secret, so a failing seed did
 * not replay).
 */
@ExtendWith(SimulationSeedExtension.class)
class TcpReplayTest
{
    private static final int PORT = 5001;
    private static final int BYTES = 256 * 1024;

    @Test
    void shouldReplayATcpTransferFrameForFrameFromItsSeed(final SimulationSeed seed)
    {
        final long first = run(seed.value());
        assertEquals(first, run(seed.value()), "the frame log of the same seed");
    }

    private static long run(final long seed)
    {
        final int[] read = {0};
        try (SimNetwork net = SimNetwork.pair(seed, 2, FaultProfile.parse("loss=1%,delay=1ms"), core -> { },
            core -> core.listen(PORT, c -> new TcpHandler()
            {
                private final UnsafeBuffer in = new UnsafeBuffer(new byte[1 << 16]);

                @Override
                public void onConnected(final TcpConnection connection)
                {
                }

                @Override
                public void onData(final TcpConnection connection)
                {
                    int n;
                    while ((n = connection.read(in, 0, in.capacity())) > 0)
                    {
                        read[0] += n;
                    }
                }
            })))
        {
            final SimHost client = net.host("client");
            client.stack().core(0).submit(ctx -> ctx.connect(
                Ipv4Flyweight.parseAddress("198.18.0.2"), PORT, new TcpHandler()
                {
                    private final UnsafeBuffer zeros = new UnsafeBuffer(new byte[BYTES]);
                    private int written;

                    @Override
                    public void onConnected(final TcpConnection connection)
                    {
                        onWritable(connection);
                    }

                    @Override
                    public void onWritable(final TcpConnection connection)
                    {
                        while (written < BYTES)
                        {
                            final int n = connection.write(zeros, written, BYTES - written);
                            if (n <= 0)
                            {
                                return;
                            }
                            written += n;
                        }
                        connection.close();
                    }

                    @Override
                    public void onData(final TcpConnection connection)
                    {
                    }
                }));
            assertTrue(net.runUntil(() -> read[0] == BYTES, 60_000_000_000L), "the transfer");
            return net.simulator().frameLog().digest();
        }
    }
}
