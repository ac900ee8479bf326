package io.flowstack.examples.cli;

import io.flowstack.examples.apps.AppSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code flowstack serve}: runs the stack on a TAP until Ctrl-C or SIGTERM.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
        "Runs the stack on a TAP device: answers ARP and ping, serves the given applications.",
        "With --netns, creates the TAP, moves its kernel side into the namespace (created if missing) with",
        "--host-ip, and removes what it created on exit. Without --netns, attaches to an existing TAP."})
final class ServeCommand implements Callable<Integer>
{
    @Option(names = "--tap", required = true, paramLabel = "NAME", description = "TAP interface name.")
    String tap;

    @Option(names = "--netns", paramLabel = "NS", description = "Namespace for the kernel side of a new TAP.")
    String netns;

    @Option(names = "--host-ip", paramLabel = "CIDR", description = "Kernel side address, e.g. 198.18.0.1/24.")
    String hostIp;

    @Option(names = "--ip", required = true, paramLabel = "CIDR", description = "The stack's address, e.g. 198.18.0.2/24.")
    String ip;

    @Option(names = "--app", paramLabel = "NAME[:PORT]", description = "Application to serve (repeatable): " + AppSpec.KNOWN + ".")
    List<String> apps = new ArrayList<>();

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame in and out to this pcap file.")
    Path pcap;

    @Option(names = "--pin", description = "Pin each core's thread to a CPU of its own (off by default: on a small"
        + " machine the kernel's own network work needs those CPUs too).")
    boolean pin;

    @Override
    public Integer call() throws Exception
    {
        final List<AppSpec> specs = new ArrayList<>();
        for (final String a : apps)
        {
            specs.add(AppSpec.parse(a));
        }
        final Launcher.Options options = new Launcher.Options(
            tap, netns, hostIp == null ? null : Cidr.parse(hostIp), Cidr.parse(ip), specs, pcap, pin);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Launcher launcher = Launcher.start(options);
        final Thread hook = new Thread(() ->
        {
            launcher.close();
            stopped.countDown();
        }, "flowstack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("flowstack: serving " + options.ip() + " on " + tap
            + (netns != null ? " (kernel side " + options.hostIp() + " in namespace " + netns + ")" : "")
            + (specs.isEmpty() ? "" : ", apps " + specs) + "; Ctrl-C to stop");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
