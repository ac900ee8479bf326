package io.flowstack.ip.ipv6;

import io.flowstack.ip.Frames6;
import io.flowstack.ip.StackHarness;
import io.flowstack.ip.addr.IpAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;
import java.util.List;

import static io.flowstack.ip.StackHarness.PEER_IP6;
import static io.flowstack.ip.StackHarness.PEER_MAC;
import static io.flowstack.ip.StackHarness.STACK_IP6;
import static io.flowstack.ip.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Untrusted IPv6 input never throws out of the stack and leaks no buffer: arbitrary payloads and extension-header
 * chains after a valid fixed header, corrupted and truncated valid packets; each is answered or counted.
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
        final IpAddress dst = multicast ? SOLICITED : STACK_IP6;
        final List<byte[]> out = h.exchange(Frames6.ipv6(multicast ? 0x3333_FF00_0002L : STACK_MAC, PEER_MAC,
            PEER_IP6, dst, nextHeader, 255, payload));
        assertTrue(out.size() <= 1, "at most one answer (an error, an echo reply or an advertisement)");
        giveUpReassembly(h);
        assertEquals(buffers, h.pool.available());
    }

    @Property(tries = 500)
    void shouldWalkAnyChainOfExtensionHeaders(@ForAll("chains") final byte[] chain)
    {
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        final int buffers = h.pool.available();
        final long before = h.counters.get("rx.drops") + h.counters.get("icmp6.tx.errors")
            + h.counters.get("icmp6.tx.echo_replies");
        final List<byte[]> out = h.exchange(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, chain[0] & 0xFF,
            64, Arrays.copyOfRange(chain, 1, chain.length)));
        final long after = h.counters.get("rx.drops") + h.counters.get("icmp6.tx.errors")
            + h.counters.get("icmp6.tx.echo_replies") + h.counters.get("icmp6.tx.rate_limited");
        assertTrue(out.size() <= 1);
        giveUpReassembly(h);
        assertTrue(after > before || h.counters.get("ipv6.reasm.fragments") > 0 || h.counters.get("icmp6.rx.messages") > 0
            || h.counters.get("udp.rx.no_port") > 0, "answered, delivered or counted");
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
        h.exchange(bad);
        giveUpReassembly(h);
        assertEquals(buffers, h.pool.available());
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
