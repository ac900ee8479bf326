package io.flowstack.tcp.sim.fuzz;

import io.flowstack.tcp.sim.SimHost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What "the counters account for every frame" means, checked on one host (counters summed over its cores) once
 * everything has settled (no frame in a ring, no datagram in reassembly). Each line is a conservation law of one
 * layer: what came in equals what it passed up, plus what it consumed (counted), plus what it dropped (counted by
 * reason). Both sides are counted independently, at different places in the code, so a frame lost without a
 * count, or counted twice, breaks an equation.
 * <ol>
 * <li>Device: frames written into the port's receive ring (from the link, and by the fuzzer) = frames the
 * driver handed to a core + frames it dropped (ring full, no buffer).</li>
 * <li>Cores: frames read from the device + frames forwarded in from another core + reassembled datagrams sent to
 * their owner core = frames the Ethernet layer took + frames forwarded out + frames lost between cores (rings
 * full); and every frame forwarded out was forwarded in.</li>
 * <li>Ethernet: frames taken = its drops (no interface, truncated, not for us, unknown type) + ARP packets
 * (checked bad, or processed) + IPv4 datagrams (each ends in exactly one IPv4 verdict: a header error, not for
 * us, a martian source, or accepted).</li>
 * <li>IPv4: accepted datagrams = fragments + whole datagrams; whole datagrams + reassembled ones kept on this core
 * = datagrams handed to ICMP (bad, or processed) + UDP (bad length, bad checksum, no port, or delivered) + TCP
 * (bad header, bad options, bad checksum, or a segment processed) + unknown protocols.</li>
 * <li>Reassembly: fragments = fragments dropped (on arrival, or later with their datagram: overlap, timeout,
 * eviction) + fragments in reassembled datagrams (+ fragments held, 0 once settled).</li>
 * <li>Drops: the core's total of dropped frames ({@code rx.drops}) = the sum of every drop reason above, and of
 * TCP's drops after the header checks (no connection, out of window, PAWS, bad flags): each drop is counted once,
 * with one reason.</li>
 * </ol>
 * Not accounted frame by frame: what TCP does with a segment it processes (its effect is the transfer arriving
 * intact, checked elsewhere) and what a layer answers (RSTs, ICMP errors, ARP replies are counted as sent).
 */
final class FrameAccounting
{
    static final String[] ETHERNET_DROPS = {
        "eth.rx.no_interface", "eth.rx.truncated", "eth.rx.not_for_us", "eth.rx.unknown_type"};
    static final String[] IPV4_DROPS = {
        "ipv4.rx.truncated", "ipv4.rx.bad_version", "ipv4.rx.bad_header_length", "ipv4.rx.bad_total_length",
        "ipv4.rx.bad_checksum", "ipv4.rx.not_for_us", "ipv4.rx.martian_source"};
    static final String[] ICMP_DROPS = {"icmp.rx.bad"};
    static final String[] UDP_DROPS = {"udp.rx.bad_length", "udp.rx.bad_checksum", "udp.rx.no_port"};
    static final String[] TCP_HEADER_DROPS = {"tcp.rx.bad_header", "tcp.rx.bad_options", "tcp.rx.bad_checksum"};
    static final String[] TCP_STATE_DROPS = {
        "tcp.rx.no_connection", "tcp.rx.out_of_window", "tcp.rx.paws_rejected", "tcp.rx.bad_flags", "tcp.rx.bad_ack"};
    static final String[] OTHER_DROPS = {"arp.rx.bad", "ipv4.rx.unknown_protocol", "ipv4.reasm.fragments_dropped"};

    private final List<String> lines = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final SimHost host;

    private FrameAccounting(final SimHost host)
    {
        this.host = host;
    }

    /**
     * @param host           the host, settled.
     * @param ringWrites     frames written into its port's receive ring (link deliveries and injections).
     * @param deviceRxFrames frames its driver handed to a core.
     * @param deviceRxDrops  frames its driver dropped on receive.
     * @return the equations, and what broke.
     */
    static FrameAccounting check(final SimHost host, final long ringWrites, final long deviceRxFrames,
        final long deviceRxDrops)
    {
        final FrameAccounting a = new FrameAccounting(host);
        a.equation("device", ringWrites, deviceRxFrames + deviceRxDrops);
        a.equation("cores: frames read = engine.frames_in", deviceRxFrames, a.c("engine.frames_in"));
        a.equation("cores", a.c("engine.frames_in") + a.c("engine.forwarded_in") + a.c("ipv4.reasm.redispatched")
            + a.c("ipv6.reasm.redispatched"),
            a.c("eth.rx.frames") + a.c("engine.forwarded_out") + a.c("engine.ring_drops"));
        a.equation("cores: forwarded out = in", a.c("engine.forwarded_out"), a.c("engine.forwarded_in"));
        final long ipv4In = a.sum(IPV4_DROPS) + a.c("ipv4.rx.datagrams");
        a.equation("ethernet", a.c("eth.rx.frames"),
            a.sum(ETHERNET_DROPS) + a.c("arp.rx.bad") + a.c("arp.rx.frames") + ipv4In);
        final long icmpIn = a.sum(ICMP_DROPS) + a.c("icmp.rx.messages");
        final long udpIn = a.sum(UDP_DROPS) + a.c("udp.rx.datagrams");
        final long tcpIn = a.sum(TCP_HEADER_DROPS) + a.c("tcp.rx.segments");
        a.equation("ipv4 to transports", a.c("ipv4.rx.datagrams") - a.c("ipv4.reasm.fragments")
            + a.c("ipv4.reasm.reassembled") - a.c("ipv4.reasm.redispatched"),
            icmpIn + udpIn + tcpIn + a.c("ipv4.rx.unknown_protocol"));
        a.equation("reassembly", a.c("ipv4.reasm.fragments"),
            a.c("ipv4.reasm.fragments_dropped") + a.c("ipv4.reasm.fragments_reassembled"));
        a.equation("drops", a.c("rx.drops"), a.sum(ETHERNET_DROPS) + a.sum(IPV4_DROPS) + a.sum(ICMP_DROPS)
            + a.sum(UDP_DROPS) + a.sum(TCP_HEADER_DROPS) + a.sum(TCP_STATE_DROPS) + a.sum(OTHER_DROPS));
        return a;
    }

    /** Every drop counter with its value over both hosts, largest first. */
    static Map<String, Long> dropsByReason(final List<SimHost> hosts)
    {
        final Map<String, Long> all = new LinkedHashMap<>();
        for (final String[] group : new String[][] {ETHERNET_DROPS, OTHER_DROPS, IPV4_DROPS, ICMP_DROPS, UDP_DROPS,
            TCP_HEADER_DROPS, TCP_STATE_DROPS})
        {
            for (final String name : group)
            {
                long sum = 0;
                for (final SimHost h : hosts)
                {
                    sum += h.counter(name);
                }
                all.put(name, sum);
            }
        }
        final Map<String, Long> sorted = new LinkedHashMap<>();
        all.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
            .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private long c(final String name)
    {
        return host.counter(name);
    }

    private long sum(final String[] names)
    {
        long s = 0;
        for (final String n : names)
        {
            s += c(n);
        }
        return s;
    }

    private void equation(final String layer, final long in, final long out)
    {
        final String line = host.name() + " " + layer + ": " + in + (in == out ? " = " : " != ") + out;
        lines.add(line);
        if (in != out)
        {
            violations.add(line);
        }
    }

    List<String> lines()
    {
        return lines;
    }

    List<String> violations()
    {
        return violations;
    }
}
