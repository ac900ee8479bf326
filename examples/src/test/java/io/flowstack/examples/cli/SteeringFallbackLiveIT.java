package io.flowstack.examples.cli;

import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.netns.VethPair;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the kernel refuses extended BPF (here: the server runs without CAP_BPF and CAP_SYS_ADMIN, and this kernel
 * keeps unprivileged BPF off), a TAP says so in one line and keeps learning its steering, and raw sockets fall back
 * to a classic BPF fanout program, which still steers exactly, through a reprogramming too. Needs root (to set
 * up, and to drop the capabilities with setpriv).
 */
class SteeringFallbackLiveIT
{
    private static final String STACK_IP = "198.18.0.2";
    /** Without these, bpf(2) answers EPERM where kernel.unprivileged_bpf_disabled is set. */
    private static final List<String> WITHOUT_BPF = List.of("setpriv", "--bounding-set=-bpf,-sys_admin,-perfmon");

    private String ns;

    @BeforeEach
    void setUp() throws Exception
    {
        RootRequirement.assumeRoot();
        ns = Names.namespace("fallback");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        for (final String name : new String[] {ns + Launcher.STACK_NS_SUFFIX, ns})
        {
            NetNs.deleteIfExists(name);
        }
    }

    @Test
    void shouldSayInOneLineThatTheKernelRefusedAndKeepLearningOnATap() throws Exception
    {
        final String tap = Names.device();
        try (NetNs netns = NetNs.create(ns))
        {
            netns.exec("ip", "tuntap", "add", "dev", tap, "mode", "tap", "multi_queue").checkOk();
            netns.addAddress(tap, "198.18.0.1/24");
            netns.linkUp(tap);
            final List<String> prefix = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns));
            prefix.addAll(WITHOUT_BPF);
            try (FlowstackProcess server = FlowstackProcess.serveWith(prefix, "--tap", tap, "--ip", STACK_IP + "/24",
                "--app", "udp-echo:7", "--cores", "2", "--queues", "2"))
            {
                System.out.println("refused: " + server.notices() + " / " + server.firstLine());
                assertEquals(1, server.notices().size(), "one line: " + server.notices());
                assertTrue(server.notices().get(0).contains("TAP " + tap + ": the kernel refused the steering program")
                    && server.notices().get(0).contains("steering stays learned"), server.notices().get(0));
                assertTrue(server.firstLine().contains("(steering: learned)"), server.firstLine());
                assertEquals(200, UdpFlows.echo(netns, STACK_IP, 200));
                final String json = server.statJson();
                assertTrue(StatJson.counter(json, 0, "flows.owned") > 20
                    && StatJson.counter(json, 1, "flows.owned") > 20, "both cores own flows, as today");
            }
        }
    }

    @Test
    void shouldSteerRawSocketsExactlyWithClassicBpfWhenExtendedBpfIsRefused() throws Exception
    {
        final String ifName = Names.device();
        final String stackNs = ns + Launcher.STACK_NS_SUFFIX;
        try (VethPair veth = VethPair.create(ns, stackNs, ifName, "198.18.0.1/24"))
        {
            final List<String> prefix = new java.util.ArrayList<>(List.of("ip", "netns", "exec", stackNs));
            prefix.addAll(WITHOUT_BPF);
            try (FlowstackProcess server = FlowstackProcess.serveWith(prefix, "--raw", ifName, "--ip", STACK_IP + "/24",
                "--app", "udp-echo:7", "--app", "echo:5007", "--cores", "2"))
            {
                System.out.println("classic: " + server.firstLine());
                assertTrue(server.firstLine().contains("steering: exact, classic BPF PACKET_FANOUT_CBPF")
                    && server.firstLine().contains("the kernel refused the eBPF program"), server.firstLine());
                try (SteadyTraffic traffic = SteadyTraffic.start(veth.kernelNs(), STACK_IP, 7, 200, 5007, 100))
                {
                    traffic.awaitRounds(10);
                    final String before = server.statJson();
                    for (int core = 0; core < 2; core++)
                    {
                        assertTrue(StatJson.counter(before, core, "flows.owned") > 20, "core " + core);
                        assertEquals(0, StatJson.counter(before, core, "engine.forwarded_out"), "core " + core);
                    }
                    final Process p = new ProcessBuilder("java", "-jar", FlowstackProcess.jar(), "reprogram", "--pid",
                        Long.toString(server.pid()), "--weights", "3,1").redirectErrorStream(true).start();
                    final String answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                    assertEquals(0, p.waitFor(), answer);
                    final String at = server.statJson();
                    traffic.awaitRounds(10);
                    final String after = server.statJson();
                    for (int core = 0; core < 2; core++)
                    {
                        assertEquals(StatJson.counter(at, core, "engine.forwarded_out"),
                            StatJson.counter(after, core, "engine.forwarded_out"), "core " + core
                                + " forwards nothing after the classic program was regenerated");
                    }
                    System.out.println("classic reprogram: " + answer + "; forwarded during the handover "
                        + (StatJson.counter(at, 0, "engine.forwarded_out")
                        + StatJson.counter(at, 1, "engine.forwarded_out")) + ", after 0");
                    assertEquals(0, traffic.udpLost() + traffic.udpRetried() + traffic.tcpBad());
                    assertEquals(null, traffic.failure());
                }
            }
        }
    }
}
