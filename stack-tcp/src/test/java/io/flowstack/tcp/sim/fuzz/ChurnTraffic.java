package io.flowstack.tcp.sim.fuzz;

import io.flowstack.core.sim.Simulator;
import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.sim.SimHost;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Random;

/**
 * Short connections opened and closed all the time beside the transfer, so that the fuzzer finds connections in
 * every state to aim at: each closes in one of five ways chosen by the client's port (the server sees the same
 * port): the client closes first (FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT on the client; CLOSE-WAIT, LAST-ACK on the
 * server), the server closes first (the other way round), both at the same instant (CLOSING), the client aborts
 * (RST), or the server never reads and the client's data fills its window (zero-window probes) until both give
 * up. Their bytes are not checked: the fuzzer may reset them, feed them garbage or cut them short; every one ends
 * by a timer of its own at the latest.
 */
final class ChurnTraffic
{
    static final int PORT = 5002;
    private static final long MS = 1_000_000L;
    private static final int WAYS = 5;

    private final Simulator sim;
    private SimHost client;
    private final int serverAddress;
    private final Random random;
    private final UnsafeBuffer bytes = new UnsafeBuffer(new byte[8192]);
    private final UnsafeBuffer sink = new UnsafeBuffer(new byte[1 << 16]);
    private boolean running;
    long opened;
    long accepted;

    ChurnTraffic(final Simulator sim, final int serverAddress, final long seed)
    {
        this.sim = sim;
        this.serverAddress = serverAddress;
        this.random = new Random(seed);
    }

    /** The server's side: installed on each server core. */
    void listen(final CoreContext core) throws java.io.IOException
    {
        core.listen(PORT, c ->
        {
            accepted++;
            return new ServerSide(core, c.remotePort() % WAYS);
        });
    }

    /** Opens a connection every {@code intervalNs} (on average) from a random client core until {@link #stop()}. */
    void start(final SimHost from, final long intervalNs)
    {
        client = from;
        running = true;
        sim.scheduleAfter(0, new Runnable()
        {
            @Override
            public void run()
            {
                if (!running)
                {
                    return;
                }
                final CoreContext core = client.stack().core(random.nextInt(client.cores()));
                core.submit(ctx ->
                {
                    final ClientSide side = new ClientSide(core);
                    side.connection = ctx.connect(serverAddress, PORT, side);
                    opened++;
                });
                sim.scheduleAfter(intervalNs / 2 + random.nextLong(intervalNs), this);
            }
        });
    }

    void stop()
    {
        running = false;
    }

    /** Runs {@code action} on the connection's core after {@code delayNs}; a connection already gone ignores it. */
    private void later(final CoreContext core, final long delayNs, final Runnable action)
    {
        sim.scheduleAfter(delayNs, () -> core.submit(ctx -> action.run()));
    }

    private void drain(final TcpConnection c)
    {
        while (c.read(sink, 0, sink.capacity()) > 0)
        {
            // not checked: the fuzzer may have written into this stream
        }
    }

    private final class ClientSide implements TcpHandler
    {
        private final CoreContext core;
        TcpConnection connection;
        private int way = -1;

        ClientSide(final CoreContext core)
        {
            this.core = core;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            way = c.localPort() % WAYS;
            switch (way)
            {
                case 0 ->
                {
                    c.write(bytes, 0, 3000);
                    c.shutdownOutput();
                }
                case 1 -> c.write(bytes, 0, 100);
                case 2 -> later(core, 4 * MS, c::close);
                case 3 ->
                {
                    c.write(bytes, 0, 2000);
                    later(core, 2 * MS, c::abort);
                }
                default -> onWritable(c);
            }
            // Whatever happens, this side is gone after a while.
            later(core, 60 * MS, c::close);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            if (way == 4)
            {
                while (c.write(bytes, 0, bytes.capacity()) > 0)
                {
                    // fill the peer's window: it never reads
                }
            }
        }

        @Override
        public void onData(final TcpConnection c)
        {
            drain(c);
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            drain(c);
            if (way == 1)
            {
                later(core, 3 * MS, c::close);
            }
        }
    }

    private final class ServerSide implements TcpHandler
    {
        private final CoreContext core;
        private final int way;

        ServerSide(final CoreContext core, final int way)
        {
            this.core = core;
            this.way = way;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            switch (way)
            {
                case 1 ->
                {
                    c.write(bytes, 0, 3000);
                    c.close();
                }
                case 2 -> later(core, 3 * MS, c::close);
                case 4 -> later(core, 25 * MS, c::abort);
                default ->
                {
                }
            }
            later(core, 80 * MS, c::close);
        }

        @Override
        public void onData(final TcpConnection c)
        {
            if (way != 4)
            {
                drain(c);
            }
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            if (way != 4)
            {
                drain(c);
            }
            if (way == 0 || way == 3)
            {
                c.close();
            }
        }
    }
}
