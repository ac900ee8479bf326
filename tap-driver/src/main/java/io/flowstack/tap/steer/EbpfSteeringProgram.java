package io.flowstack.tap.steer;

import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.SteeringRule;
import io.flowstack.core.flow.SteeringRules;
import io.flowstack.tap.bpf.EbpfAssembler;
import io.flowstack.tap.bpf.EbpfAssembler.Label;

import static io.flowstack.tap.bpf.Ebpf.ADD;
import static io.flowstack.tap.bpf.Ebpf.AND;
import static io.flowstack.tap.bpf.Ebpf.B;
import static io.flowstack.tap.bpf.Ebpf.FUNC_MAP_LOOKUP_ELEM;
import static io.flowstack.tap.bpf.Ebpf.FUNC_SKB_LOAD_BYTES_RELATIVE;
import static io.flowstack.tap.bpf.Ebpf.H;
import static io.flowstack.tap.bpf.Ebpf.HDR_START_MAC;
import static io.flowstack.tap.bpf.Ebpf.JEQ;
import static io.flowstack.tap.bpf.Ebpf.JGT;
import static io.flowstack.tap.bpf.Ebpf.JLT;
import static io.flowstack.tap.bpf.Ebpf.JNE;
import static io.flowstack.tap.bpf.Ebpf.JSET;
import static io.flowstack.tap.bpf.Ebpf.LSH;
import static io.flowstack.tap.bpf.Ebpf.MOV;
import static io.flowstack.tap.bpf.Ebpf.MUL;
import static io.flowstack.tap.bpf.Ebpf.OR;
import static io.flowstack.tap.bpf.Ebpf.R0;
import static io.flowstack.tap.bpf.Ebpf.R1;
import static io.flowstack.tap.bpf.Ebpf.R10;
import static io.flowstack.tap.bpf.Ebpf.R2;
import static io.flowstack.tap.bpf.Ebpf.R3;
import static io.flowstack.tap.bpf.Ebpf.R4;
import static io.flowstack.tap.bpf.Ebpf.R5;
import static io.flowstack.tap.bpf.Ebpf.R6;
import static io.flowstack.tap.bpf.Ebpf.R7;
import static io.flowstack.tap.bpf.Ebpf.R8;
import static io.flowstack.tap.bpf.Ebpf.R9;
import static io.flowstack.tap.bpf.Ebpf.RSH;
import static io.flowstack.tap.bpf.Ebpf.W;
import static io.flowstack.tap.bpf.Ebpf.XOR;

/**
 * Generates the extended BPF socket-filter program that returns, for a frame, the core that owns it: the same
 * answer as {@code FlowClassifier} over {@link FlowOwnership}, step for step.
 * <ol>
 * <li>Shorter than an Ethernet header, or IPv4 shorter than a minimal IPv4 header: 0 (the stack processes such a
 * frame wherever it lands and drops it there).</li>
 * <li>Neither IPv4 nor IPv6 (ARP and everything else): the interface's designated core, or core 0.</li>
 * <li>IPv4: ports are read for TCP and UDP that are not fragments (MF or an offset), with a header length of at
 * least 20 and the 4 port bytes present after the header (options skipped); otherwise the flow is addresses
 * only.</li>
 * <li>IPv6 (shorter than its 40-byte header: 0): the upper-layer protocol is the fixed header's next header. A
 * hop-by-hop, destination options or routing header goes to the non-IP core, which forwards the packet to its
 * owner (the program does not walk extension headers; the stack's classifier does); a fragment header is the
 * protocol, hashed on addresses, as the stack hashes fragments; ICMPv6 Neighbor Discovery (types 133..137) goes
 * to the non-IP core as ARP does; TCP and UDP with their 4 port bytes present have ports.</li>
 * <li>Steering rules in order on (protocol, destination address, destination port), a rule with an address only
 * in its family; then the designated core; then, for flows with ports, the family's pin map; then the Toeplitz
 * hash of (source, destination[, ports]) through the protocol class's table in the table map.</li>
 * </ol>
 * Bytes are read with {@code bpf_skb_load_bytes_relative} from the MAC header, so the program reads the same
 * offsets wherever it runs: on a TAP's transmit path (data at the MAC header), on an AF_PACKET fanout group's
 * receive path and under {@code BPF_PROG_TEST_RUN} (data at the network header). The Toeplitz key is compiled in
 * as parity masks ({@link ToeplitzMasks}); rules and designation are compiled in (they never change while
 * running); the tables and pins live in maps ({@link EbpfSteering}) so that a reprogramming changes data, not code.
 */
final class EbpfSteeringProgram
{
    /** IPv4's EtherType. */
    static final int ETHERTYPE_IPV4 = 0x0800;
    /** IPv6's EtherType. */
    static final int ETHERTYPE_IPV6 = 0x86DD;
    /** IPv6 header length. */
    static final int IPV6_HEADER = 40;
    /** IPv6 extension headers the program does not walk (RFC 8200 4.3, 4.6, 4.4): hop-by-hop, destination, routing. */
    static final int[] IPV6_WALKED_HEADERS = {0, 60, 43};
    /** ICMPv6 and its Neighbor Discovery types (router solicitation .. redirect, RFC 4861 4). */
    static final int PROTO_ICMPV6 = 58;
    /** First Neighbor Discovery type. */
    static final int ND_FIRST = 133;
    /** Last Neighbor Discovery type. */
    static final int ND_LAST = 137;
    /** Ethernet header length. */
    static final int ETH = 14;
    /** Minimal IPv4 header length. */
    static final int IPV4_MIN = 20;

    // Stack layout below r10. The pin key (16 bytes at KEY) overlaps the end of the IPv4 header copy: source and
    // destination (header bytes 12..19) are where the key wants them, ports and protocol follow.
    private static final int ETHERTYPE_AT = -56;
    private static final int HEADER_AT = -32;
    private static final int KEY_AT = -20;
    private static final int SOURCE_AT = -20;
    private static final int DESTINATION_AT = -16;
    private static final int PORTS_AT = -12;
    private static final int PROTOCOL_AT = -8;
    private static final int INDEX_AT = -52;
    // IPv6: the header copy at -112..-73, with the 40-byte pin key over its addresses (-104..-73), then the ports
    // and the protocol word, as in IPv4; the ICMPv6 type in a byte of its own.
    private static final int HEADER6_AT = -112;
    private static final int KEY6_AT = -104;
    private static final int DESTINATION6_AT = -88;
    private static final int PORTS6_AT = -72;
    private static final int PROTOCOL6_AT = -68;
    private static final int TYPE6_AT = -60;

    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    /** Fragment field bits that make a datagram a fragment: MF and the offset (RFC 791). */
    private static final int FRAGMENT_BITS = 0x3FFF;

    private EbpfSteeringProgram()
    {
    }

    /**
     * @param ownership  the ownership function (key, table size, rules, designation).
     * @param ifIndex    the interface the program steers.
     * @param tableMapFd the table map ({@link EbpfSteering#tableEntries(int)} entries).
     * @param pinMapFd   the IPv4 pin map.
     * @param pin6MapFd  the IPv6 pin map.
     * @return the encoded program.
     */
    static byte[] generate(final FlowOwnership ownership, final int ifIndex, final int tableMapFd, final int pinMapFd,
        final int pin6MapFd)
    {
        final EbpfAssembler a = new EbpfAssembler();
        final Label here = a.label();
        final Label nonIp = a.label();
        final Label noPorts = a.label();
        final Label tryPorts = a.label();
        final Label hash = a.label();
        final Label reloadAndHash = a.label();
        final Label ipv6 = a.label();
        final Label lookup = a.label();

        a.mov64Reg(R6, R1);
        loadBytes(a, ETH - 2, ETHERTYPE_AT, 2);
        a.jump(JNE, R0, 0, here);
        a.load(H, R0, R10, ETHERTYPE_AT).toBigEndian(R0, 16);
        a.jump(JEQ, R0, ETHERTYPE_IPV6, ipv6);
        a.jump(JNE, R0, ETHERTYPE_IPV4, nonIp);

        loadBytes(a, ETH, HEADER_AT, IPV4_MIN);
        a.jump(JNE, R0, 0, here);
        a.load(B, R7, R10, HEADER_AT).alu32(AND, R7, 0x0F).alu32(LSH, R7, 2);
        a.load(B, R8, R10, HEADER_AT + 9);
        a.storeImm(W, R10, PORTS_AT, 0);
        a.store(W, R10, PROTOCOL_AT, R8);
        a.mov64(R9, 0);
        a.jump(JEQ, R8, PROTO_TCP, tryPorts);
        a.jump(JNE, R8, PROTO_UDP, noPorts);
        a.bind(tryPorts);
        a.load(H, R0, R10, HEADER_AT + 6).toBigEndian(R0, 16);
        a.jump(JSET, R0, FRAGMENT_BITS, noPorts);
        a.jump(JLT, R7, IPV4_MIN, noPorts);
        a.mov64Reg(R1, R6).mov64Reg(R2, R7).alu64(ADD, R2, ETH);
        a.mov64Reg(R3, R10).alu64(ADD, R3, PORTS_AT).mov64(R4, 4).mov64(R5, HDR_START_MAC);
        a.call(FUNC_SKB_LOAD_BYTES_RELATIVE);
        // On failure the helper has zeroed the port bytes: addresses only, as without ports.
        a.jump(JNE, R0, 0, noPorts);
        a.mov64(R9, 1);
        a.bind(noPorts);
        loadWords(a);

        rules(a, ownership.rules());
        final int designated = ownership.designatedCore(ifIndex);
        if (designated >= 0)
        {
            a.returnValue(designated);
        }
        else
        {
            a.jump(JEQ, R9, 0, hash);
            a.loadMap(R1, pinMapFd).mov64Reg(R2, R10).alu64(ADD, R2, KEY_AT).call(FUNC_MAP_LOOKUP_ELEM);
            a.jump(JEQ, R0, 0, reloadAndHash);
            a.load(W, R0, R0, 0).exit();
            a.bind(reloadAndHash);
            loadWords(a);
            a.bind(hash);
            bucket(a, ownership);
            a.jumpAlways(lookup);
        }

        a.bind(ipv6);
        ipv6(a, ownership, ifIndex, pin6MapFd, here, nonIp);
        if (designated < 0)
        {
            a.bind(lookup);
            tableLookup(a, ownership.tableSize(), tableMapFd, here);
        }

        a.bind(here).returnValue(0);
        a.bind(nonIp).returnValue(ownership.ownerOfNonIp(ifIndex));
        return a.assemble();
    }

    /**
     * The IPv6 path: classifies, applies rules, designation and pins, and leaves the bucket in r4 and the protocol
     * in r8 for the table lookup that follows (or returns).
     */
    private static void ipv6(final EbpfAssembler a, final FlowOwnership ownership, final int ifIndex,
        final int pin6MapFd, final Label here, final Label nonIp)
    {
        final Label ports = a.label();
        final Label noPorts = a.label();
        final Label hash = a.label();
        loadBytes(a, ETH, HEADER6_AT, IPV6_HEADER);
        a.jump(JNE, R0, 0, here);
        a.load(B, R8, R10, HEADER6_AT + 6);
        a.storeImm(W, R10, PORTS6_AT, 0);
        a.store(W, R10, PROTOCOL6_AT, R8);
        a.mov64(R9, 0);
        for (final int header : IPV6_WALKED_HEADERS)
        {
            // Extension headers: the non-IP core classifies in software and forwards (counted there).
            a.jump(JEQ, R8, header, nonIp);
        }
        a.jump(JEQ, R8, PROTO_TCP, ports);
        a.jump(JEQ, R8, PROTO_UDP, ports);
        a.jump(JNE, R8, PROTO_ICMPV6, noPorts);
        loadBytes(a, ETH + IPV6_HEADER, TYPE6_AT, 1);
        a.jump(JNE, R0, 0, noPorts);
        a.load(B, R0, R10, TYPE6_AT);
        a.jump(JLT, R0, ND_FIRST, noPorts);
        a.jump(JGT, R0, ND_LAST, noPorts);
        a.jumpAlways(nonIp);
        a.bind(ports);
        loadBytes(a, ETH + IPV6_HEADER, PORTS6_AT, 4);
        // On failure the helper has zeroed the port bytes: addresses only, as without ports.
        a.jump(JNE, R0, 0, noPorts);
        a.mov64(R9, 1);
        a.bind(noPorts);
        a.load(W, R3, R10, PORTS6_AT).toBigEndian(R3, 32);

        rules6(a, ownership.rules());
        final int designated = ownership.designatedCore(ifIndex);
        if (designated >= 0)
        {
            a.returnValue(designated);
            return;
        }
        a.jump(JEQ, R9, 0, hash);
        a.loadMap(R1, pin6MapFd).mov64Reg(R2, R10).alu64(ADD, R2, KEY6_AT).call(FUNC_MAP_LOOKUP_ELEM);
        a.jump(JEQ, R0, 0, hash);
        a.load(W, R0, R0, 0).exit();
        a.bind(hash);
        bucket6(a, ownership);
    }

    /** IPv6 rules: r8 the protocol, r3 the ports, the destination on the stack; IPv4 address rules never match. */
    private static void rules6(final EbpfAssembler a, final SteeringRules rules)
    {
        for (int i = 0; i < rules.size(); i++)
        {
            final SteeringRule rule = rules.get(i);
            if (rule.hasLocalAddress() && !rule.hasIpv6Address())
            {
                continue;
            }
            final Label next = a.label();
            a.jump(JNE, R8, rule.protocol(), next);
            if (rule.hasLocalAddress())
            {
                final long[] halves = {rule.localHigh(), rule.localLow()};
                for (int w = 0; w < 4; w++)
                {
                    a.load(W, R0, R10, DESTINATION6_AT + 4 * w).toBigEndian(R0, 32);
                    a.jump32(JNE, R0, (int)(halves[w >> 1] >>> (w % 2 == 0 ? 32 : 0)), next);
                }
            }
            if (rule.localPort() != SteeringRule.ANY_PORT)
            {
                a.mov64Reg(R0, R3).alu32(AND, R0, 0xFFFF);
                a.jump(JNE, R0, rule.localPort(), next);
            }
            a.returnValue(rule.core());
            a.bind(next);
        }
    }

    /** r4 = the low bits of the Toeplitz hash of the nine IPv6 words on the stack (source, destination, ports). */
    private static void bucket6(final EbpfAssembler a, final FlowOwnership ownership)
    {
        final int bits = Integer.numberOfTrailingZeros(ownership.tableSize());
        final int[][] masks = ToeplitzMasks.of(ownership.hash().key(), bits, ToeplitzMasks.WORDS6);
        a.mov64(R4, 0);
        for (int j = 0; j < bits; j++)
        {
            a.mov64(R5, 0);
            for (int w = 0; w < ToeplitzMasks.WORDS6; w++)
            {
                if (masks[j][w] != 0)
                {
                    // Words 0..7 are the addresses at KEY6_AT, word 8 the ports right after them.
                    a.load(W, R0, R10, KEY6_AT + 4 * w).toBigEndian(R0, 32);
                    a.alu32(AND, R0, masks[j][w]).alu32Reg(XOR, R5, R0);
                }
            }
            parityInto(a, j);
        }
    }

    /** r1..r5 = (skb, offset from the MAC header, stack slot, length, MAC) and the call; r0 = 0 on success. */
    private static void loadBytes(final EbpfAssembler a, final int offset, final int slot, final int length)
    {
        a.mov64Reg(R1, R6).mov64(R2, offset).mov64Reg(R3, R10).alu64(ADD, R3, slot).mov64(R4, length)
            .mov64(R5, HDR_START_MAC).call(FUNC_SKB_LOAD_BYTES_RELATIVE);
    }

    /** r1 = source, r2 = destination, r3 = sourcePort << 16 | destinationPort (0 without ports), as numbers. */
    private static void loadWords(final EbpfAssembler a)
    {
        a.load(W, R1, R10, SOURCE_AT).toBigEndian(R1, 32);
        a.load(W, R2, R10, DESTINATION_AT).toBigEndian(R2, 32);
        a.load(W, R3, R10, PORTS_AT).toBigEndian(R3, 32);
    }

    private static void rules(final EbpfAssembler a, final SteeringRules rules)
    {
        for (int i = 0; i < rules.size(); i++)
        {
            final SteeringRule rule = rules.get(i);
            if (rule.hasIpv6Address())
            {
                continue;
            }
            final Label next = a.label();
            a.jump(JNE, R8, rule.protocol(), next);
            if (rule.hasLocalAddress())
            {
                a.jump32(JNE, R2, rule.localAddress(), next);
            }
            if (rule.localPort() != SteeringRule.ANY_PORT)
            {
                // Without ports r3 is 0 and no port rule (ports 1..65535) matches, as FlowOwnership has it.
                a.mov64Reg(R0, R3).alu32(AND, R0, 0xFFFF);
                a.jump(JNE, R0, rule.localPort(), next);
            }
            a.returnValue(rule.core());
            a.bind(next);
        }
    }

    /** r4 = the low bits of the Toeplitz hash of (r1, r2, r3): one parity per bit. */
    private static void bucket(final EbpfAssembler a, final FlowOwnership ownership)
    {
        final int bits = Integer.numberOfTrailingZeros(ownership.tableSize());
        final int[][] masks = ToeplitzMasks.of(ownership.hash().key(), bits, ToeplitzMasks.WORDS);
        a.mov64(R4, 0);
        for (int j = 0; j < bits; j++)
        {
            a.mov64(R5, 0);
            final int[] words = {R1, R2, R3};
            for (int w = 0; w < ToeplitzMasks.WORDS; w++)
            {
                if (masks[j][w] != 0)
                {
                    a.mov64Reg(R0, words[w]).alu32(AND, R0, masks[j][w]).alu32Reg(XOR, R5, R0);
                }
            }
            parityInto(a, j);
        }
    }

    /** Bit j of r4 = the parity of r5. */
    private static void parityInto(final EbpfAssembler a, final int j)
    {
        // Fold to 4 bits, then look the nibble up in 0x6996 (bit n set when n has odd parity).
        a.mov64Reg(R0, R5).alu32(RSH, R0, 16).alu32Reg(XOR, R5, R0);
        a.mov64Reg(R0, R5).alu32(RSH, R0, 8).alu32Reg(XOR, R5, R0);
        a.mov64Reg(R0, R5).alu32(RSH, R0, 4).alu32Reg(XOR, R5, R0);
        a.alu32(AND, R5, 0x0F);
        a.alu32(MOV, R0, 0x6996).alu32Reg(RSH, R0, R5).alu32(AND, R0, 1);
        if (j > 0)
        {
            a.alu32(LSH, R0, j);
        }
        a.alu32Reg(OR, R4, R0);
    }

    /** Returns table[active half][class of r8][r4] (entry 0 names the active half). */
    private static void tableLookup(final EbpfAssembler a, final int size, final int tableMapFd, final Label here)
    {
        final Label notIcmp = a.label();
        final Label notUdp = a.label();
        final Label classDone = a.label();
        a.mov64(R5, FlowOwnership.CLASS_OTHER * size);
        a.jump(JNE, R8, PROTO_ICMP, notIcmp).mov64(R5, FlowOwnership.CLASS_ICMP * size).jumpAlways(classDone);
        a.bind(notIcmp);
        a.jump(JNE, R8, PROTO_UDP, notUdp).mov64(R5, FlowOwnership.CLASS_UDP * size).jumpAlways(classDone);
        a.bind(notUdp);
        a.jump(JNE, R8, PROTO_TCP, classDone).mov64(R5, FlowOwnership.CLASS_TCP * size);
        a.bind(classDone);
        a.mov64Reg(R7, R4).alu64Reg(ADD, R7, R5).alu64(ADD, R7, EbpfSteering.FIRST_TABLE_ENTRY);

        a.storeImm(W, R10, INDEX_AT, EbpfSteering.ACTIVE_HALF_ENTRY);
        a.loadMap(R1, tableMapFd).mov64Reg(R2, R10).alu64(ADD, R2, INDEX_AT).call(FUNC_MAP_LOOKUP_ELEM);
        a.jump(JEQ, R0, 0, here);
        a.load(W, R0, R0, 0).alu64(MUL, R0, FlowOwnership.CLASSES * size).alu64Reg(ADD, R0, R7);
        a.store(W, R10, INDEX_AT, R0);
        a.loadMap(R1, tableMapFd).mov64Reg(R2, R10).alu64(ADD, R2, INDEX_AT).call(FUNC_MAP_LOOKUP_ELEM);
        a.jump(JEQ, R0, 0, here);
        a.load(W, R0, R0, 0).exit();
    }
}
