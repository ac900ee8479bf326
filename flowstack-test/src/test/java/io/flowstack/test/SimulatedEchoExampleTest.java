package io.flowstack.test;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.sim.SimNetwork;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's TCP example on the simulator, as a user of the test kit writes it: an echo server and a client on
 * two simulated hosts, a lossy link between them, a seed per run (printed when it fails).
 */
@ExtendWith(SimulationSeedExtension.class)
class SimulatedEchoExampleTest
{
    @Test
    void shouldEchoEveryByteThroughALossyLink(final SimulationSeed seed) throws Exception
    {
        final int server = Ipv4Flyweight.parseAddress("198.18.0.2");
        final byte[] sent = new byte[200_000];
        new Random(seed.value()).nextBytes(sent);
        final ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        final FaultProfile lossy = FaultProfile.parse("loss=2%,reorder=1%,delay=5ms");
        try (SimNetwork net = SimNetwork.pair(seed.value(), 1, lossy,
            core -> { },                                   // the client gets its connection below
            core -> core.listen(7, connection -> new Echo())))
        {
            net.host("client").stack().core(0).submit(core -> core.connect(server, 7, new Client(sent, echoed)));
            assertTrue(net.runUntil(() -> echoed.size() == sent.length, 120_000_000_000L), echoed.size() + " bytes");
            assertArrayEquals(sent, echoed.toByteArray());
            assertEquals(0, net.host("server").counter("tcp.rx.bad_checksum"));
        }
    }

    /** Writes everything back. */
    static final class Echo implements TcpHandler
    {
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1 << 16]);

        @Override
        public void onConnected(final TcpConnection c)
        {
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = Math.min(Math.min(c.readable(), c.writable()), scratch.capacity())) > 0)
            {
                c.read(scratch, 0, n);
                c.write(scratch, 0, n);
            }
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            onData(c);
        }
    }

    /** Sends the bytes as the window allows and collects what comes back. */
    static final class Client implements TcpHandler
    {
        private final byte[] bytes;
        private final ByteArrayOutputStream received;
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1 << 16]);
        private int written;

        Client(final byte[] bytes, final ByteArrayOutputStream received)
        {
            this.bytes = bytes;
            this.received = received;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            onWritable(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            while (written < bytes.length)
            {
                final int n = c.write(new UnsafeBuffer(bytes), written, bytes.length - written);
                if (n == 0)
                {
                    return;
                }
                written += n;
            }
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = c.read(scratch, 0, scratch.capacity())) > 0)
            {
                final byte[] chunk = new byte[n];
                scratch.getBytes(0, chunk);
                received.writeBytes(chunk);
            }
        }
    }
}
