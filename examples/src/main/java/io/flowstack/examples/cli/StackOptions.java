package io.flowstack.examples.cli;

import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.SteeringRule;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.sim.FaultProfile;
import io.flowstack.examples.apps.AppSpec;
import io.flowstack.tap.packet.FanoutMode;
import io.flowstack.tcp.api.CongestionAlgorithm;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tap.steer.KernelSteering;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The options that say which interfaces and cores a stack runs on, shared by {@code serve} and {@code get}.
 */
final class StackOptions
{
    /**
     * Send and receive buffers every connection of the command line starts with, still auto-tuned up to 4 MiB: with
     * 64 KB segments a 256 KiB window is four segments, spent in about 200 us at 10 Gbit/s, less than a round trip
     * on a busy host; fixing 1 MiB instead (as the bulk services once did) capped a 100 ms path at 1 MiB a round
     * trip (40 Mbit/s received at 1% loss where Linux takes 81).
     */
    static final int INITIAL_BUFFERS = 1 << 20;

    @Option(names = "--tap", paramLabel = "NAME", description = "TAP interface name (repeatable).")
    List<String> taps = new ArrayList<>();

    @Option(names = "--raw", paramLabel = "IFACE", description = "Ethernet interface to use through AF_PACKET raw"
        + " sockets instead of a TAP (repeatable); with --netns, a veth pair of that name is created.")
    List<String> raw = new ArrayList<>();

    @Option(names = "--fanout", paramLabel = "hash|lb|cpu", defaultValue = "hash", description = "With --raw and"
        + " several cores: how the kernel spreads frames over the cores' sockets (default hash: flow-consistent).")
    String fanout;

    @Option(names = "--kernel-steering", paramLabel = "auto|ebpf|classic|off", defaultValue = "auto", description =
        "With --cores N and a queue per core (--queues N on a TAP, --raw): a BPF program generated from the stack's"
        + " own hash and table puts every frame on its owner's queue (exact steering). auto: eBPF, else (raw only)"
        + " classic BPF, else the device's own steering; off: the device's own (TAP learned, raw --fanout).")
    String kernelSteering;

    @Option(names = "--ip", required = true, paramLabel = "CIDR", description = "The stack's address on each TAP, e.g. 198.18.0.2/24; IPv6 too (2001:2::2/64), alongside or instead.")
    List<String> ips = new ArrayList<>();

    @Option(names = "--netns", paramLabel = "NS", description = "Namespace for the kernel side of new TAPs.")
    String netns;

    @Option(names = "--host-ip", paramLabel = "CIDR", description = "Kernel side address of each TAP, e.g. 198.18.0.1/24 or 2001:2::1/64.")
    List<String> hostIps = new ArrayList<>();

    @Option(names = "--cores", paramLabel = "N", defaultValue = "1", description = "Stack instances, one thread each (default 1).")
    int cores;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "1", description = "Queues per TAP; more than 1 makes a multi-queue TAP."
        + " With --raw: sockets in the fanout group (default: one per core).")
    int queues;

    @Option(names = "--rss-key", paramLabel = "HEX|symmetric", description = "40-byte Toeplitz key in hex, or 'symmetric'"
        + " (6d5a repeated: both directions of a flow hash alike, with 16 bits of entropy); default: random per start.")
    String rssKey;

    @Option(names = "--steer", paramLabel = "RULE", description = "Steering rule PROTO[:ADDR][:PORT]@CORE, e.g. udp:53@1, tcp:198.18.0.2:80@0, tcp:[2001:2::2]:80@1 (repeatable; without ADDR both families).")
    List<String> steer = new ArrayList<>();

    @Option(names = "--weights", paramLabel = "W", split = ",", description = "Share of hashed flows per core, one value each.")
    int[] weights;

    @Option(names = "--designate", paramLabel = "IF=CORE|hashed", split = ",",
        description = "Interface to core, e.g. 0=1,1=0; 'hashed' spreads every interface's flows over all cores.")
    List<String> designate = new ArrayList<>();

    @Option(names = "--protocols", paramLabel = "CORE=P+P", description = "Protocols a core takes hashed flows of,"
        + " e.g. 1=icmp (repeatable; icmp, udp, tcp, other). Rules may still steer other flows there.")
    List<String> protocols = new ArrayList<>();

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame in and out to this pcap file.")
    Path pcap;

    @Option(names = "--pin", description = "Pin each core's thread to a CPU of its own (off by default: on a small"
        + " machine the kernel's own network work needs those CPUs too).")
    boolean pin;

    @Option(names = "--counters-file", paramLabel = "FILE", description = "Publish the live counters in this file"
        + " instead of /dev/shm/flowstack/PID.counters (read them with 'flowstack stat --file FILE').")
    Path countersFile;

    @Option(names = "--fault", paramLabel = "PROFILE", description = "Inject faults on every TAP, both ways, e.g."
        + " loss=1%%,reorder=0.5%%,dup=0.1%%,corrupt=0.1%%,delay=5ms,jitter=1ms,rate=100mbit,queue=256,burst=1%%:20%%:50%%,"
        + "partition=2s@5s.")
    String fault;

    @Option(names = "--cc", paramLabel = "cubic|newreno|bbr", defaultValue = "cubic", description = "TCP congestion"
        + " control of every connection (default cubic, with HyStart++; newreno is RFC 5681/6582 Reno; bbr is"
        + " draft-ietf-ccwg-bbr, paced).")
    String cc;

    @Option(names = "--no-sack", description = "Neither offer nor accept SACK (as net.ipv4.tcp_sack=0): loss recovery"
        + " is then NewReno's.")
    boolean noSack;

    @Option(names = "--no-offloads", description = "Plain frames on the TAP or raw socket: no virtio-net header, so"
        + " no checksum offload and no 64 KB TCP segments either way (the kernel then sends and takes MTU-sized"
        + " frames with complete checksums).")
    boolean noOffloads;

    @Option(names = "--fault-seed", paramLabel = "N", description = "Seed of the fault injectors (default: random, printed).")
    Long faultSeed;

    /**
     * @param apps     applications to run.
     * @param httpRoot directory for the http application, or null.
     * @param role     the command, for the description {@code flowstack stat} shows.
     * @return what to launch.
     */
    Launcher.Options options(final List<String> apps, final Path httpRoot, final String role)
    {
        if (taps.isEmpty() == raw.isEmpty())
        {
            throw new IllegalArgumentException(taps.isEmpty() ? "give --tap NAME (a TAP) or --raw IFACE (a raw socket)"
                : "give either --tap or --raw, not both");
        }
        final List<AppSpec> specs = new ArrayList<>();
        for (final String a : apps)
        {
            specs.add(AppSpec.parse(a));
        }
        final List<Cidr> hosts = new ArrayList<>();
        for (final String h : hostIps)
        {
            hosts.add(Cidr.parse(h));
        }
        final List<Cidr> addresses = new ArrayList<>();
        for (final String a : ips)
        {
            addresses.add(Cidr.parse(a));
        }
        final List<SteeringRule> rules = new ArrayList<>();
        for (final String r : steer)
        {
            rules.add(SteeringRule.parse(r));
        }
        if (cores < 1 || cores > 256)
        {
            throw new IllegalArgumentException("--cores must be 1..256");
        }
        if (weights != null && weights.length != cores)
        {
            throw new IllegalArgumentException("--weights needs " + cores + " values, one per core");
        }
        final boolean isRaw = !raw.isEmpty();
        return new Launcher.Options(isRaw ? raw : taps, netns, hosts, addresses, specs, pcap, pin, cores, queues,
            rssKey == null ? null : rssKey.equalsIgnoreCase("symmetric") ? ToeplitzHash.symmetricKey()
                : ToeplitzHash.parseKey(rssKey), rules, designation(), protocolClasses(), weights,
            countersFile, description(role, apps), httpRoot, fault == null ? null : FaultProfile.parse(fault),
            faultSeed != null ? faultSeed : new java.security.SecureRandom().nextLong(),
            isRaw ? Launcher.DriverKind.RAW : Launcher.DriverKind.TAP, FanoutMode.parse(fanout),
            TcpConfig.DEFAULT.withInitialBuffers(INITIAL_BUFFERS).withCongestionControl(congestionControl(cc))
                .withSack(!noSack), steering(isRaw),
            !noOffloads);
    }

    private KernelSteering steering(final boolean isRaw)
    {
        final KernelSteering k = KernelSteering.parse(kernelSteering);
        if (k == KernelSteering.CLASSIC && !isRaw)
        {
            throw new IllegalArgumentException("--kernel-steering classic steers raw sockets only (a TAP takes eBPF)");
        }
        return k;
    }

    private int[] designation()
    {
        if (designate.isEmpty())
        {
            return null;
        }
        final int interfaces = taps.size() + raw.size();
        final int[] d = new int[interfaces];
        if (designate.size() == 1 && designate.get(0).equalsIgnoreCase("hashed"))
        {
            java.util.Arrays.fill(d, FlowOwnership.HASHED);
            return d;
        }
        java.util.Arrays.fill(d, Integer.MIN_VALUE);
        for (final String item : designate)
        {
            final String[] kv = item.split("=");
            try
            {
                final int ifIndex = Integer.parseInt(kv[0].trim());
                final int core = kv[1].trim().equalsIgnoreCase("hashed") ? FlowOwnership.HASHED : Integer.parseInt(kv[1].trim());
                if (ifIndex < 0 || ifIndex >= d.length || core >= cores || core < FlowOwnership.HASHED)
                {
                    throw new IllegalArgumentException("--designate " + item + ": interface or core out of range");
                }
                d[ifIndex] = core;
            }
            catch (final NumberFormatException | ArrayIndexOutOfBoundsException e)
            {
                throw new IllegalArgumentException("--designate takes IF=CORE, got '" + item + "'");
            }
        }
        for (int i = 0; i < d.length; i++)
        {
            if (d[i] == Integer.MIN_VALUE)
            {
                d[i] = interfaces > 1 ? i % cores : FlowOwnership.HASHED;
            }
        }
        return d;
    }

    private Map<Integer, Integer> protocolClasses()
    {
        final Map<Integer, Integer> result = new HashMap<>();
        for (final String item : protocols)
        {
            final String[] kv = item.split("=");
            if (kv.length != 2)
            {
                throw new IllegalArgumentException("--protocols takes CORE=P+P, got '" + item + "'");
            }
            final int core;
            try
            {
                core = Integer.parseInt(kv[0].trim());
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("--protocols takes CORE=P+P, got '" + item + "'");
            }
            if (core < 0 || core >= cores)
            {
                throw new IllegalArgumentException("--protocols " + item + ": no core " + core);
            }
            int mask = 0;
            for (final String p : kv[1].split("[+,]"))
            {
                mask |= 1 << switch (p.trim().toLowerCase(Locale.ROOT))
                {
                    case "icmp" -> FlowOwnership.CLASS_ICMP;
                    case "udp" -> FlowOwnership.CLASS_UDP;
                    case "tcp" -> FlowOwnership.CLASS_TCP;
                    case "other" -> FlowOwnership.CLASS_OTHER;
                    default -> throw new IllegalArgumentException("unknown protocol '" + p + "' in --protocols");
                };
            }
            result.put(core, mask);
        }
        return result;
    }

    /** What {@code flowstack stat} shows for this process: the options that tell one server from another. */
    /**
     * @param name a name from the command line: cubic, newreno (or reno), bbr.
     * @return the algorithm.
     * @throws IllegalArgumentException for another name, in one line.
     */
    static CongestionAlgorithm congestionControl(final String name)
    {
        return switch (name.toLowerCase(Locale.ROOT))
        {
            case "cubic" -> CongestionAlgorithm.CUBIC;
            case "newreno", "reno" -> CongestionAlgorithm.RENO;
            case "bbr" -> CongestionAlgorithm.BBR;
            default -> throw new IllegalArgumentException("--cc " + name + ": use cubic, newreno or bbr");
        };
    }

    private String description(final String role, final List<String> apps)
    {
        final StringBuilder b = new StringBuilder(role);
        for (int i = 0; i < taps.size(); i++)
        {
            b.append(" --tap ").append(taps.get(i)).append(" --ip ").append(i < ips.size() ? ips.get(i) : "?");
        }
        for (int i = 0; i < raw.size(); i++)
        {
            b.append(" --raw ").append(raw.get(i)).append(" --ip ").append(i < ips.size() ? ips.get(i) : "?");
        }
        if (!raw.isEmpty() && !"hash".equalsIgnoreCase(fanout))
        {
            b.append(" --fanout ").append(fanout);
        }
        if (netns != null)
        {
            b.append(" --netns ").append(netns);
        }
        b.append(" --cores ").append(cores);
        if (queues > 1)
        {
            b.append(" --queues ").append(queues);
        }
        if (!"auto".equalsIgnoreCase(kernelSteering))
        {
            b.append(" --kernel-steering ").append(kernelSteering);
        }
        for (final String a : apps)
        {
            b.append(" --app ").append(a);
        }
        if (fault != null)
        {
            b.append(" --fault ").append(fault);
        }
        if (!"cubic".equalsIgnoreCase(cc))
        {
            b.append(" --cc ").append(cc);
        }
        if (noSack)
        {
            b.append(" --no-sack");
        }
        if (noOffloads)
        {
            b.append(" --no-offloads");
        }
        return b.toString();
    }
}
