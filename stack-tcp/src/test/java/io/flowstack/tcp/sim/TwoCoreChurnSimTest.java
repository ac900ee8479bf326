package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimulationSeed;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpInfo;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two cores per host, as the benchmark runs {@code serve --cores 2} on one queue: core 0 reads every frame and
 * forwards what core 1 owns. Over many seeds (each a different RSS key, so a different split of connections between
 * the cores) and fault profiles, echo connections moving 64 KiB writes and connect/request/response/close loops like
 * TCP_CRR (the client closes first and, as the benchmark's kernel with tcp_max_tw_buckets=0, reuses its ports at
 * once) must all finish: no connection may stall on either core. Ten seeds and {@link #DEADLOCK_SEED} by default;
 * more with {@code -Dflowstack.churn.seeds=200} (and {@code -Dflowstack.sim.seed=N} for the first).
 */
class TwoCoreChurnSimTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int ECHO_PORT = 7;
    private static final int ECHO_BYTES = 2 << 20;
    private static final int CRR_LOOPS = 4;
    private static final int CRR_EACH = 150;
    /**
     * The seed that found an echo deadlocked with both retransmission timers at a minute: a window taken without its
     * ACK, then a closed window that dropped the ACKs that would have opened it (see ClosedWindowScriptTest).
     */
    private static final long DEADLOCK_SEED = 1128;
    private static final String[] DIAGNOSTICS = {"rx.drops", "tcp.rx.out_of_window", "tcp.rx.paws_rejected",
        "tcp.rx.memory_drops", "tcp.rx.ooo_limit_drops", "tcp.memory.refused", "tcp.tx.challenge_acks",
        "tcp.tx.challenge_acks_limited", "tcp.timeouts", "tcp.retransmits", "engine.ring_drops", "tcp.rx.bad_checksum",
        "tcp.undos", "tcp.tx.window_probes"};
    private static final String[] FAULTS = {
        "delay=20us", "delay=50us,jitter=30us", "loss=0.5%,delay=100us", "dup=1%,reorder=1%:200us,delay=50us",
        "loss=2%,delay=1ms,jitter=200us"};

    @Test
    void shouldFinishEveryEchoAndEveryShortConnectionOnTwoCores() throws Exception
    {
        final int seeds = Integer.getInteger("flowstack.churn.seeds", 10);
        final Long chosen = Long.getLong("flowstack.sim.seed");
        final long first = chosen != null ? chosen : 1L;
        for (long seed = first; seed < first + seeds; seed++)
        {
            run(seed, FaultProfile.parse(FAULTS[(int)(seed % FAULTS.length)]));
        }
        if (chosen == null)
        {
            run(DEADLOCK_SEED, FaultProfile.parse(FAULTS[(int)(DEADLOCK_SEED % FAULTS.length)]));
        }
    }

    private static void run(final long seed, final FaultProfile faults) throws Exception
    {
        SimulationSeed.of(seed).run(s ->
        {
            final TcpConfig serverConfig = TcpConfig.DEFAULT;
            // The client frees its ports at once after closing, as the benchmark's kernel does.
            final TcpConfig clientConfig = TcpConfig.DEFAULT.withMsl(MS / 2);
            final List<Echoer> echoes = new ArrayList<>();
            final List<Churn> loops = new ArrayList<>();
            try (SimNetwork net = new SimNetwork(s))
            {
                final SimHost server = net.newHost("server").cores(2).address(SimNetwork.SERVER_ADDRESS)
                    .configure(b -> b.tcp(serverConfig))
                    .onEachCore(core -> core.listen(ECHO_PORT, c -> new EchoServer())).build();
                final SimHost client = net.newHost("client").cores(2).address(SimNetwork.CLIENT_ADDRESS)
                    .configure(b -> b.tcp(clientConfig)).build();
                net.connect(client, server, faults, faults);
                if (System.getProperty("flowstack.churn.pcap") != null)
                {
                    net.simulator().capture(java.nio.file.Path.of(System.getProperty("flowstack.churn.pcap")));
                }
                final int serverIp = Ipv4Flyweight.parseAddress("198.18.0.2");
                for (int core = 0; core < 2; core++)
                {
                    final var ctx = client.stack().core(core);
                    final Echoer echo = new Echoer();
                    echoes.add(echo);
                    ctx.submit(c -> c.connect(serverIp, ECHO_PORT, echo));
                    for (int i = 0; i < CRR_LOOPS; i++)
                    {
                        final Churn churn = new Churn(ctx, serverIp);
                        loops.add(churn);
                        ctx.submit(c -> churn.next());
                    }
                }
                final boolean done = net.runUntil(() -> echoes.stream().allMatch(e -> e.closed)
                    && loops.stream().allMatch(l -> l.done == CRR_EACH), 300 * S);
                final StringBuilder why = new StringBuilder("[" + faults + "] ");
                for (final Echoer e : echoes)
                {
                    why.append("echo sent ").append(e.written).append(" back ").append(e.read).append(e.closed ? " closed; " : "; ");
                }
                for (final Churn l : loops)
                {
                    why.append("crr ").append(l.done).append('/').append(CRR_EACH).append(' ');
                }
                if (!done)
                {
                    why.append("\nserver: ").append(connections(server)).append("\nclient: ").append(connections(client));
                    for (final SimHost h : List.of(server, client))
                    {
                        why.append('\n').append(h.name()).append(" counters:");
                        for (final String name : DIAGNOSTICS)
                        {
                            why.append(' ').append(name).append('=').append(h.counter(name));
                        }
                    }
                }
                assertTrue(done, why.toString());
                for (final Echoer e : echoes)
                {
                    assertEquals(ECHO_BYTES, e.read, why.toString());
                }
            }
        });
    }

    private static String connections(final SimHost host)
    {
        final StringBuilder b = new StringBuilder();
        for (int core = 0; core < host.cores(); core++)
        {
            final int c = core;
            host.stack().core(core).forEachConnection(t ->
                b.append("\n  core ").append(c).append(' ').append(t.localPort()).append("->").append(t.remotePort())
                    .append(' ').append(t.info(new TcpInfo())));
        }
        return b.toString();
    }

    /** Writes {@link #ECHO_BYTES} in 64 KiB writes, reads them back, then closes. */
    private static final class Echoer implements TcpHandler
    {
        private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[64 * 1024]);
        private final UnsafeBuffer in = new UnsafeBuffer(new byte[64 * 1024]);
        private int written;
        private int pendingOffset;
        private long read;
        private boolean closed;

        @Override
        public void onConnected(final TcpConnection c)
        {
            onWritable(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            while (written < ECHO_BYTES)
            {
                final int n = c.write(chunk, pendingOffset, chunk.capacity() - pendingOffset);
                if (n <= 0)
                {
                    return;
                }
                written += n;
                pendingOffset = (pendingOffset + n) % chunk.capacity();
            }
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = c.read(in, 0, in.capacity())) > 0)
            {
                read += n;
            }
            if (read == ECHO_BYTES)
            {
                c.close();
            }
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason)
        {
            closed = true;
        }
    }

    /** Sends back what it reads; closes after the peer's FIN once everything went back. */
    private static final class EchoServer implements TcpHandler
    {
        private final UnsafeBuffer held = new UnsafeBuffer(new byte[64 * 1024]);
        private int heldOffset;
        private int heldLength;
        private boolean peerClosed;

        @Override
        public void onConnected(final TcpConnection c)
        {
        }

        @Override
        public void onData(final TcpConnection c)
        {
            pump(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            pump(c);
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            peerClosed = true;
            pump(c);
        }

        private void pump(final TcpConnection c)
        {
            while (true)
            {
                if (heldLength > 0)
                {
                    final int n = c.write(held, heldOffset, heldLength);
                    heldOffset += n;
                    heldLength -= n;
                    if (heldLength > 0)
                    {
                        return;
                    }
                }
                final int n = c.read(held, 0, held.capacity());
                if (n <= 0)
                {
                    break;
                }
                heldOffset = 0;
                heldLength = n;
            }
            if (peerClosed && c.readable() == 0)
            {
                c.close();
            }
        }
    }

    /** TCP_CRR: connect, one byte, one byte back, close first; again. */
    private static final class Churn implements TcpHandler
    {
        private final io.flowstack.tcp.CoreContext tcp;
        private final int server;
        private final UnsafeBuffer one = new UnsafeBuffer(new byte[1]);
        private int done;

        Churn(final io.flowstack.tcp.CoreContext tcp, final int server)
        {
            this.tcp = tcp;
            this.server = server;
        }

        void next()
        {
            try
            {
                tcp.connect(server, ECHO_PORT, this);
            }
            catch (final java.io.IOException e)
            {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
            c.write(one, 0, 1);
        }

        @Override
        public void onData(final TcpConnection c)
        {
            if (c.read(one, 0, 1) == 1)
            {
                done++;
                c.close();
                if (done < CRR_EACH)
                {
                    next();
                }
            }
        }

        @Override
        public void onClosed(final TcpConnection c, final int reason)
        {
            if (reason != CLOSED_NORMALLY && done < CRR_EACH)
            {
                next();
            }
        }
    }
}
