package io.flowstack.examples.cli;

import io.flowstack.examples.apps.AppSpec;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.sys.Privileges;
import io.flowstack.core.counter.CounterSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code flowstack demo}: a namespace, a TAP, the stack on it, and the kernel talking to it.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Creates a network namespace and a TAP, runs the stack on 198.18.0.2 with UDP echo, TCP echo and HTTP,",
        "talks to it from the kernel side (ping, fragmented ping, UDP echo, a closed UDP port, TCP echo, an HTTP",
        "download with curl), prints what happened and removes everything it created. Needs root, ping, socat, curl."})
final class DemoCommand implements Callable<Integer>
{
    private static final String HOST_IP = "198.18.0.1";
    private static final String STACK_IP = "198.18.0.2";

    @Option(names = "--pcap", paramLabel = "FILE", description = "Also write the frames to this pcap file.")
    Path pcap;

    private int failures;

    @Override
    public Integer call() throws Exception
    {
        if (!Privileges.isRoot())
        {
            throw new IOException("the demo needs root (it creates a network namespace and a TAP): run 'sudo ./flowstack demo'");
        }
        final List<String> missing = new ArrayList<>();
        for (final String tool : new String[]{"ip", "ping", "socat", "curl"})
        {
            if (!onPath(tool))
            {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty())
        {
            throw new IOException("the demo needs " + String.join(", ", missing)
                + " (Debian: apt-get install iproute2 iputils-ping socat curl)");
        }
        final long pid = ProcessHandle.current().pid();
        final String ns = "fsdemo-" + pid;
        final String tap = "fsdemo" + (pid % 100_000);
        System.out.println("== flowstack demo: namespace " + ns + ", TAP " + tap + ", kernel " + HOST_IP
            + ", flowstack " + STACK_IP);
        final Path www = Files.createTempDirectory("flowstack-demo");
        final byte[] page = new byte[4 << 20];
        new java.util.Random(1).nextBytes(page);
        Files.write(www.resolve("file.bin"), page);
        Files.writeString(www.resolve("index.html"), "<h1>hello from flowstack</h1>\n");
        final String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(page));
        final Launcher.Options single = Launcher.Options.single(tap, ns, Cidr.parse(HOST_IP + "/24"),
            Cidr.parse(STACK_IP + "/24"), List.of(AppSpec.parse("udp-echo:7"), AppSpec.parse("echo:7"),
                AppSpec.parse("http:80")), pcap);
        final Launcher.Options options = new Launcher.Options(single.taps(), single.netns(), single.hostIps(),
            single.ips(), single.apps(), pcap, false, 2, 1, null, List.of(), null, java.util.Map.of(), null, null,
            "demo", www, null, 0, Launcher.DriverKind.TAP, io.flowstack.tap.packet.FanoutMode.HASH,
            io.flowstack.tap.steer.KernelSteering.AUTO);
        try (Launcher launcher = Launcher.start(options))
        {
            final NetNs netns = launcher.netns();
            step(netns, "ping, 20 echo requests 10 ms apart",
                r -> r.stdout().contains(" 0% packet loss"),
                "ping", "-c", "20", "-i", "0.01", "-W", "1", STACK_IP);
            step(netns, "ping with 4000-byte payload (fragmented both ways)",
                r -> r.stdout().contains(" 0% packet loss"),
                "ping", "-c", "3", "-i", "0.2", "-s", "4000", "-W", "1", STACK_IP);
            step(netns, "UDP echo on port 7 (socat)",
                r -> r.stdout().contains("hello from the kernel"),
                "bash", "-c", "echo 'hello from the kernel' | socat -T 2 - UDP:" + STACK_IP + ":7");
            step(netns, "UDP to closed port 9 (expect connection refused)",
                r -> r.stderr().contains("Connection refused"),
                "bash", "-c", "for i in 1 2 3; do echo probe; sleep 0.2; done | socat -T 2 - UDP:" + STACK_IP + ":9");
            step(netns, "TCP echo on port 7 (socat)",
                r -> r.stdout().contains("hello over TCP"),
                "bash", "-c", "echo 'hello over TCP' | socat -t 2 - TCP:" + STACK_IP + ":7");
            step(netns, "HTTP: curl / from flowstack's http app",
                r -> r.stdout().contains("hello from flowstack"),
                "curl", "-sS", "http://" + STACK_IP + "/");
            step(netns, "HTTP: curl a 4 MiB file and check its sha256 (" + sha.substring(0, 16) + "...)",
                r -> r.stdout().contains(sha),
                "bash", "-c", "curl -sS http://" + STACK_IP + "/file.bin | sha256sum");
            step(netns, "kernel neighbor table", r -> r.stdout().contains(STACK_IP), "ip", "neigh", "show", STACK_IP);
            for (int core = 0; core < launcher.stack().cores(); core++)
            {
                final CounterSet c = launcher.stack().ip(core).counters();
                System.out.printf("== core %d counters: frames in %d, out %d, forwarded in %d; ICMP echo replies %d;"
                        + " UDP in %d; TCP connections %d, segments in %d, out %d, retransmits %d; drops %d%n",
                    core, c.get("engine.frames_in"), c.get("engine.frames_out"), c.get("engine.forwarded_in"),
                    c.get("icmp.tx.echo_replies"), c.get("udp.rx.datagrams"), c.get("tcp.established"),
                    c.get("tcp.rx.segments"), c.get("tcp.tx.segments"), c.get("tcp.retransmits"),
                    c.get(CounterSet.RX_DROPS));
            }
        }
        try (var files = Files.list(www))
        {
            for (final Path f : files.toList())
            {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(www);
        System.out.println(failures == 0 ? "== all steps passed; namespace and TAP removed"
            : "== " + failures + " step(s) failed; namespace and TAP removed");
        return failures == 0 ? 0 : 1;
    }

    private interface Check
    {
        boolean ok(ExecResult r);
    }

    private void step(final NetNs ns, final String title, final Check check, final String... command) throws IOException
    {
        System.out.println("-- " + title + ": " + String.join(" ", command));
        final ExecResult r = ns.exec(Duration.ofSeconds(20), command);
        final String text = (r.stdout() + r.stderr()).strip();
        for (final String line : text.split("\n"))
        {
            if (!line.isBlank())
            {
                System.out.println("   " + line);
            }
        }
        final boolean ok = check.ok(r);
        System.out.println(ok ? "   OK" : "   FAILED");
        if (!ok)
        {
            failures++;
        }
    }

    private static boolean onPath(final String tool)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
        {
            if (Files.isExecutable(Path.of(dir, tool)))
            {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }
}
