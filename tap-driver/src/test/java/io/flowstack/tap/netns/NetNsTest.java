package io.flowstack.tap.netns;

import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Network namespaces made, used and removed through {@code ip}.
 */
class NetNsTest
{
    @BeforeEach
    void root()
    {
        RootRequirement.assumeRoot();
    }

    @Test
    void shouldCreateRunCommandsInsideAndDeleteOnClose() throws Exception
    {
        final String name = Names.namespace("ns");
        try (NetNs ns = NetNs.create(name))
        {
            assertTrue(NetNs.exists(name));
            assertTrue(ns.isOwned());
            final ExecResult links = ns.exec("ip", "-o", "link", "show").checkOk();
            final List<String> lines = links.stdout().lines().collect(Collectors.toList());
            assertEquals(1, lines.size(), "a fresh namespace has only loopback: " + links.stdout());
            assertTrue(lines.get(0).contains("lo:") && lines.get(0).contains("UP"), "loopback is up: " + lines);

            final ExecResult ipv6 = ns.exec("cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6",
                "/proc/sys/net/ipv6/conf/default/disable_ipv6").checkOk();
            assertEquals("1\n1", ipv6.stdout().strip(), "IPv6 disabled inside");

            final ExecResult failing = ns.exec("sh", "-c", "echo out; echo err >&2; exit 3");
            assertEquals(3, failing.exitCode());
            assertEquals("out", failing.stdout().strip());
            assertEquals("err", failing.stderr().strip());
            final IOException e = assertThrows(IOException.class, failing::checkOk);
            assertTrue(e.getMessage().contains("status 3") && e.getMessage().contains("err"), e.getMessage());
        }
        assertFalse(NetNs.exists(name), "closing deletes the namespace");
    }

    @Test
    void shouldRefuseAnExistingNameButAdoptItWithoutDeletingIt() throws Exception
    {
        final String name = Names.namespace("ns");
        try (NetNs ns = NetNs.create(name))
        {
            final IOException e = assertThrows(IOException.class, () -> NetNs.create(name));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());

            // Whoever made it turned IPv6 on for a device (as serve does for an IPv6 --host-ip): adopting keeps that.
            ns.exec("sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/all/disable_ipv6").checkOk();
            final NetNs adopted = NetNs.createOrAdopt(name);
            assertFalse(adopted.isOwned());
            assertEquals("0", adopted.exec("cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6").checkOk().stdout().strip(),
                "an adopted namespace is used as it is");
            adopted.close();
            assertTrue(NetNs.exists(name), "closing an adopted namespace leaves it");
            assertTrue(ns.isOwned());
        }
        assertFalse(NetNs.exists(name));
    }

    @Test
    void shouldCleanStaleNamespacesByPrefixOnly() throws Exception
    {
        final String prefix = Names.namespace("stale") + "-";
        final String keep = Names.namespace("keep");
        try (NetNs kept = NetNs.create(keep))
        {
            Command.run("ip", "netns", "add", prefix + "a").checkOk();
            Command.run("ip", "netns", "add", prefix + "b").checkOk();
            try
            {
                assertEquals(2, NetNs.cleanStale(prefix));
                assertFalse(NetNs.exists(prefix + "a"));
                assertFalse(NetNs.exists(prefix + "b"));
                assertTrue(NetNs.exists(kept.name()));
            }
            finally
            {
                NetNs.cleanStale(prefix);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> NetNs.cleanStale(""));
        assertThrows(IllegalArgumentException.class, () -> NetNs.cleanStale("a"));
    }

    @Test
    void shouldKillItsOwnBackgroundProcessesOnClose() throws Exception
    {
        final Process sleeper;
        try (NetNs ns = NetNs.create(Names.namespace("ns")))
        {
            sleeper = ns.startProcess(ProcessBuilder.Redirect.DISCARD, "sleep", "60");
            final Process echo = ns.startProcess("sh", "-c", "ip -o link show lo");
            assertTrue(new String(echo.getInputStream().readAllBytes()).contains("lo:"));
            assertEquals(0, echo.waitFor());
            assertTrue(sleeper.isAlive());
        }
        assertFalse(sleeper.isAlive(), "close kills processes it started");
    }

    @Test
    void shouldRunJavaCodeInsideTheNamespace() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("ns")))
        {
            // Sockets made on the joined thread belong to the namespace: only there is 198.18.0.1 local.
            ns.exec("ip", "addr", "add", "198.18.0.1/32", "dev", "lo").checkOk();
            final int port = ns.callInside(() ->
            {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("198.18.0.1", 0)))
                {
                    return socket.getLocalPort();
                }
            });
            assertTrue(port > 0);
            assertThrows(BindException.class, () -> new DatagramSocket(new InetSocketAddress("198.18.0.1", 0)).close(),
                "the calling thread stays in its own namespace");
            final IOException e = assertThrows(IOException.class, () -> ns.callInside(() ->
            {
                throw new IOException("from inside");
            }));
            assertEquals("from inside", e.getMessage());
        }
    }

    @Test
    void shouldRefuseToMoveAnInterfaceThatIsNotATapOrVeth() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("ns")))
        {
            final IOException e = assertThrows(IOException.class, () -> ns.moveLink("lo"));
            assertTrue(e.getMessage().contains("refusing"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ns.moveLink("bad name"));
        }
    }

    @Test
    void shouldTimeOutACommandThatHangs() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("ns")))
        {
            final long start = System.nanoTime();
            final IOException e = assertThrows(IOException.class,
                () -> ns.exec(Duration.ofMillis(300), "sleep", "30"));
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertTrue(System.nanoTime() - start < 10_000_000_000L);
        }
    }
}
