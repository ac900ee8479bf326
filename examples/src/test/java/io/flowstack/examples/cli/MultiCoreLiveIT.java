package io.flowstack.examples.cli;

import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flow ownership live, against the kernel: {@code flowstack serve --cores 2} on a single-queue and on a
 * multi-queue TAP, and with two interfaces each designated to a core. Needs root.
 */
class MultiCoreLiveIT
{
    private String ns;
    private NetNs netns;

    @BeforeEach
    void setUp() throws IOException
    {
        RootRequirement.assumeRoot();
        ns = Names.namespace("mc");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        NetNs.deleteIfExists(ns);
    }

    private void assertTwoHundredFlowsOnBothCores(final String... extra) throws Exception
    {
        final String tap = Names.device();
        final List<String> args = new ArrayList<>(List.of("--tap", tap, "--netns", ns, "--host-ip", "198.18.0.1/24",
            "--ip", "198.18.0.2/24", "--app", "udp-echo:7", "--cores", "2"));
        args.addAll(List.of(extra));
        try (FlowstackProcess server = FlowstackProcess.serve(args.toArray(new String[0])))
        {
            netns = NetNs.createOrAdopt(ns);
            assertEquals(200, UdpFlows.echo(netns, "198.18.0.2", 200));
            final String json = server.statJson();
            final long core0 = StatJson.counter(json, 0, "flows.owned");
            final long core1 = StatJson.counter(json, 1, "flows.owned");
            System.out.println("flows owned " + Arrays.toString(extra) + ": core 0 " + core0 + ", core 1 " + core1
                + "; forwarded by core 0: " + StatJson.counter(json, 0, "engine.forwarded_out")
                + ", by core 1: " + StatJson.counter(json, 1, "engine.forwarded_out"));
            assertTrue(core0 > 20 && core1 > 20, "both cores own flows: " + core0 + " / " + core1);
            assertEquals(200, core0 + core1, "every flow owned by exactly one core");
            server.stop();
            assertFalse(NetNs.exists(ns), "namespace removed on SIGTERM");
        }
    }

    @Test
    void shouldEchoTwoHundredFlowsOverBothCoresOnASingleQueueTap() throws Exception
    {
        assertTwoHundredFlowsOnBothCores();
    }

    @Test
    void shouldEchoTwoHundredFlowsOverBothCoresOnAMultiQueueTap() throws Exception
    {
        assertTwoHundredFlowsOnBothCores("--queues", "2");
    }

    @Test
    void shouldEchoTwoHundredFlowsOverBothCoresOnAMultiQueueTapThatLearnsItsSteering() throws Exception
    {
        assertTwoHundredFlowsOnBothCores("--queues", "2", "--kernel-steering", "off");
    }

    @Test
    void shouldAnswerEachInterfaceOnItsDesignatedCoreOnly() throws Exception
    {
        ToolRequirement.require("ping");
        final String tap0 = Names.device();
        final String tap1 = Names.device();
        try (FlowstackProcess server = FlowstackProcess.serve("--tap", tap0, "--tap", tap1, "--netns", ns,
            "--host-ip", "198.18.0.1/24", "--host-ip", "198.18.1.1/24", "--ip", "198.18.0.2/24", "--ip", "198.18.1.2/24",
            "--app", "udp-echo:7", "--cores", "2"))
        {
            netns = NetNs.createOrAdopt(ns);
            assertTrue(netns.exec("ping", "-c", "5", "-i", "0.05", "198.18.0.2").stdout().contains("5 received"));
            assertEquals(30, UdpFlows.echo(netns, "198.18.0.2", 30));
            String json = server.statJson();
            assertEquals(5, StatJson.counter(json, 0, "icmp.tx.echo_replies"));
            assertEquals(0, StatJson.counter(json, 1, "icmp.tx.echo_replies"));
            assertEquals(30, StatJson.counter(json, 0, "udp.rx.datagrams"));
            assertEquals(0, StatJson.counter(json, 1, "udp.rx.datagrams"));

            assertTrue(netns.exec("ping", "-c", "7", "-i", "0.05", "198.18.1.2").stdout().contains("7 received"));
            assertEquals(40, UdpFlows.echo(netns, "198.18.1.2", 40));
            json = server.statJson();
            assertEquals(5, StatJson.counter(json, 0, "icmp.tx.echo_replies"));
            assertEquals(7, StatJson.counter(json, 1, "icmp.tx.echo_replies"));
            assertEquals(30, StatJson.counter(json, 0, "udp.rx.datagrams"));
            assertEquals(40, StatJson.counter(json, 1, "udp.rx.datagrams"));
            assertEquals(0, StatJson.counter(json, 0, "engine.forwarded_out"), "designated: nothing to forward");
            assertEquals(0, StatJson.counter(json, 1, "engine.forwarded_out"));
        }
    }

    @Test
    void shouldHashTwoMultiQueueInterfacesOverTheSameCores() throws Exception
    {
        try (FlowstackProcess server = FlowstackProcess.serve("--tap", Names.device(), "--tap", Names.device(),
            "--netns", ns, "--host-ip", "198.18.0.1/24", "--host-ip", "198.18.1.1/24",
            "--ip", "198.18.0.2/24", "--ip", "198.18.1.2/24", "--app", "udp-echo:7",
            "--cores", "2", "--queues", "2", "--designate", "hashed"))
        {
            netns = NetNs.createOrAdopt(ns);
            assertEquals(100, UdpFlows.echo(netns, "198.18.0.2", 100));
            assertEquals(100, UdpFlows.echo(netns, "198.18.1.2", 100));
            final String json = server.statJson();
            final long core0 = StatJson.counter(json, 0, "udp.rx.datagrams");
            final long core1 = StatJson.counter(json, 1, "udp.rx.datagrams");
            assertTrue(core0 > 40 && core1 > 40, "both interfaces' flows spread over both cores: " + core0 + " / " + core1);
        }
    }
}
