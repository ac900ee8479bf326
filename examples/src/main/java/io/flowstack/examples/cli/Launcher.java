package io.flowstack.examples.cli;

import io.flowstack.core.counter.CountersFile;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.SteeringRule;
import io.flowstack.core.sim.FaultInjector;
import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.FaultyDevice;
import io.flowstack.examples.apps.AppSpec;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.tap.EpollWaiter;
import io.flowstack.tap.MacAddresses;
import io.flowstack.tap.TapDevice;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.netns.VethPair;
import io.flowstack.tap.packet.FanoutMode;
import io.flowstack.tap.packet.LinkListener;
import io.flowstack.tap.packet.PacketAbi;
import io.flowstack.tap.packet.PacketDevice;
import io.flowstack.tap.steer.KernelSteering;
import io.flowstack.tap.sys.ErrnoException;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.sys.Native;
import io.flowstack.tap.sys.Privileges;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.TcpConfig;
import net.openhft.affinity.AffinityStrategies;
import net.openhft.affinity.AffinityThreadFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sets up what {@code serve} and {@code demo} run on: optionally a network namespace holding the kernel side
 * of new TAPs (or of new veth pairs, for raw sockets), then the stack with its cores and applications. Closing
 * removes exactly what was created.
 */
final class Launcher implements AutoCloseable
{
    /** Which kind of device the interfaces are. */
    enum DriverKind
    {
        /** TAP devices ({@code --tap}). */
        TAP,
        /** AF_PACKET raw sockets on Ethernet interfaces ({@code --raw}). */
        RAW
    }

    /** Suffix of the namespace that holds the stack's ends of the veth pairs {@code --raw --netns NS} creates. */
    static final String STACK_NS_SUFFIX = "-stack";

    /**
     * What to launch.
     *
     * @param taps       interface names, one per interface: TAPs, or with {@link DriverKind#RAW} the interfaces to
     *                   open raw sockets on.
     * @param netns      namespace for the kernel sides, or null to attach to existing TAPs (interfaces). With
     *                   {@link DriverKind#RAW} a veth pair per interface is created: the kernel's end in this
     *                   namespace, the stack's end (same name, no address) in NETNS{@value #STACK_NS_SUFFIX}.
     * @param hostIps    kernel side addresses (with --netns), one per interface.
     * @param ips        the stack's addresses, one per interface.
     * @param apps       applications.
     * @param pcap       pcap file or null.
     * @param pin        pin each core's thread to its own CPU.
     * @param cores      number of cores.
     * @param queues     queues per TAP (more than one: multi-queue).
     * @param rssKey     Toeplitz key, or null for a random one.
     * @param rules      steering rules.
     * @param designate  interface to core; null for the default (interface i to core i mod cores when there are
     *                   several interfaces, hashed when there is one); {@link FlowOwnership#HASHED} for hashed.
     * @param protocols  per core, the protocol classes it takes hashed flows of (absent: all).
     * @param weights    per-core weights for the indirection table, or null for equal.
     * @param countersFile where to publish the counters, or null for {@link CountersFile#defaultFile}.
     * @param description  what {@code flowstack stat} shows as the process's description.
     * @param httpRoot     directory the http application serves, or null.
     * @param fault        faults to inject on every interface, both ways (see {@link FaultProfile}), or null.
     * @param faultSeed    seed of the fault injectors.
     * @param driver       TAP devices or raw sockets.
     * @param fanout       with {@link DriverKind#RAW} and several queues, how the kernel spreads frames over them.
     * @param tcp          TCP settings of every core (congestion control, SACK).
     * @param steering     whether and how devices may steer exactly by a BPF program.
     */
    record Options(
        List<String> taps,
        String netns,
        List<Cidr> hostIps,
        List<Cidr> ips,
        List<AppSpec> apps,
        Path pcap,
        boolean pin,
        int cores,
        int queues,
        byte[] rssKey,
        List<SteeringRule> rules,
        int[] designate,
        Map<Integer, Integer> protocols,
        int[] weights,
        Path countersFile,
        String description,
        Path httpRoot,
        FaultProfile fault,
        long faultSeed,
        DriverKind driver,
        FanoutMode fanout,
        TcpConfig tcp,
        KernelSteering steering,
        boolean offloads)
    {
        /**
         * Options for one TAP, one core.
         */
        static Options single(final String tap, final String netns, final Cidr hostIp, final Cidr ip,
            final List<AppSpec> apps, final Path pcap)
        {
            return new Options(List.of(tap), netns, hostIp == null ? List.of() : List.of(hostIp), List.of(ip), apps,
                pcap, false, 1, 1, null, List.of(), null, Map.of(), null, null, "serve --tap " + tap + " --ip " + ip,
                null, null, 0, DriverKind.TAP, FanoutMode.HASH, TcpConfig.DEFAULT, KernelSteering.AUTO, true);
        }
    }

    /** Room in the counters file. */
    static final int MAX_COUNTERS = 8192;

    private NetNs netns;
    private CountersFile counters;
    private ControlServer control;
    private final List<TapDevice> taps = new ArrayList<>();
    private final List<PacketDevice> rawDevices = new ArrayList<>();
    private final List<VethPair> veths = new ArrayList<>();
    private final List<NetworkDevice> devices = new ArrayList<>();
    private FlowStack stack;
    private final List<Long> macs = new ArrayList<>();
    private final CompletableFuture<Void> noInterfaceLeft = new CompletableFuture<>();

    private Launcher()
    {
    }

    /**
     * @param options what to launch.
     * @return the running launcher.
     * @throws IOException with a one-line reason when a device or namespace cannot be set up.
     */
    static Launcher start(final Options options) throws IOException
    {
        final Launcher l = new Launcher();
        try
        {
            l.setUp(options);
            return l;
        }
        catch (final IOException | RuntimeException e)
        {
            l.close();
            throw e;
        }
    }

    /** @return the i-th address of a family in the list (the i-th interface's), or null if the family is absent. */
    private static Cidr family(final List<Cidr> all, final boolean ipv4, final int i)
    {
        final List<Cidr> of = all.stream().filter(c -> c.isIpv4() == ipv4).toList();
        return of.isEmpty() ? null : of.get(i);
    }

    private void setUp(final Options o) throws IOException
    {
        final int n = o.taps().size();
        final String flag = o.driver() == DriverKind.RAW ? "--raw" : "--tap";
        final long v4 = o.ips().stream().filter(Cidr::isIpv4).count();
        final long v6 = o.ips().size() - v4;
        if ((v4 != 0 && v4 != n) || (v6 != 0 && v6 != n) || v4 + v6 == 0)
        {
            throw new IllegalArgumentException("give one --ip per " + flag + " for each family used (" + n
                + " interfaces, " + v4 + " IPv4 and " + v6 + " IPv6 addresses)");
        }
        final long hostV4 = o.hostIps().stream().filter(Cidr::isIpv4).count();
        if (o.netns() != null && (hostV4 != v4 || o.hostIps().size() - hostV4 != v6))
        {
            throw new IllegalArgumentException("--netns needs one --host-ip per " + flag
                + " for the kernel side, of each family the stack uses");
        }
        if (o.driver() == DriverKind.RAW && v6 != 0 && o.netns() != null)
        {
            throw new IllegalArgumentException("--raw with --netns makes IPv4 veth pairs only; use --tap for IPv6");
        }
        if (o.netns() == null && !o.hostIps().isEmpty())
        {
            throw new IllegalArgumentException("--host-ip is only used with --netns");
        }
        if (o.queues() < 1 || o.queues() > TapDevice.MAX_QUEUES)
        {
            throw new IllegalArgumentException("--queues must be 1.." + TapDevice.MAX_QUEUES);
        }
        if (o.driver() == DriverKind.RAW)
        {
            setUpRaw(o);
        }
        else
        {
            setUpTaps(o);
        }
        final Path countersPath = o.countersFile() != null ? o.countersFile()
            : CountersFile.defaultFile(ProcessHandle.current().pid());
        try
        {
            counters = CountersFile.create(countersPath, MAX_COUNTERS, o.description());
        }
        catch (final IOException e)
        {
            final String why = e instanceof AccessDeniedException
                ? "permission denied on " + e.getMessage() : Main.oneLine(e);
            throw new IOException("cannot create counters file " + countersPath + ": " + why, e);
        }
        final FlowStack.Builder builder = FlowStack.builder()
            .cores(o.cores())
            .tcp(o.tcp())
            .exactSteering(o.steering() != KernelSteering.OFF)
            .notices(line ->
            {
                System.out.println("flowstack: " + line);
                System.out.flush();
            })
            .counters(counters.manager())
            .waiterFactory(handles ->
            {
                try
                {
                    return new EpollWaiter(handles);
                }
                catch (final ErrnoException e)
                {
                    throw new UncheckedIOException(e);
                }
            })
            .onInterfaceGone((ifIndex, device, errno, left) -> interfaceGone(o, ifIndex, device, errno, left))
            .threadFactory(o.pin()
                ? new AffinityThreadFactory("flowstack-core", true, AffinityStrategies.DIFFERENT_CORE)
                : daemonThreads());
        for (int i = 0; i < n; i++)
        {
            final Cidr ip = family(o.ips(), true, i);
            final Cidr ip6 = family(o.ips(), false, i);
            final IpInterface plain = new IpInterface(i, macs.get(i), ip == null ? 0 : ip.address(),
                ip == null ? 32 : ip.prefixLength(), devices.get(i).mtu(), 0);
            final IpInterface ifc = ip6 == null ? plain : plain.withIpv6(ip6.ip(), ip6.prefixLength());
            final int core = o.designate() != null ? o.designate()[i] : n > 1 ? i % o.cores() : FlowOwnership.HASHED;
            // A fault profile wraps the device: loss, reordering and the rest apply to real traffic both ways.
            final NetworkDevice device = o.fault() == null || o.fault().isNone() ? devices.get(i)
                : new FaultyDevice(devices.get(i), o.fault(), FaultInjector.seedFor(o.faultSeed(), i));
            builder.addInterface(ifc, device, core);
        }
        if (o.rssKey() != null)
        {
            builder.rssKey(o.rssKey());
        }
        if (o.weights() != null)
        {
            builder.weights(o.weights());
        }
        for (final SteeringRule r : o.rules())
        {
            if (r.core() >= o.cores())
            {
                throw new IllegalArgumentException("--steer " + r + " names core " + r.core() + " of " + o.cores());
            }
            builder.steer(r);
        }
        o.protocols().forEach(builder::protocols);
        if (o.pcap() != null)
        {
            builder.pcap(o.pcap());
        }
        for (final AppSpec app : o.apps())
        {
            builder.onEachCore(app.create(o.httpRoot()));
        }
        stack = builder.build().start();
        control = ControlServer.start(ControlServer.pathFor(countersPath), stack);
    }

    /**
     * @return how each interface's frames reach their cores, e.g. "exact (eBPF TUNSETSTEERINGEBPF on fst0)".
     */
    List<String> steering()
    {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++)
        {
            final OwnerSteering exact = stack.kernelSteering(i);
            out.add(exact != null ? "exact, " + exact.describe() : switch (devices.get(i).steering())
            {
                case EXACT -> "exact";
                case LEARNED -> "learned";
                case HASHED -> "hashed by the kernel";
                case NONE -> stack.cores() > 1 ? "software" : "none";
            });
        }
        return out;
    }

    /**
     * One line on stderr per interface whose device is gone (the cores have closed it); when none is left, the
     * command ends ({@link #noInterfaceLeft()}). Runs on a core thread: prints and completes, nothing more.
     */
    private void interfaceGone(final Options o, final int ifIndex, final String device, final int errno,
        final int left)
    {
        // EBADFD: a TAP whose device is gone; ENODEV or ENXIO: a raw socket's interface; anything else is a failure
        // the driver could not get past either (it names the errno all the same).
        final boolean gone = errno == Linux.EBADFD || errno == Linux.EBADF || errno == PacketAbi.ENODEV
            || errno == PacketAbi.ENXIO;
        System.err.println("flowstack: " + device + (gone ? " is gone (" : " failed (") + Native.describe(errno)
            + "); closed interface " + o.ips().get(ifIndex) + (left == 0 ? "; no interface left" : "; " + left + " left"));
        System.err.flush();
        if (left == 0)
        {
            noInterfaceLeft.complete(null);
        }
    }

    /**
     * @return completes when every interface's device is gone (deleted, or its namespace deleted).
     */
    CompletableFuture<Void> noInterfaceLeft()
    {
        return noInterfaceLeft;
    }

    private void setUpTaps(final Options o) throws IOException
    {
        final int n = o.taps().size();
        for (final String name : o.taps())
        {
            if (name.length() > 15)
            {
                throw new IllegalArgumentException("interface name '" + name + "' is longer than 15 characters");
            }
            final boolean exists = Files.exists(Path.of("/sys/class/net", name));
            if (o.netns() == null && !exists)
            {
                throw new IOException("no interface named " + name
                    + " (create it with 'ip tuntap add " + name + " mode tap', or pass --netns to let flowstack make one)");
            }
            if (o.netns() != null && exists)
            {
                throw new IOException("an interface named " + name + " already exists");
            }
        }
        for (final String name : o.taps())
        {
            final TapDevice tap = TapDevice.open(name, o.queues(), o.offloads());
            taps.add(tap);
            macs.add(MacAddresses.randomLocalUnicastDistinctFrom(tap.kernelMacAddress()));
        }
        if (o.netns() != null)
        {
            netns = NetNs.createOrAdopt(o.netns());
            for (int i = 0; i < n; i++)
            {
                netns.moveLink(o.taps().get(i));
                for (final boolean ipv4 : new boolean[]{true, false})
                {
                    final Cidr host = family(o.hostIps(), ipv4, i);
                    if (host != null)
                    {
                        netns.addAddress(o.taps().get(i), host.toString());
                    }
                }
                netns.linkUp(o.taps().get(i));
            }
        }
        devices.addAll(taps);
    }

    /**
     * Raw sockets: on existing interfaces of this namespace, or (with --netns) on the stack's ends of new veth
     * pairs, opened inside the stack's namespace (the sockets keep working from the core threads afterwards).
     */
    private void setUpRaw(final Options o) throws IOException
    {
        final int members = o.queues() > 1 ? o.queues() : o.cores();
        if (members > PacketDevice.MAX_MEMBERS)
        {
            throw new IllegalArgumentException("at most " + PacketDevice.MAX_MEMBERS + " fanout members");
        }
        for (final String name : o.taps())
        {
            if (name.length() > 15)
            {
                throw new IllegalArgumentException("interface name '" + name + "' is longer than 15 characters");
            }
        }
        if (o.netns() != null && !Privileges.isRoot())
        {
            throw new IOException("--raw with --netns creates network namespaces and a veth pair: run as root");
        }
        final LinkListener listener = (ifName, up, detail) ->
        {
            System.out.println("flowstack: interface " + ifName + (up ? " is up again" : " went down") + " (" + detail
                + ")" + (up ? "" : "; waiting for it to come back"));
            System.out.flush();
        };
        for (int i = 0; i < o.taps().size(); i++)
        {
            final String name = o.taps().get(i);
            final PacketDevice.Config config = PacketDevice.Config.defaults(name, members).withFanout(o.fanout())
                .withLinkListener(listener).withSteering(o.steering()).withOffloads(o.offloads());
            final PacketDevice device;
            if (o.netns() != null)
            {
                final VethPair veth = VethPair.create(o.netns(), o.netns() + STACK_NS_SUFFIX, name,
                    family(o.hostIps(), true, i).toString());
                veths.add(veth);
                if (netns == null)
                {
                    netns = veth.kernelNs();
                }
                device = veth.stackNs().callInside(() -> PacketDevice.open(config));
            }
            else
            {
                device = PacketDevice.open(config);
            }
            rawDevices.add(device);
            // Not the interface's own MAC: the host kernel then sees our frames as PACKET_OTHERHOST and drops
            // them before IP, even where it forwards.
            macs.add(MacAddresses.randomLocalUnicastDistinctFrom(device.interfaceMac()));
        }
        devices.addAll(rawDevices);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads()
    {
        final AtomicInteger n = new AtomicInteger();
        return r ->
        {
            final Thread t = new Thread(r, "flowstack-core-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * @return the running stack.
     */
    FlowStack stack()
    {
        return stack;
    }

    /**
     * @return the file the counters are published in.
     */
    CountersFile counters()
    {
        return counters;
    }

    /**
     * @return the namespace, or null.
     */
    NetNs netns()
    {
        return netns;
    }

    @Override
    public void close()
    {
        if (control != null)
        {
            control.close();
            control = null;
        }
        if (stack != null)
        {
            stack.close();
            stack = null;
        }
        // After the stack: its cores write into the mapping until they stop. Closing deletes the file.
        if (counters != null)
        {
            counters.close();
            counters = null;
        }
        for (final TapDevice tap : taps)
        {
            tap.close();
        }
        taps.clear();
        // Sockets before namespaces: an open packet socket keeps its namespace (and the veth in it) alive.
        for (final PacketDevice device : rawDevices)
        {
            device.close();
        }
        rawDevices.clear();
        devices.clear();
        final boolean viaVeth = !veths.isEmpty();
        try
        {
            for (int i = veths.size() - 1; i >= 0; i--)
            {
                veths.get(i).close();
            }
        }
        finally
        {
            veths.clear();
            if (netns != null)
            {
                // The veth pairs closed their namespaces themselves.
                if (!viaVeth)
                {
                    netns.close();
                }
                netns = null;
            }
        }
    }
}
