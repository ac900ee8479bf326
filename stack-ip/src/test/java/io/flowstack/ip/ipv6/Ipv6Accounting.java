package io.flowstack.ip.ipv6;

import io.flowstack.core.counter.CounterSet;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What "every IPv6 packet is counted" means on one core, as conservation laws over the change of its counters
 * between two snapshots (no ARP or IPv4 frames in between, nothing left in reassembly):
 * <ol>
 * <li>Ethernet: frames taken = its drops + packets handed to IPv6.</li>
 * <li>IPv6 in: packets handed to IPv6 = header drops (truncated, bad version, bad payload length, not for us, bad
 * source) + packets accepted ({@code ipv6.rx.packets}).</li>
 * <li>IPv6 walk: accepted + reassembled = extension-header verdicts (bad header, chain too long, bad fragment,
 * unknown next header, no next header) + fragments taken by reassembly + packets handed to ICMPv6 (bad, or a
 * message) or UDP (bad length, bad checksum, no port, or a datagram).</li>
 * <li>Drops: {@code rx.drops} = the sum of every drop reason above: each drop counted once, with one reason.</li>
 * </ol>
 * Each side is counted at a different place in the code, so a packet lost without a count, or counted twice,
 * breaks an equation.
 */
final class Ipv6Accounting
{
    private static final String[] ETHERNET_DROPS = {
        "eth.rx.no_interface", "eth.rx.truncated", "eth.rx.not_for_us", "eth.rx.unknown_type"};
    private static final String[] HEADER_DROPS = {
        "ipv6.rx.truncated", "ipv6.rx.bad_version", "ipv6.rx.bad_payload_length", "ipv6.rx.not_for_us",
        "ipv6.rx.bad_source"};
    private static final String[] WALK_DROPS = {
        "ipv6.rx.bad_extension_header", "ipv6.rx.chain_too_long", "ipv6.rx.bad_fragment",
        "ipv6.rx.unknown_next_header"};
    private static final String[] TRANSPORT_DROPS = {
        "icmp6.rx.bad", "udp.rx.bad_length", "udp.rx.bad_checksum", "udp.rx.no_port"};
    private static final String[] TRANSPORT_TAKEN = {"icmp6.rx.messages", "udp.rx.datagrams"};
    private static final String[] OTHERS = {
        "eth.rx.frames", "rx.drops", "ipv6.rx.packets", "ipv6.reasm.packets", "ipv6.reasm.fragments",
        "ipv6.rx.no_next_header"};

    private final CounterSet counters;
    private final List<String> names = new ArrayList<>();
    private final long[] before;

    private Ipv6Accounting(final CounterSet counters)
    {
        this.counters = counters;
        for (final String[] group : new String[][] {ETHERNET_DROPS, HEADER_DROPS, WALK_DROPS, TRANSPORT_DROPS,
            TRANSPORT_TAKEN, OTHERS})
        {
            names.addAll(List.of(group));
        }
        before = new long[names.size()];
        for (int i = 0; i < before.length; i++)
        {
            before[i] = counters.get(names.get(i));
        }
    }

    /**
     * @param counters a core's counters.
     * @return their values now.
     */
    static Ipv6Accounting snapshot(final CounterSet counters)
    {
        return new Ipv6Accounting(counters);
    }

    /**
     * Checks the equations over what changed since the snapshot.
     *
     * @param frames frames injected since, all IPv6 Ethernet frames (or their truncations).
     */
    void check(final long frames)
    {
        final long ethernetDrops = sum(ETHERNET_DROPS);
        final long headerDrops = sum(HEADER_DROPS);
        final long accepted = d("ipv6.rx.packets");
        final String all = snapshotText();
        assertEquals(frames, d("eth.rx.frames"), "every frame taken by Ethernet: " + all);
        assertEquals(frames, ethernetDrops + headerDrops + accepted, "ethernet and IPv6 in: " + all);
        assertEquals(accepted + d("ipv6.reasm.packets"), sum(WALK_DROPS) + d("ipv6.rx.no_next_header")
            + d("ipv6.reasm.fragments") + sum(TRANSPORT_DROPS) + sum(TRANSPORT_TAKEN), "IPv6 walk: " + all);
        assertEquals(d("rx.drops"), ethernetDrops + headerDrops + sum(WALK_DROPS) + sum(TRANSPORT_DROPS),
            "each drop once, with one reason: " + all);
    }

    private long d(final String name)
    {
        return counters.get(name) - before[names.indexOf(name)];
    }

    private long sum(final String[] group)
    {
        long s = 0;
        for (final String name : group)
        {
            s += d(name);
        }
        return s;
    }

    private String snapshotText()
    {
        final StringBuilder text = new StringBuilder();
        for (final String name : names)
        {
            final long change = d(name);
            if (change != 0)
            {
                text.append(name).append('=').append(change).append(' ');
            }
        }
        return text.toString();
    }
}
