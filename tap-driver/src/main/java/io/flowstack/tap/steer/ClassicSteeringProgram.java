package io.flowstack.tap.steer;

import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.SteeringRule;
import io.flowstack.core.flow.SteeringRules;
import io.flowstack.core.wire.AddressBits;
import io.flowstack.tap.bpf.ClassicAssembler;
import io.flowstack.tap.bpf.ClassicAssembler.Label;
import io.flowstack.tap.bpf.ClassicBpf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.flowstack.tap.bpf.ClassicBpf.AND;
import static io.flowstack.tap.bpf.ClassicBpf.B;
import static io.flowstack.tap.bpf.ClassicBpf.H;
import static io.flowstack.tap.bpf.ClassicBpf.JEQ;
import static io.flowstack.tap.bpf.ClassicBpf.JGE;
import static io.flowstack.tap.bpf.ClassicBpf.JGT;
import static io.flowstack.tap.bpf.ClassicBpf.JSET;
import static io.flowstack.tap.bpf.ClassicBpf.LL_OFF;
import static io.flowstack.tap.bpf.ClassicBpf.LSH;
import static io.flowstack.tap.bpf.ClassicBpf.OR;
import static io.flowstack.tap.bpf.ClassicBpf.RSH;
import static io.flowstack.tap.bpf.ClassicBpf.W;
import static io.flowstack.tap.bpf.ClassicBpf.XOR;

/**
 * Generates the classic BPF program for a {@code PACKET_FANOUT_CBPF} group: the same decisions as
 * {@link EbpfSteeringProgram}, with everything compiled in because classic BPF has no maps.
 * <ul>
 * <li>Fields are read relative to the MAC header ({@link ClassicBpf#LL_OFF}); lengths are checked against
 * {@code skb->len}, which on a fanout group's receive path counts from the network header (the frame less its 14
 * Ethernet bytes). A load past the frame would end the program with 0, so every optional field is checked first.</li>
 * <li>The Toeplitz bucket: one parity per table bit ({@link ToeplitzMasks}), about 30 instructions each.</li>
 * <li>The table as a decision tree: bit p of the owner core is bit {@code bucket & 31} of a 32-bit constant chosen
 * by a binary search on {@code bucket >> 5} (runs of equal constants merged); one such tree per bit of the core
 * number and per distinct protocol-class table.</li>
 * <li>Pins as compare chains (9 instructions each, {@value #PIN6_INSNS} for IPv6), as many as fit under
 * {@value ClassicBpf#MAX_INSNS} instructions; the rest are reported and their frames land by the table (their
 * owner forwards them).</li>
 * <li>IPv6 as in the extended program: no extension-header walk (hop-by-hop, destination options and routing
 * headers go to the non-IP core, which forwards), Neighbor Discovery to the non-IP core, the addresses read
 * straight from the packet (16 scratch words would not hold them), the bucket and the tables shared with IPv4.</li>
 * </ul>
 * A change of table or pins regenerates the program, which the kernel swaps in at once.
 */
final class ClassicSteeringProgram
{
    /** The program and the pins it could not hold. */
    record Result(byte[] code, int instructions, int pinsLeftOut)
    {
    }

    private static final int SOURCE = 0;
    private static final int DESTINATION = 1;
    private static final int PORTS = 2;
    private static final int PROTOCOL = 3;
    private static final int HAS_PORTS = 4;
    private static final int LENGTH = 5;
    private static final int BUCKET = 6;
    private static final int BIT = 7;
    private static final int CORE = 8;

    private static final int ETH = EbpfSteeringProgram.ETH;
    private static final int IP = LL_OFF + ETH;
    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    /** Instructions of one IPv4 pin's compare chain. */
    static final int PIN_INSNS = 9;
    /** Instructions of one IPv6 pin's compare chain: protocol, eight address words, ports, return. */
    static final int PIN6_INSNS = 21;
    private static final int IP6_SOURCE = IP + 8;

    private ClassicSteeringProgram()
    {
    }

    /**
     * @param ownership the ownership function, with its current table and pins.
     * @param ifIndex   the interface steered.
     * @return the program, or the reason it cannot fit.
     * @throws IllegalStateException when even without pins the program is over the kernel's limit.
     */
    static Result generate(final FlowOwnership ownership, final int ifIndex)
    {
        final int withoutPins = build(ownership, ifIndex, new ArrayList<>()).size();
        if (withoutPins > ClassicBpf.MAX_INSNS)
        {
            throw new IllegalStateException("a classic BPF program for this table would take " + withoutPins
                + " instructions, over the kernel's " + ClassicBpf.MAX_INSNS);
        }
        final List<long[]> kept = new ArrayList<>();
        // Each family's chains start with a 3-instruction check for ports.
        final int[] room = {ClassicBpf.MAX_INSNS - withoutPins - 6};
        final int[] all = {0};
        ownership.pins().forEach((protocol, sh, sl, dh, dl, sourcePort, destinationPort, core) ->
        {
            all[0]++;
            final int cost = AddressBits.isIpv4(sh, sl) && AddressBits.isIpv4(dh, dl) ? PIN_INSNS : PIN6_INSNS;
            if (cost <= room[0])
            {
                room[0] -= cost;
                kept.add(new long[]{protocol, sh, sl, dh, dl, sourcePort << 16 | destinationPort, core});
            }
        });
        final ClassicAssembler a = build(ownership, ifIndex, kept);
        return new Result(a.assemble(), a.size(), all[0] - kept.size());
    }

    private static ClassicAssembler build(final FlowOwnership ownership, final int ifIndex, final List<long[]> pins)
    {
        final ClassicAssembler a = new ClassicAssembler();
        final Label here = a.label();
        final Label nonIp = a.label();
        final Label noPorts = a.label();
        final Label tryPorts = a.label();
        final Label ipv6 = a.label();
        final Label tables = a.label();

        a.loadAbsolute(H, LL_OFF + ETH - 2).jumpIf(JEQ, EbpfSteeringProgram.ETHERTYPE_IPV6, ipv6);
        a.jumpUnless(JEQ, EbpfSteeringProgram.ETHERTYPE_IPV4, nonIp);
        a.loadLength().jumpUnless(JGE, EbpfSteeringProgram.IPV4_MIN, here).store(LENGTH);
        a.loadAbsolute(B, IP + 9).store(PROTOCOL);
        a.loadAbsolute(W, IP + 12).store(SOURCE);
        a.loadAbsolute(W, IP + 16).store(DESTINATION);
        a.loadConstant(0).store(PORTS).store(HAS_PORTS);
        a.loadScratch(PROTOCOL).jump(JEQ, PROTO_TCP, tryPorts, null).jumpUnless(JEQ, PROTO_UDP, noPorts);
        a.bind(tryPorts);
        a.loadAbsolute(H, IP + 6).jumpIf(JSET, 0x3FFF, noPorts);
        // Header length 4 * IHL; ports need IHL >= 5 and 4 bytes after the header.
        a.loadAbsolute(B, IP).alu(AND, 0x0F).alu(LSH, 2).jumpUnless(JGE, EbpfSteeringProgram.IPV4_MIN, noPorts);
        a.tax().alu(ClassicBpf.ADD, 4).loadScratchX(LENGTH);
        final Label fits = a.label();
        a.jumpX(JGT, null, fits).jumpAlways(noPorts);
        a.bind(fits);
        a.loadAbsolute(B, IP).alu(AND, 0x0F).alu(LSH, 2).tax();
        a.loadIndirect(W, IP).store(PORTS).loadConstant(1).store(HAS_PORTS);
        a.bind(noPorts);

        rules(a, ownership.rules());
        final int designated = ownership.designatedCore(ifIndex);
        if (designated >= 0)
        {
            a.returnConstant(designated);
        }
        else
        {
            pins(a, pins, false);
            bucket(a, ownership, false);
            a.jumpAlways(tables);
        }

        a.bind(ipv6);
        ipv6(a, here, nonIp);
        rules6(a, ownership.rules());
        if (designated >= 0)
        {
            a.returnConstant(designated);
        }
        else
        {
            pins(a, pins, true);
            bucket(a, ownership, true);
            a.bind(tables);
            tables(a, ownership);
        }
        a.bind(here).returnConstant(0);
        a.bind(nonIp).returnConstant(ownership.ownerOfNonIp(ifIndex));
        return a;
    }

    /** Fills PROTOCOL, PORTS, HAS_PORTS of an IPv6 packet, or leaves for the non-IP core or "here". */
    private static void ipv6(final ClassicAssembler a, final Label here, final Label nonIp)
    {
        final Label ports = a.label();
        final Label noPorts = a.label();
        a.loadLength().jumpUnless(JGE, EbpfSteeringProgram.IPV6_HEADER, here).store(LENGTH);
        a.loadConstant(0).store(PORTS).store(HAS_PORTS);
        a.loadAbsolute(B, IP + 6).store(PROTOCOL);
        for (final int header : EbpfSteeringProgram.IPV6_WALKED_HEADERS)
        {
            a.jumpIf(JEQ, header, nonIp);
        }
        a.jump(JEQ, PROTO_TCP, ports, null).jump(JEQ, PROTO_UDP, ports, null);
        a.jumpUnless(JEQ, EbpfSteeringProgram.PROTO_ICMPV6, noPorts);
        a.loadScratch(LENGTH).jumpUnless(JGT, EbpfSteeringProgram.IPV6_HEADER, noPorts);
        a.loadAbsolute(B, IP + EbpfSteeringProgram.IPV6_HEADER).jumpUnless(JGE, EbpfSteeringProgram.ND_FIRST, noPorts);
        a.jumpIf(JGT, EbpfSteeringProgram.ND_LAST, noPorts).jumpAlways(nonIp);
        a.bind(ports);
        a.loadScratch(LENGTH).jumpUnless(JGE, EbpfSteeringProgram.IPV6_HEADER + 4, noPorts);
        a.loadAbsolute(W, IP + EbpfSteeringProgram.IPV6_HEADER).store(PORTS).loadConstant(1).store(HAS_PORTS);
        a.bind(noPorts);
    }

    /** IPv6 rules; IPv4 address rules never match an IPv6 packet. */
    private static void rules6(final ClassicAssembler a, final SteeringRules rules)
    {
        for (int i = 0; i < rules.size(); i++)
        {
            final SteeringRule rule = rules.get(i);
            if (rule.hasLocalAddress() && !rule.hasIpv6Address())
            {
                continue;
            }
            final Label next = a.label();
            a.loadScratch(PROTOCOL).jump(JEQ, rule.protocol(), null, next);
            if (rule.hasLocalAddress())
            {
                final int[] words = words(rule.localHigh(), rule.localLow());
                for (int w = 0; w < 4; w++)
                {
                    a.loadAbsolute(W, IP6_SOURCE + 16 + 4 * w).jump(JEQ, words[w], null, next);
                }
            }
            if (rule.localPort() != SteeringRule.ANY_PORT)
            {
                a.loadScratch(PORTS).alu(AND, 0xFFFF).jump(JEQ, rule.localPort(), null, next);
            }
            a.returnConstant(rule.core());
            a.bind(next);
        }
    }

    private static int[] words(final long high, final long low)
    {
        return new int[]{(int)(high >>> 32), (int)high, (int)(low >>> 32), (int)low};
    }

    private static void rules(final ClassicAssembler a, final SteeringRules rules)
    {
        for (int i = 0; i < rules.size(); i++)
        {
            final SteeringRule rule = rules.get(i);
            if (rule.hasIpv6Address())
            {
                continue;
            }
            final Label next = a.label();
            a.loadScratch(PROTOCOL).jump(JEQ, rule.protocol(), null, next);
            if (rule.hasLocalAddress())
            {
                a.loadScratch(DESTINATION).jump(JEQ, rule.localAddress(), null, next);
            }
            if (rule.localPort() != SteeringRule.ANY_PORT)
            {
                a.loadScratch(PORTS).alu(AND, 0xFFFF).jump(JEQ, rule.localPort(), null, next);
            }
            a.returnConstant(rule.core());
            a.bind(next);
        }
    }

    /** The compare chains of one family's pins ({protocol, sh, sl, dh, dl, ports, core} each). */
    private static void pins(final ClassicAssembler a, final List<long[]> pins, final boolean ipv6)
    {
        final List<long[]> family = new ArrayList<>();
        for (final long[] p : pins)
        {
            if (ipv6 != (AddressBits.isIpv4(p[1], p[2]) && AddressBits.isIpv4(p[3], p[4])))
            {
                family.add(p);
            }
        }
        if (family.isEmpty())
        {
            return;
        }
        final Label done = a.label();
        a.loadScratch(HAS_PORTS).jumpIf(JEQ, 0, done);
        for (final long[] p : family)
        {
            final Label next = a.label();
            a.loadScratch(PROTOCOL).jump(JEQ, (int)p[0], null, next);
            if (ipv6)
            {
                final int[] source = words(p[1], p[2]);
                final int[] destination = words(p[3], p[4]);
                for (int w = 0; w < 8; w++)
                {
                    a.loadAbsolute(W, IP6_SOURCE + 4 * w).jump(JEQ, w < 4 ? source[w] : destination[w - 4], null, next);
                }
            }
            else
            {
                a.loadScratch(SOURCE).jump(JEQ, (int)p[2], null, next);
                a.loadScratch(DESTINATION).jump(JEQ, (int)p[4], null, next);
            }
            a.loadScratch(PORTS).jump(JEQ, (int)p[5], null, next);
            a.returnConstant((int)p[6]);
            a.bind(next);
        }
        a.bind(done);
    }

    /** M[BUCKET] = the low bits of the Toeplitz hash; M[BIT] = bucket &amp; 31. */
    private static void bucket(final ClassicAssembler a, final FlowOwnership ownership, final boolean ipv6)
    {
        final int bits = Integer.numberOfTrailingZeros(ownership.tableSize());
        final int[][] masks = ToeplitzMasks.of(ownership.hash().key(), bits,
            ipv6 ? ToeplitzMasks.WORDS6 : ToeplitzMasks.WORDS);
        a.loadConstant(0).store(BUCKET);
        for (int j = 0; j < bits; j++)
        {
            boolean any = false;
            for (int w = 0; w < masks[j].length; w++)
            {
                if (masks[j][w] != 0)
                {
                    if (any)
                    {
                        a.tax();
                    }
                    loadWord(a, ipv6, w).alu(AND, masks[j][w]);
                    if (any)
                    {
                        a.aluX(XOR);
                    }
                    any = true;
                }
            }
            if (!any)
            {
                continue;
            }
            a.tax().alu(RSH, 16).aluX(XOR);
            a.tax().alu(RSH, 8).aluX(XOR);
            a.tax().alu(RSH, 4).aluX(XOR);
            a.alu(AND, 0x0F).tax().loadConstant(0x6996).aluX(RSH).alu(AND, 1).alu(LSH, j).tax();
            a.loadScratch(BUCKET).aluX(OR).store(BUCKET);
        }
        a.loadScratch(BUCKET).alu(AND, 31).store(BIT);
    }

    /** A = word w of the hash input: IPv4's from scratch; IPv6's addresses from the packet, its ports from scratch. */
    private static ClassicAssembler loadWord(final ClassicAssembler a, final boolean ipv6, final int w)
    {
        if (!ipv6)
        {
            return a.loadScratch(new int[]{SOURCE, DESTINATION, PORTS}[w]);
        }
        return w < 8 ? a.loadAbsolute(W, IP6_SOURCE + 4 * w) : a.loadScratch(PORTS);
    }

    /** Dispatches on the protocol class to that class's table (identical tables share code) and returns the core. */
    private static void tables(final ClassicAssembler a, final FlowOwnership ownership)
    {
        final int size = ownership.tableSize();
        final Map<String, Label> distinct = new LinkedHashMap<>();
        final Map<String, int[]> contents = new LinkedHashMap<>();
        final Label[] byClass = new Label[FlowOwnership.CLASSES];
        for (int k = 0; k < FlowOwnership.CLASSES; k++)
        {
            final int[] t = new int[size];
            for (int b = 0; b < size; b++)
            {
                t[b] = ownership.coreOfBucket(k, b);
            }
            final String id = Arrays.toString(t);
            byClass[k] = distinct.computeIfAbsent(id, x -> a.label());
            contents.put(id, t);
        }
        if (distinct.size() > 1)
        {
            a.loadScratch(PROTOCOL);
            a.jumpIf(JEQ, PROTO_ICMP, byClass[FlowOwnership.CLASS_ICMP]);
            a.jumpIf(JEQ, PROTO_UDP, byClass[FlowOwnership.CLASS_UDP]);
            a.jumpIf(JEQ, PROTO_TCP, byClass[FlowOwnership.CLASS_TCP]);
            a.jumpAlways(byClass[FlowOwnership.CLASS_OTHER]);
        }
        for (final Map.Entry<String, Label> e : distinct.entrySet())
        {
            a.bind(e.getValue());
            table(a, contents.get(e.getKey()));
        }
    }

    /** Returns table[M[BUCKET]], one bit of the core at a time. */
    private static void table(final ClassicAssembler a, final int[] table)
    {
        int maxCore = 0;
        for (final int c : table)
        {
            maxCore = Math.max(maxCore, c);
        }
        final int planes = 32 - Integer.numberOfLeadingZeros(maxCore);
        a.loadConstant(0).store(CORE);
        for (int p = 0; p < planes; p++)
        {
            final int words = (table.length + 31) / 32;
            final int[] plane = new int[words];
            for (int b = 0; b < table.length; b++)
            {
                plane[b >>> 5] |= ((table[b] >>> p) & 1) << (b & 31);
            }
            final Label chosen = a.label();
            a.loadScratch(BUCKET).alu(RSH, 5);
            search(a, plane, runs(plane), 0, runs(plane).size() - 1, chosen);
            a.bind(chosen);
            // A = the plane word; its bit (bucket & 31) is bit p of the core.
            a.loadScratchX(BIT).aluX(RSH).alu(AND, 1);
            if (p > 0)
            {
                a.alu(LSH, p);
            }
            a.tax().loadScratch(CORE).aluX(OR).store(CORE);
        }
        a.loadScratch(CORE).returnA();
    }

    /** Starts of runs of equal words. */
    private static List<Integer> runs(final int[] plane)
    {
        final List<Integer> starts = new ArrayList<>();
        for (int w = 0; w < plane.length; w++)
        {
            if (w == 0 || plane[w] != plane[w - 1])
            {
                starts.add(w);
            }
        }
        return starts;
    }

    /** Binary search on A (a word index) over runs lo..hi; each leaf loads its word and goes to {@code chosen}. */
    private static void search(final ClassicAssembler a, final int[] plane, final List<Integer> starts, final int lo,
        final int hi, final Label chosen)
    {
        if (lo == hi)
        {
            a.loadConstant(plane[starts.get(lo)]).jumpAlways(chosen);
            return;
        }
        final int mid = (lo + hi + 1) >>> 1;
        final Label right = a.label();
        a.jumpIf(JGE, starts.get(mid), right);
        search(a, plane, starts, lo, mid - 1, chosen);
        a.bind(right);
        search(a, plane, starts, mid, hi, chosen);
    }
}
