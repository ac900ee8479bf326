package io.flowstack.tcp.tcb;

import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpLimits;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load on one core, with the heap it takes measured (after full collections, so live objects only): 10,000
 * established connections and a flood of 100,000 SYNs that never complete, then connect/request/response/close
 * cycles (TCP_CRR) before, during and after. The heap per connection must stay within what the README states, the
 * SYN queue within its backlog (the rest of the flood answered with cookies, holding nothing), and every short
 * connection must complete after the load as before. The CRR rates (wall clock, this harness's peer included) are
 * printed, not asserted; the README keeps them.
 */
class ConnectionLoadTest
{
    /** Heap of an idle established connection with the default buffers, as the README states it (bytes). */
    static final int ESTABLISHED_BYTES = 6 * 1024;
    /** Heap of a half-open connection (SYN-RECEIVED), as the README states it (bytes). */
    static final int HALF_OPEN_BYTES = 5 * 1024;
    private static final int PORT = 80;
    private static final int ESTABLISHED = 10_000;
    private static final int FLOOD = 100_000;
    private static final int CRR = 5_000;
    /** Remote hosts: 0.. for established connections, 10.. for the flood, 100 for the short connections. */
    private static final int FLOOD_HOSTS = 10;
    private static final int CRR_HOST = 100;

    @Test
    void shouldHoldTenThousandEstablishedAndAHundredThousandHalfOpenWithinTheStatedMemory() throws Exception
    {
        try (LoadPeer peer = new LoadPeer(TcpConfig.DEFAULT))
        {
            peer.tcp.listen(0, PORT, c -> new Echo());
            crr(peer, 4 * CRR);
            final double before = crr(peer, CRR);
            final long heap0 = usedHeap();
            open(peer, ESTABLISHED, true, 0);
            assertEquals(ESTABLISHED, peer.tcp.connectionCount());
            final long heap1 = usedHeap();
            final long perEstablished = (heap1 - heap0) / ESTABLISHED;

            open(peer, FLOOD, false, FLOOD_HOSTS);
            final int backlog = TcpConfig.DEFAULT.backlog();
            assertEquals(ESTABLISHED + backlog, peer.tcp.connectionCount(), "the SYN queue holds its backlog");
            assertEquals(FLOOD - backlog, peer.counter("tcp.syncookies.sent"), "the rest got cookies");
            final long heap2 = usedHeap();
            final double during = crr(peer, CRR);

            // The half-open connections time out; the established ones stay.
            peer.advance(TcpConfig.DEFAULT.synReceivedTimeoutNs() + 1_000_000_000L);
            assertEquals(ESTABLISHED, peer.tcp.connectionCount());
            final double after = crr(peer, CRR);
            System.out.printf("one core: %,d established connections %,d bytes each; a flood of %,d SYNs held %,d"
                    + " half-open in %,d bytes (%,d each); TCP_CRR %,.0f/s before, %,.0f/s with the load, %,.0f/s after"
                    + " (wall clock, harness included, after a warm-up of %,d)%n",
                ESTABLISHED, perEstablished, FLOOD, backlog, heap2 - heap1, (heap2 - heap1) / backlog, before, during,
                after, 4 * CRR);
            assertTrue(perEstablished <= ESTABLISHED_BYTES, perEstablished + " bytes per established connection");
            assertTrue(heap2 - heap1 <= (long)backlog * HALF_OPEN_BYTES + (1 << 20),
                (heap2 - heap1) + " bytes for the flood");
            assertEquals(0, peer.counter("tcp.memory.bytes"), "idle connections hold no buffer memory");
        }
    }

    @Test
    void shouldHoldAHundredThousandHalfOpenConnectionsWhenTheBacklogTakesThem() throws Exception
    {
        final TcpConfig config = TcpConfig.DEFAULT.withBacklog(FLOOD)
            .withLimits(TcpLimits.DEFAULT.withConnections(2 * FLOOD));
        try (LoadPeer peer = new LoadPeer(config))
        {
            peer.tcp.listen(0, PORT, c -> new Echo());
            final long heap0 = usedHeap();
            open(peer, FLOOD, false, FLOOD_HOSTS);
            assertEquals(FLOOD, peer.tcp.connectionCount());
            assertEquals(0, peer.counter("tcp.syncookies.sent"));
            final long perHalfOpen = (usedHeap() - heap0) / FLOOD;
            System.out.printf("one core: %,d half-open connections, %,d bytes each%n", FLOOD, perHalfOpen);
            assertTrue(perHalfOpen <= HALF_OPEN_BYTES, perHalfOpen + " bytes per half-open connection");
            peer.advance(config.synReceivedTimeoutNs() + 1_000_000_000L);
            assertEquals(0, peer.tcp.connectionCount());
            assertEquals(CRR, crr(peer, CRR) > 0 ? CRR : 0, "short connections after the flood");
        }
    }

    /** The heap in use after full collections: live objects only. */
    static long usedHeap()
    {
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Sends {@code n} SYNs from distinct remote tuples (50,000 ports per remote host, 50,000 SYNs a second of
     * virtual time, so their timers spread over the wheel's ticks); completes the handshakes when {@code complete}.
     */
    static void open(final LoadPeer peer, final int n, final boolean complete, final int firstHost)
    {
        peer.onReply((remote, remotePort, localPort, flags, seq, ack, tsVal, payload) ->
        {
            if (complete && flags == (TcpFlyweight.SYN | TcpFlyweight.ACK))
            {
                peer.send(remote, remotePort, localPort, TcpFlyweight.ACK, ack, seq + 1, tsVal, null, 0);
            }
        });
        for (int i = 0; i < n; i++)
        {
            peer.syn(LoadPeer.remote(firstHost + i / 50_000), 10_000 + i % 50_000, PORT, i * 7919);
            if (i % 50 == 49)
            {
                peer.advance(1_000_000L);
            }
        }
        peer.run();
    }

    /**
     * TCP_CRR from four loops at once: connect, one byte, one byte back, close first (the peer frees its port at
     * once, as the benchmark's kernel does); each loop starts its next connection when the last one closed.
     *
     * @return connections per second of wall clock; every one of the {@code n} must complete.
     */
    static double crr(final LoadPeer peer, final int n)
    {
        final int remote = LoadPeer.remote(CRR_HOST);
        final byte[] one = {'x'};
        final int[] started = {0};
        final int[] done = {0};
        final int[] port = {1024};
        final Runnable next = () ->
        {
            if (started[0] < n)
            {
                started[0]++;
                port[0] = port[0] == 65535 ? 1024 : port[0] + 1;
                peer.syn(remote, port[0], PORT, port[0] * 104_729);
            }
        };
        peer.onReply((host, remotePort, localPort, flags, seq, ack, tsVal, payload) ->
        {
            if (host != remote)
            {
                return;
            }
            if (flags == (TcpFlyweight.SYN | TcpFlyweight.ACK))
            {
                peer.send(host, remotePort, localPort, TcpFlyweight.ACK | TcpFlyweight.PSH, ack, seq + 1, tsVal, one, 1);
            }
            else if ((flags & TcpFlyweight.FIN) != 0)
            {
                peer.send(host, remotePort, localPort, TcpFlyweight.ACK, ack, seq + payload + 1, tsVal, null, 0);
                done[0]++;
                next.run();
            }
            else if (payload == 1)
            {
                peer.send(host, remotePort, localPort, TcpFlyweight.FIN | TcpFlyweight.ACK, ack, seq + 1, tsVal, null, 0);
            }
        });
        final long startNs = System.nanoTime();
        for (int i = 0; i < 4; i++)
        {
            next.run();
        }
        for (int guard = 0; done[0] < n && guard < 1000; guard++)
        {
            peer.run();
            peer.advance(1_000_000L);
        }
        final long elapsed = System.nanoTime() - startNs;
        assertEquals(n, done[0], "short connections completed");
        return n * 1e9 / elapsed;
    }

    /** Sends back what it reads; closes when the peer does. */
    private static final class Echo implements TcpHandler
    {
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

        @Override
        public void onConnected(final TcpConnection c)
        {
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = c.read(buffer, 0, buffer.capacity())) > 0)
            {
                c.write(buffer, 0, n);
            }
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            c.close();
        }
    }
}
