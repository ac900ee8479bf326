package io.flowstack.examples.cli;

import io.flowstack.examples.apps.AppSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code flowstack serve}: runs the stack on one or more TAPs, or on raw sockets, until Ctrl-C or SIGTERM.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Runs the stack on TAP devices: answers ARP and ping, serves the given applications.",
        "With --netns, creates the TAPs, moves their kernel sides into the namespace (created if missing) with"
            + " --host-ip, and removes what it created on exit. Without --netns, attaches to existing TAPs.",
        "Several --tap/--ip pairs make one interface each; by default interface i is served by core i mod --cores.",
        "With --raw IFACE instead of --tap, reads and writes an existing Ethernet interface through AF_PACKET sockets"
            + " (one per core, in a fanout group); with --raw and --netns NS, creates a veth pair named IFACE: the"
            + " kernel's end with --host-ip in NS, flowstack's end (no address) in NS-stack, and removes both"
            + " namespaces on exit."})
final class ServeCommand implements Callable<Integer>
{
    /** Exit status when every interface's device went away while serving (deleted, or its namespace deleted). */
    static final int EXIT_NO_INTERFACE = 3;

    @Mixin
    StackOptions stack;

    @Option(names = "--app", paramLabel = "NAME[:PORT]", description = "Application to serve (repeatable): " + AppSpec.KNOWN + ".")
    List<String> apps = new ArrayList<>();

    @Option(names = "--root", paramLabel = "DIR", description = "Directory the http application serves (without it,"
        + " http answers every request with 200 ok).")
    Path httpRoot;

    @Override
    public Integer call() throws Exception
    {
        final Launcher.Options options = stack.options(apps, httpRoot, "serve");
        final CountDownLatch stopped = new CountDownLatch(1);
        final Launcher launcher = Launcher.start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            launcher.close();
            stopped.countDown();
        }, "flowstack-shutdown"));
        if (options.fault() != null && !options.fault().isNone())
        {
            System.out.println("flowstack: injecting faults [" + options.fault() + "] with --fault-seed " + options.faultSeed());
        }
        final boolean isRaw = options.driver() == Launcher.DriverKind.RAW;
        final int members = options.queues() > 1 ? options.queues() : options.cores();
        System.out.println("flowstack: serving " + options.ips() + " on " + (isRaw ? "raw sockets on " : "")
            + options.taps()
            + (options.netns() != null ? " (kernel side " + options.hostIps() + " in namespace " + options.netns()
                + (isRaw ? ", stack side in " + options.netns() + Launcher.STACK_NS_SUFFIX : "") + ")" : "")
            + ", " + options.cores() + (options.cores() == 1 ? " core" : " cores")
            + (isRaw ? (members > 1 ? ", " + members + " fanout members" : "")
                : options.queues() > 1 ? ", " + options.queues() + " queues per TAP" : "")
            + (options.cores() > 1 ? " (steering: " + String.join("; ", launcher.steering()) + ")" : "")
            + (options.offloads() ? ", offloads (checksum, TSO, large receive)" : ", no offloads")
            + (options.apps().isEmpty() ? "" : ", apps " + options.apps()) + "; Ctrl-C to stop");
        System.out.flush();
        launcher.noInterfaceLeft().thenRun(stopped::countDown);
        stopped.await();
        // The shutdown hook closes the launcher when the JVM exits with this status.
        return launcher.noInterfaceLeft().isDone() ? EXIT_NO_INTERFACE : 0;
    }
}
