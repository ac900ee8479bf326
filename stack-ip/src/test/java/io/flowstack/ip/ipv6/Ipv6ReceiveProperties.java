package io.flowstack.ip.ipv6;

import io.flowstack.ip.Frames6;
import io.flowstack.ip.StackHarness;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.EthernetRepr;
import io.flowstack.ip.wire.IcmpFlyweight;
import io.flowstack.ip.wire.Icmpv6Repr;
import io.flowstack.ip.wire.Ipv6Flyweight;
import io.flowstack.ip.wire.Ipv6Repr;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.List;

import static io.flowstack.ip.StackHarness.PEER_IP6;
import static io.flowstack.ip.StackHarness.PEER_MAC;
import static io.flowstack.ip.StackHarness.STACK_IP6;
import static io.flowstack.ip.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Untrusted IPv6 input never throws out of the stack and leaks no buffer: arbitrary payloads and extension-header
 * chains after a valid fixed header, corrupted and truncated valid packets; each is counted once, by its fate
 * ({@link Ipv6Accounting}). An echo request built from any field values with the codecs is answered with the reply
 * the codecs expect.
 */
class Ipv6ReceiveProperties
{
    private static final IpAddress SOLICITED = IpAddress.parse("ff02::1:ff00:2");

    @Property(tries = 1000)
    void shouldSurviveAnyPayloadBehindAValidHeader(@ForAll @IntRange(min = 0, max = 255) final int nextHeader,
        @ForAll @Size(max = 300) final byte[] payload, @ForAll final boolean multicast)
    {
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        final int buffers = h.pool.available();
        final Ipv6Accounting accounting = Ipv6Accounting.snapshot(h.counters);
        final IpAddress dst = multicast ? SOLICITED : STACK_IP6;
        final List<byte[]> out = h.exchange(Frames6.ipv6(multicast ? 0x3333_FF00_0002L : STACK_MAC, PEER_MAC,
            PEER_IP6, dst, nextHeader, 255, payload));
        assertTrue(out.size() <= 1, "at most one answer (an error, an echo reply or an advertisement)");
        giveUpReassembly(h);
        accounting.check(1);
        assertEquals(buffers, h.pool.available());
    }

    @Property(tries = 500)
    void shouldWalkAnyChainOfExtensionHeaders(@ForAll("chains") final byte[] chain)
    {
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        final int buffers = h.pool.available();
        final Ipv6Accounting accounting = Ipv6Accounting.snapshot(h.counters);
        final List<byte[]> out = h.exchange(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, chain[0] & 0xFF,
            64, Arrays.copyOfRange(chain, 1, chain.length)));
        assertTrue(out.size() <= 1);
        giveUpReassembly(h);
        accounting.check(1);
        assertEquals(buffers, h.pool.available());
    }

    @Property(tries = 500)
    void shouldSurviveCorruptedOrTruncatedEchoRequests(@ForAll @IntRange(min = 14, max = 110) final int position,
        @ForAll final byte value, @ForAll @IntRange(min = 0, max = 118) final int keep)
    {
        final byte[] frame = Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, 58, 64,
            Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, new byte[56]));
        final byte[] bad = Arrays.copyOf(frame, Math.min(keep, frame.length));
        if (position < bad.length)
        {
            bad[position] = value;
        }
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        final int buffers = h.pool.available();
        final Ipv6Accounting accounting = Ipv6Accounting.snapshot(h.counters);
        h.exchange(bad);
        giveUpReassembly(h);
        accounting.check(1);
        assertEquals(buffers, h.pool.available());
    }

    @Property(tries = 500)
    void shouldAnswerAnyEchoRequestBuiltWithTheCodecs(@ForAll @IntRange(max = 0xFFFF) final int identifier,
        @ForAll @IntRange(max = 0xFFFF) final int sequence, @ForAll @IntRange(max = 0xFF) final int trafficClass,
        @ForAll @IntRange(max = 0xF_FFFF) final int flowLabel, @ForAll @IntRange(min = 1, max = 255) final int hopLimit,
        @ForAll @Size(max = 1400) final byte[] data)
    {
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        final int length = IcmpFlyweight.HEADER_LENGTH + data.length;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[14 + 40 + length]);
        new EthernetRepr(STACK_MAC, PEER_MAC, EthernetFlyweight.TYPE_IPV6).emit(new EthernetFlyweight().wrap(frame, 0, 14));
        new Ipv6Repr(trafficClass, flowLabel, length, Ipv6Flyweight.PROTO_ICMPV6, hopLimit, PEER_IP6, STACK_IP6)
            .emit(new Ipv6Flyweight().wrap(frame, 14, 40));
        frame.putBytes(54 + IcmpFlyweight.HEADER_LENGTH, data);
        Icmpv6Repr.echoRequest(identifier, sequence)
            .emit(new IcmpFlyweight().wrap(frame, 54, length), length, PEER_IP6, STACK_IP6);

        final List<byte[]> out = h.exchange(frame.byteArray());

        assertEquals(1, out.size());
        final UnsafeBuffer reply = new UnsafeBuffer(out.get(0));
        final Ipv6Flyweight ip = new Ipv6Flyweight().wrap(reply, 14, reply.capacity() - 14);
        assertEquals(Ipv6Flyweight.VALID, ip.validate());
        assertEquals(new Ipv6Repr(0, 0, length, Ipv6Flyweight.PROTO_ICMPV6, Ipv6Layer.DEFAULT_HOP_LIMIT, STACK_IP6,
            PEER_IP6), Ipv6Repr.parse(ip));
        final IcmpFlyweight icmp = new IcmpFlyweight().wrap(reply, 54, length);
        assertEquals(Icmpv6Repr.echoReply(identifier, sequence), Icmpv6Repr.parse(icmp));
        assertTrue(Icmpv6Repr.checksumValid(icmp, length, STACK_IP6, PEER_IP6));
        assertArrayEquals(data, Arrays.copyOfRange(out.get(0), 54 + IcmpFlyweight.HEADER_LENGTH, out.get(0).length));
    }

    /** A fragment may start a reassembly that holds a buffer until it times out. */
    private static void giveUpReassembly(final StackHarness h)
    {
        h.clock.advance(Ipv6Reassembler.TIMEOUT_NS);
        h.run();
    }

    /**
     * Chains of hop-by-hop, destination options, routing and fragment headers with random lengths, options and
     * fields, ending in ICMPv6, UDP or anything; the first byte is the fixed header's next header.
     */
    @Provide
    Arbitrary<byte[]> chains()
    {
        final Arbitrary<Integer> kinds = Arbitraries.of(0, 43, 44, 60, 60, 58, 17, 59, 200);
        return kinds.list().ofMinSize(1).ofMaxSize(12).flatMap(types -> Arbitraries.bytes().array(byte[].class)
            .ofMaxSize(16 * types.size() + 16).map(noise -> chain(types, noise)));
    }

    private static byte[] chain(final List<Integer> types, final byte[] noise)
    {
        final byte[] out = new byte[1 + types.size() * 16 + noise.length];
        out[0] = (byte)(int)types.get(0);
        int at = 1;
        int n = 0;
        for (int i = 0; i < types.size(); i++)
        {
            final int next = i + 1 < types.size() ? types.get(i + 1) : 58;
            out[at] = (byte)next;
            out[at + 1] = 1;
            for (int j = 2; j < 16; j++)
            {
                out[at + j] = n < noise.length ? noise[n++] : 0;
            }
            at += 16;
        }
        System.arraycopy(noise, 0, out, at, noise.length);
        return out;
    }
}
