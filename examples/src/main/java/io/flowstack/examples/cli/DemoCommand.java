package io.flowstack.examples.cli;

import io.flowstack.core.counter.CounterSet;
import io.flowstack.examples.apps.AppSpec;
import io.flowstack.examples.kernel.KernelClient;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.sys.Privileges;
import io.flowstack.tcp.CoreContext;
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
        "Shows the stack answering the kernel: ping, UDP, TCP and HTTP in a namespace of its own.",
        "Creates a network namespace and a TAP, runs the stack on 198.18.0.2 with UDP echo, TCP echo and HTTP, talks"
            + " to it from the kernel side (ping, fragmented ping, UDP echo, a closed UDP port, TCP echo, an HTTP"
            + " download) with small clients on kernel sockets, prints what happened and removes everything it created.",
        "Needs root, Java and iproute2 only."})
final class DemoCommand implements Callable<Integer>
{
    private static final String HOST_IP = "198.18.0.1";
    private static final String STACK_IP = "198.18.0.2";

    @Option(names = "--pcap", paramLabel = "FILE", description = "Also write the frames to this pcap file.")
    Path pcap;

    private int failures;
    private List<String> client;

    @Override
    public Integer call() throws Exception
    {
        if (!Privileges.isRoot())
        {
            throw new IOException("the demo needs root (it creates a network namespace and a TAP): run 'sudo ./flowstack demo'");
        }
        if (!onPath("ip"))
        {
            throw new IOException("the demo needs ip (Debian: apt-get install iproute2)");
        }
        final long pid = ProcessHandle.current().pid();
        final String ns = "fsdemo-" + pid;
        final String tap = "fsdemo" + (pid % 100_000);
        System.out.println("== flowstack demo: namespace " + ns + ", TAP " + tap + ", kernel " + HOST_IP
            + ", flowstack " + STACK_IP);
        client = kernelClient();
        System.out.println("== the kernel's side: 'ip netns exec " + ns + " " + String.join(" ", client)
            + " ...', shown as 'kernel-client' below");
        final Path www = Files.createTempDirectory("flowstack-demo");
        try
        {
            final byte[] page = new byte[4 << 20];
            new java.util.Random(1).nextBytes(page);
            Files.write(www.resolve("file.bin"), page);
            Files.writeString(www.resolve("index.html"), "<h1>hello from flowstack</h1>\n");
            final String sha = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(page));
            run(tap, ns, www, sha);
        }
        finally
        {
            deleteTree(www);
        }
        System.out.println(failures == 0 ? "== all steps passed; namespace and TAP removed"
            : "== " + failures + " step(s) failed; namespace and TAP removed");
        return failures == 0 ? 0 : 1;
    }

    private void run(final String tap, final String ns, final Path www, final String sha) throws Exception
    {
        final Launcher.Options single = Launcher.Options.single(tap, ns, Cidr.parse(HOST_IP + "/24"),
            Cidr.parse(STACK_IP + "/24"), List.of(AppSpec.parse("udp-echo:7"), AppSpec.parse("echo:7"),
                AppSpec.parse("http:80")), pcap);
        final Launcher.Options options = new Launcher.Options(single.taps(), single.netns(), single.hostIps(),
            single.ips(), single.apps(), pcap, false, 2, 1, null, List.of(), null, java.util.Map.of(), null, null,
            "demo", www, null, 0, Launcher.DriverKind.TAP, io.flowstack.tap.packet.FanoutMode.HASH, io.flowstack.tcp.api.TcpConfig.DEFAULT,
            io.flowstack.tap.steer.KernelSteering.AUTO, true);
        try (Launcher launcher = Launcher.start(options))
        {
            final NetNs netns = launcher.netns();
            step(netns, "ping, 20 echo requests 10 ms apart",
                r -> r.ok() && r.stdout().contains("20 packets transmitted, 20 received"),
                "ping", "-c", "20", "-i", "0.01", "-W", "1", STACK_IP);
            step(netns, "ping with 4000-byte payload (fragmented both ways)",
                r -> r.ok() && r.stdout().contains("4008 bytes from " + STACK_IP),
                "ping", "-c", "3", "-i", "0.2", "-s", "4000", "-W", "1", STACK_IP);
            step(netns, "UDP echo on port 7",
                r -> r.ok() && r.stdout().contains("reply: hello from the kernel"),
                "udp", STACK_IP, "7", "hello from the kernel");
            step(netns, "UDP to closed port 9 (expect connection refused)",
                r -> r.stdout().contains("Connection refused"),
                "udp", STACK_IP, "9", "probe");
            step(netns, "TCP echo on port 7",
                r -> r.ok() && r.stdout().contains("hello over TCP"),
                "tcp", STACK_IP, "7", "hello over TCP");
            step(netns, "HTTP: GET / from flowstack's http app",
                r -> r.ok() && r.stdout().contains("hello from flowstack"),
                "http", "http://" + STACK_IP + "/");
            step(netns, "HTTP: GET a 4 MiB file and check its sha256 (" + sha.substring(0, 16) + "...)",
                r -> r.ok() && r.stdout().contains("4194304 bytes, sha256 " + sha),
                "http", "--sha256", "http://" + STACK_IP + "/file.bin");
            show(netns, "kernel neighbor table", r -> r.stdout().contains(STACK_IP), List.of("ip", "neigh", "show", STACK_IP));
            for (int core = 0; core < launcher.stack().cores(); core++)
            {
                final CoreContext c = launcher.stack().core(core);
                System.out.printf("== core %d counters: frames in %d, out %d, forwarded in %d; ICMP echo replies %d;"
                        + " UDP in %d; TCP connections %d, segments in %d, out %d, retransmits %d; drops %d%n",
                    core, c.counter("engine.frames_in"), c.counter("engine.frames_out"), c.counter("engine.forwarded_in"),
                    c.counter("icmp.tx.echo_replies"), c.counter("udp.rx.datagrams"), c.counter("tcp.established"),
                    c.counter("tcp.rx.segments"), c.counter("tcp.tx.segments"), c.counter("tcp.retransmits"),
                    c.counter(CounterSet.RX_DROPS));
            }
        }
    }

    /**
     * @return this JVM's java and class path (made absolute) with the kernel client's main class: the same jar
     *     runs on the kernel's side of the namespace.
     */
    private static List<String> kernelClient()
    {
        final List<String> classPath = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            classPath.add(Path.of(entry).toAbsolutePath().toString());
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Djava.net.preferIPv4Stack=true",
            "-cp", String.join(java.io.File.pathSeparator, classPath), KernelClient.class.getName());
    }

    private interface Check
    {
        boolean ok(ExecResult r);
    }

    private void step(final NetNs ns, final String title, final Check check, final String... args) throws IOException
    {
        System.out.println("-- " + title + ": kernel-client " + String.join(" ", args));
        final List<String> command = new ArrayList<>(client);
        command.addAll(List.of(args));
        report(ns.exec(Duration.ofSeconds(30), command.toArray(new String[0])), check);
    }

    private void show(final NetNs ns, final String title, final Check check, final List<String> command)
        throws IOException
    {
        System.out.println("-- " + title + ": " + String.join(" ", command));
        report(ns.exec(Duration.ofSeconds(10), command.toArray(new String[0])), check);
    }

    private void report(final ExecResult r, final Check check)
    {
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

    private static void deleteTree(final Path dir) throws IOException
    {
        try (var files = Files.walk(dir))
        {
            for (final Path f : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(f);
            }
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
