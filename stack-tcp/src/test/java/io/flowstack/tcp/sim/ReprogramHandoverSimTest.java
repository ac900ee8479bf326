package io.flowstack.tcp.sim;

import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.core.sim.FaultProfile;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.tcp.HandoverReport;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpHandler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reprogramming the table while TCP transfers run moves no live connection: every bucket changes core in the
 * middle of 20 transfers, each connection is pinned to the core that holds it and finishes there with every byte
 * intact, and connections opened afterwards follow the new table; over IPv4 and over IPv6 (the pins name either
 * family). Without the pins the moved connections would reach a core that does not know them and be reset.
 */
class ReprogramHandoverSimTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int PORT = 5001;
    private static final int CONNECTIONS = 20;
    private static final TcpConfig CONFIG = TcpConfig.DEFAULT.withMsl(5 * S);

    @ParameterizedTest(name = "IPv{0}")
    @ValueSource(ints = {4, 6})
    void shouldKeepEveryLiveConnectionWhileTheTableMovesEveryBucket(final int family) throws Exception
    {
        final List<TcpSimulationProperties.Side> servers = new ArrayList<>();
        final List<TcpSimulationProperties.Side> clients = new ArrayList<>();
        final IpAddress clientIp = IpAddress.parse(family == 4 ? "198.18.0.1" : "2001:2::1");
        final IpAddress serverIp = IpAddress.parse(family == 4 ? "198.18.0.2" : "2001:2::2");
        try (SimNetwork net = new SimNetwork(42))
        {
            final SimHost.Builder serverBuilder = net.newHost("server").cores(2).address(SimNetwork.SERVER_ADDRESS);
            final SimHost.Builder clientBuilder = net.newHost("client").cores(1).address(SimNetwork.CLIENT_ADDRESS);
            if (family == 6)
            {
                serverBuilder.ipv6(serverIp + "/64");
                clientBuilder.ipv6(clientIp + "/64");
            }
            final SimHost server = serverBuilder.configure(b -> b.tcp(CONFIG))
                .onEachCore(core -> core.listen(PORT, c -> side(servers, 7, core.coreId()))).build();
            final SimHost client = clientBuilder.configure(b -> b.tcp(CONFIG)).build();
            net.connect(client, server, FaultProfile.parse("delay=1ms"), FaultProfile.parse("delay=1ms"));
            connect(client, serverIp, clients, CONNECTIONS);
            assertTrue(net.runUntil(() -> servers.size() == CONNECTIONS, 10 * S), "all accepted");
            net.runFor(5 * MS);
            assertTrue(servers.stream().anyMatch(s -> s.read < s.data.length), "transfers still running");
            final int[] before = new int[2];
            servers.forEach(s -> before[s.core]++);
            assertTrue(before[0] > 0 && before[1] > 0, "connections on both cores: " + before[0] + "/" + before[1]);

            // Every bucket to the other core.
            final IndirectionTable moved = server.ownership().table();
            for (int b = 0; b < moved.size(); b++)
            {
                moved.set(b, 1 - moved.coreOfBucket(b));
            }
            assertTrue(server.stack().reprogram(moved));
            assertTrue(net.runUntil(() -> server.stack().reprogramReport() != null, S), "handover finished");
            final HandoverReport report = server.stack().reprogramReport();
            assertNotNull(report);
            assertTrue(report.completed(), report.toString());
            final long live = servers.stream().filter(s -> s.closedReason < 0).count();
            assertEquals(live, report.pinned(), "every live connection pinned: " + report);
            assertEquals(0, report.latePins(), "none opened during the handover, so none pinned late: " + report);

            assertTrue(net.runUntil(() -> clients.stream().allMatch(c -> c.closedReason >= 0)
                && servers.stream().allMatch(s -> s.closedReason >= 0), 60 * S), "transfers finished");
            for (int i = 0; i < CONNECTIONS; i++)
            {
                final TcpSimulationProperties.Side c = clients.get(i);
                assertEquals(TcpHandler.CLOSED_NORMALLY, c.closedReason, "client " + i + ": "
                    + TcpHandler.reasonName(c.closedReason) + " after " + c.read + " bytes");
                assertEquals(c.data.length, c.read);
            }
            for (final TcpSimulationProperties.Side s : servers)
            {
                assertEquals(TcpHandler.CLOSED_NORMALLY, s.closedReason, TcpHandler.reasonName(s.closedReason));
                assertArrayEquals(clients.get(0).sentDigest(), s.received.digest(), "server received intact");
            }

            // New connections follow the new table: each is accepted on the core the moved table names.
            final int firstNew = servers.size();
            connect(client, serverIp, clients, 10);
            assertTrue(net.runUntil(() -> servers.size() == firstNew + 10, 10 * S));
            for (int i = firstNew; i < servers.size(); i++)
            {
                final TcpSimulationProperties.Side s = servers.get(i);
                final int hash = family == 4
                    ? server.ownership().hash().hashIpv4(clientIp.ipv4(), serverIp.ipv4(), s.remotePort, PORT)
                    : server.ownership().hash().hashIpv6(clientIp.high(), clientIp.low(), serverIp.high(),
                        serverIp.low(), s.remotePort, PORT);
                assertEquals(moved.core(hash), s.core, "a new connection lands where the new table says");
            }
        }
    }

    private static void connect(final SimHost client, final IpAddress server,
        final List<TcpSimulationProperties.Side> sides, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            final TcpSimulationProperties.Side side = side(sides, 1, 0);
            client.stack().core(0).submit(c -> c.connect(server, PORT, side));
        }
    }

    private static TcpSimulationProperties.Side side(final List<TcpSimulationProperties.Side> sides, final long seed,
        final int core)
    {
        try
        {
            final TcpSimulationProperties.Side side = new TcpSimulationProperties.Side(seed, core);
            sides.add(side);
            return side;
        }
        catch (final Exception e)
        {
            throw new IllegalStateException(e);
        }
    }
}
