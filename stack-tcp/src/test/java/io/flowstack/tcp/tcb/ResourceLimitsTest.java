package io.flowstack.tcp.tcb;

import io.flowstack.ip.wire.TcpFlyweight;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpLimits;
import io.flowstack.tcp.api.TcpState;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every TCP bound of a core ({@link TcpLimits}) reached by peers: what passes it is dropped and counted, nothing
 * throws into the stack, and the connections within the bounds carry on (their data is acknowledged and read).
 */
class ResourceLimitsTest
{
    private static final int PORT = 80;
    private static final byte[] DATA = new byte[1000];

    /** A remote client, as far as the segments it got tell. */
    private static final class Client
    {
        final int host;
        final int port;
        int seq;
        int ack;
        int tsEcr;
        /** The highest acknowledgment number the stack sent this client. */
        int acked;

        Client(final int host, final int port)
        {
            this.host = host;
            this.port = port;
        }
    }

    /** Takes each connection and keeps it; reads only when told. */
    private static final class Server implements TcpHandler
    {
        final List<TcpConnection> accepted = new ArrayList<>();
        final List<TcpConnection> writable = new ArrayList<>();

        @Override
        public void onConnected(final TcpConnection c)
        {
            accepted.add(c);
        }

        @Override
        public void onData(final TcpConnection c)
        {
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            writable.add(c);
        }
    }

    private final Long2ObjectHashMap<Client> clients = new Long2ObjectHashMap<>();
    private final Server server = new Server();
    private LoadPeer peer;

    private LoadPeer start(final TcpConfig config) throws Exception
    {
        peer = new LoadPeer(config);
        peer.tcp.listen(0, PORT, c -> server);
        peer.onReply((remote, remotePort, localPort, flags, seq, ack, tsVal, payload) ->
        {
            final Client c = clients.get((long)remote << 16 | remotePort);
            if (c == null)
            {
                return;
            }
            c.tsEcr = tsVal;
            c.acked = ack;
            if ((flags & TcpFlyweight.SYN) != 0)
            {
                c.ack = seq + 1;
                c.seq = ack;
                send(c, TcpFlyweight.ACK, 0);
            }
        });
        return peer;
    }

    private Client connect(final int host, final int port)
    {
        final Client c = new Client(LoadPeer.remote(host), port);
        clients.put((long)c.host << 16 | c.port, c);
        peer.syn(c.host, c.port, PORT, port * 1000);
        peer.run();
        return c;
    }

    private void send(final Client c, final int flags, final int bytes)
    {
        sendAt(c, c.seq, flags, bytes);
    }

    private void sendAt(final Client c, final int seq, final int flags, final int bytes)
    {
        peer.send(c.host, c.port, PORT, flags, seq, c.ack, c.tsEcr, DATA, bytes);
        peer.run();
    }

    @Test
    void shouldDropSynsBeyondTheConnectionLimitAndKeepServingTheOthers() throws Exception
    {
        start(TcpConfig.DEFAULT.withLimits(TcpLimits.DEFAULT.withConnections(2)));
        final Client a = connect(0, 1000);
        connect(0, 1001);
        final Client c = connect(0, 1002);
        assertEquals(2, peer.tcp.connectionCount());
        assertEquals(0, c.acked, "no SYN,ACK for the third");
        assertEquals(1, peer.counter("tcp.connections.limit_drops"));
        assertEquals(1, peer.counter("rx.drops"));
        send(a, TcpFlyweight.ACK | TcpFlyweight.PSH, 100);
        peer.advance(50_000_000L);
        assertEquals(a.seq + 100, a.acked, "the connections within the bound carry on");
        assertEquals(2, server.accepted.size());
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> peer.tcp.connect(LoadPeer.remote(1), 80, server));
        assertTrue(refused.getMessage().contains("maximum"), refused.getMessage());
        assertEquals(2, peer.counter("tcp.connections.limit_drops"));
        // One closes: the next SYN gets in.
        server.accepted.get(1).abort();
        final Client d = connect(0, 1003);
        assertEquals(2, peer.tcp.connectionCount());
        assertTrue(d.acked != 0, "a SYN,ACK for the next");
    }

    @Test
    void shouldCloseAtOnceInsteadOfTimeWaitBeyondItsBound() throws Exception
    {
        start(TcpConfig.DEFAULT.withLimits(TcpLimits.DEFAULT.withTimeWait(1)));
        final Client a = connect(0, 1000);
        final Client b = connect(0, 1001);
        for (final TcpConnection connection : server.accepted)
        {
            connection.close();
        }
        peer.run();
        for (final Client c : new Client[] {a, b})
        {
            // The stack's FIN, acknowledged with the peer's own.
            c.ack++;
            send(c, TcpFlyweight.FIN | TcpFlyweight.ACK, 0);
        }
        peer.advance(5_000_000L);
        assertEquals(1, peer.tcp.connectionCount(), "one in TIME-WAIT, the other closed at once");
        assertEquals(TcpState.TIME_WAIT, server.accepted.get(0).state());
        assertEquals(1, peer.counter("tcp.timewait.overflows"));
        assertEquals(b.seq + 1, b.acked, "its last ACK went out first");
    }

    @Test
    void shouldDropOutOfOrderDataBeyondTheConnectionsBound() throws Exception
    {
        start(TcpConfig.DEFAULT.withLimits(TcpLimits.DEFAULT.withOutOfOrder(1500, 0)));
        final Client a = connect(0, 1000);
        sendAt(a, a.seq + 1000, TcpFlyweight.ACK, 1000);
        assertEquals(a.seq, a.acked, "held out of order, a duplicate ACK");
        assertEquals(1000, peer.counter("tcp.ooo.bytes"));
        a.acked = 0;
        sendAt(a, a.seq + 3000, TcpFlyweight.ACK, 1000);
        assertEquals(0, a.acked, "dropped: 2000 out-of-order bytes would pass 1500");
        assertEquals(1, peer.counter("tcp.rx.ooo_limit_drops"));
        send(a, TcpFlyweight.ACK, 1000);
        assertEquals(a.seq + 2000, a.acked, "in-order data always gets in, and joins what was held");
        assertEquals(0, peer.counter("tcp.ooo.bytes"));
    }

    @Test
    void shouldDropOutOfOrderDataBeyondTheCoresBound() throws Exception
    {
        start(TcpConfig.DEFAULT.withLimits(TcpLimits.DEFAULT.withOutOfOrder(0, 1500)));
        final Client a = connect(0, 1000);
        final Client b = connect(0, 1001);
        sendAt(a, a.seq + 1000, TcpFlyweight.ACK, 1000);
        b.acked = 0;
        sendAt(b, b.seq + 1000, TcpFlyweight.ACK, 1000);
        assertEquals(0, b.acked, "the core holds 1000 of 1500 already");
        assertEquals(1, peer.counter("tcp.rx.ooo_limit_drops"));
        send(b, TcpFlyweight.ACK, 1000);
        assertEquals(b.seq + 1000, b.acked, "b's in-order data still gets in");
        server.accepted.get(0).abort();
        peer.run();
        assertEquals(0, peer.counter("tcp.ooo.bytes"), "a closed connection gives its out-of-order bytes back");
    }

    @Test
    void shouldDropDataWithoutARingAndTakeItOnceMemoryIsGivenBack() throws Exception
    {
        // Room for two 4 KiB rings.
        start(TcpConfig.DEFAULT.withBuffers(4096).withLimits(TcpLimits.DEFAULT.withBufferMemory(8192)));
        final Client a = connect(0, 1000);
        final Client b = connect(0, 1001);
        final Client c = connect(0, 1002);
        send(a, TcpFlyweight.ACK | TcpFlyweight.PSH, 100);
        send(b, TcpFlyweight.ACK | TcpFlyweight.PSH, 100);
        c.acked = 0;
        send(c, TcpFlyweight.ACK | TcpFlyweight.PSH, 100);
        peer.advance(50_000_000L);
        assertEquals(a.seq + 100, a.acked);
        assertEquals(b.seq + 100, b.acked);
        assertEquals(0, c.acked, "c's data found no ring: dropped as if lost");
        assertEquals(1, peer.counter("tcp.rx.memory_drops"));
        assertEquals(8192, peer.counter("tcp.memory.bytes"));
        // The application writes on c: nothing taken until memory comes back, then onWritable.
        final TcpConnection onC = server.accepted.get(2);
        assertEquals(0, onC.write(new UnsafeBuffer(DATA), 0, 10));
        assertTrue(server.writable.isEmpty());
        server.accepted.get(0).read(new UnsafeBuffer(new byte[200]), 0, 200);
        peer.run();
        assertEquals(List.of(onC), server.writable, "told once a's ring came back");
        assertEquals(10, onC.write(new UnsafeBuffer(DATA), 0, 10));
        // The retransmission of c's data would still find no ring (c's send ring took a's); once b reads, it does.
        server.accepted.get(1).read(new UnsafeBuffer(new byte[200]), 0, 200);
        send(c, TcpFlyweight.ACK | TcpFlyweight.PSH, 100);
        peer.advance(50_000_000L);
        assertEquals(c.seq + 100, c.acked, "taken once memory was given back");
        assertTrue(peer.counter("tcp.memory.refused") >= 2);
    }
}
