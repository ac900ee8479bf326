package io.flowstack.ip.ipv6;

import io.flowstack.ip.Frames6;
import io.flowstack.ip.StackHarness;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.flowstack.ip.StackHarness.PEER_IP6;
import static io.flowstack.ip.StackHarness.PEER_MAC;
import static io.flowstack.ip.StackHarness.STACK_IP6;
import static io.flowstack.ip.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 fragmentation and reassembly (RFC 8200 4.5, RFC 5722): a 4,000-byte ping in fragments is answered in
 * fragments that reassemble to the expected reply; any order, with duplicates, reassembles, and a datagram
 * arrives with its original bytes from any permutation of its fragments; overlaps drop the
 * packet; an unfinished packet is given up after 60 s; no buffer leaks.
 */
class Ipv6FragmentTest
{
    private static byte[] echo(final int size, final long seed)
    {
        final byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static List<byte[]> fragmentFrames(final byte[] upper, final int chunk, final int id)
    {
        final List<byte[]> frames = new ArrayList<>();
        for (final byte[] f : Frames6.fragments(upper, 58, chunk, id))
        {
            frames.add(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, 44, 64, f));
        }
        return frames;
    }

    /** Reassembles what the stack sent: fragment headers checked, data concatenated in offset order. */
    private static byte[] reassemble(final List<byte[]> frames)
    {
        final List<byte[]> sorted = new ArrayList<>(frames);
        sorted.sort((a, b) -> Integer.compare(offset(a), offset(b)));
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        int id = -1;
        for (int i = 0; i < sorted.size(); i++)
        {
            final byte[] f = sorted.get(i);
            final UnsafeBuffer b = new UnsafeBuffer(f);
            assertEquals(44, f[20] & 0xFF, "next header: fragment");
            assertTrue(f.length <= 14 + 1500, "each fragment fits the MTU");
            assertEquals(data.size(), offset(f), "fragments tile the packet");
            final boolean more = (b.getShort(56, ByteOrder.BIG_ENDIAN) & 1) != 0;
            assertEquals(i < sorted.size() - 1, more, "M set on all but the last");
            if (id != -1)
            {
                assertEquals(id, b.getInt(58, ByteOrder.BIG_ENDIAN), "one identification");
            }
            id = b.getInt(58, ByteOrder.BIG_ENDIAN);
            data.write(f, 62, f.length - 62);
        }
        return data.toByteArray();
    }

    private static int offset(final byte[] frame)
    {
        return new UnsafeBuffer(frame).getShort(56, ByteOrder.BIG_ENDIAN) & 0xFFF8;
    }

    @Test
    void shouldAnswerAFragmentedPingInFragments()
    {
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        final byte[] data = echo(4000, 1);
        final byte[] request = Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 0x0042_0001, data);
        List<byte[]> out = List.of();
        for (final byte[] frame : fragmentFrames(request, 1448, 7))
        {
            out = h.exchange(frame);
        }
        assertEquals(3, out.size(), "4,008 bytes of ICMPv6 in three fragments of at most 1,448");
        assertArrayEquals(Frames6.icmpv6(STACK_IP6, PEER_IP6, 129, 0, 0x0042_0001, data), reassemble(out));
        assertEquals(h.pool.capacity(), h.pool.available());
        assertEquals(1, h.counters.get("ipv6.reasm.packets"));
        assertEquals(1, h.counters.get("ipv6.tx.fragmented"));
    }

    @Property(tries = 200)
    void shouldReassembleAnyPermutationWithDuplicates(@ForAll @IntRange(min = 1, max = 9000) final int size,
        @ForAll @IntRange(min = 1, max = 40) final int chunkUnits, @ForAll final long seed)
    {
        final StackHarness h = new StackHarness(9000, io.flowstack.core.driver.Offloads.NONE, true);
        h.learnPeer6();
        final byte[] data = echo(size, seed);
        final byte[] upper = Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 5, data);
        // At most MAX_FRAGMENTS pieces (more are refused, by design).
        final int chunk = Math.max(chunkUnits * 8, ((upper.length + Ipv6Reassembler.MAX_FRAGMENTS - 1)
            / Ipv6Reassembler.MAX_FRAGMENTS + 7) & ~7);
        final List<byte[]> frames = fragmentFrames(upper, chunk, (int)seed);
        final Random random = new Random(seed);
        final boolean atomic = frames.size() == 1;
        if (frames.size() > 1)
        {
            frames.add(frames.get(random.nextInt(frames.size())));
        }
        Collections.shuffle(frames, random);
        int replies = 0;
        for (final byte[] f : frames)
        {
            replies += h.exchange(f).size();
        }
        assertTrue(replies >= 1, "the reply (in fragments if it is larger than the MTU)");
        assertEquals(1, h.counters.get("icmp6.tx.echo_replies"), "one echo reply, after the last missing fragment");
        assertEquals(atomic ? 0 : 1, h.counters.get("ipv6.reasm.packets"), "an atomic fragment needs no reassembly");
        // A duplicate that came after the packet was whole starts one that never completes: given up after 60 s.
        h.clock.advance(Ipv6Reassembler.TIMEOUT_NS);
        h.run();
        assertEquals(h.pool.capacity(), h.pool.available());
    }

    @Property(tries = 300)
    void shouldDeliverTheOriginalBytesFromAnyPermutation(@ForAll @IntRange(min = 0, max = 8000) final int size,
        @ForAll @IntRange(min = 1, max = 40) final int chunkUnits, @ForAll final long seed)
    {
        final StackHarness h = new StackHarness(9000, io.flowstack.core.driver.Offloads.NONE, true);
        h.learnPeer6();
        final List<byte[]> received = new ArrayList<>();
        h.stack.udp().bind(0, 9, (ep, src, srcPort, buf, off, len) ->
        {
            final byte[] copy = new byte[len];
            buf.getBytes(off, copy);
            received.add(copy);
        });
        final byte[] data = echo(size, seed);
        final byte[] udp = Frames6.udp(PEER_IP6, STACK_IP6, 40000, 9, data);
        final int chunk = Math.max(chunkUnits * 8, ((udp.length + Ipv6Reassembler.MAX_FRAGMENTS - 1)
            / Ipv6Reassembler.MAX_FRAGMENTS + 7) & ~7);
        final List<byte[]> frames = new ArrayList<>();
        for (final byte[] f : Frames6.fragments(udp, 17, chunk, (int)seed))
        {
            frames.add(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, 44, 64, f));
        }
        Collections.shuffle(frames, new Random(seed));
        for (final byte[] f : frames)
        {
            h.exchange(f);
        }
        assertEquals(1, received.size(), "one datagram, once the last missing fragment came");
        assertArrayEquals(data, received.get(0), "the original bytes, in any arrival order");
        assertEquals(frames.size() == 1 ? 0 : frames.size(), h.counters.get("ipv6.reasm.fragments"));
        assertEquals(h.pool.capacity(), h.pool.available());
    }

    @Test
    void shouldDropAPacketWithOverlappingFragments()
    {
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        final byte[] request = Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, echo(3000, 2));
        final List<byte[]> frames = fragmentFrames(request, 1448, 9);
        // The second fragment again, 8 bytes earlier: it overlaps the first (RFC 5722).
        final byte[] overlapping = frames.get(1).clone();
        new UnsafeBuffer(overlapping).putShort(56, (short)((1448 - 8) | 1), ByteOrder.BIG_ENDIAN);
        h.exchange(frames.get(0));
        h.exchange(overlapping);
        int replies = 0;
        for (int i = 1; i < frames.size(); i++)
        {
            replies += h.exchange(frames.get(i)).size();
        }
        assertEquals(0, replies, "the packet is gone; the rest starts a packet that never completes");
        assertEquals(1, h.counters.get("ipv6.reasm.overlaps"));
        h.clock.advance(Ipv6Reassembler.TIMEOUT_NS);
        h.run();
        assertEquals(0, h.transmitted().size(), "no time exceeded: the first fragment of what was left never came");
        assertEquals(h.pool.capacity(), h.pool.available(), "the unfinished packet given up after 60 s");
    }

    @Test
    void shouldReportAReassemblyThatTimesOut()
    {
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        final byte[] request = Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, echo(3000, 5));
        final byte[] first = fragmentFrames(request, 1448, 12).get(0);
        assertEquals(0, h.exchange(first).size());
        h.clock.advance(Ipv6Reassembler.TIMEOUT_NS - 1_000_000);
        h.run();
        assertEquals(0, h.transmitted().size(), "not before 60 s");
        h.clock.advance(1_000_000);
        h.run();
        final List<byte[]> out = h.transmitted();
        assertEquals(1, out.size());
        // RFC 4443 3.3: type 3, code 1, to the source; the quote starts with its IPv6 header.
        assertEquals(3, out.get(0)[54] & 0xFF);
        assertEquals(1, out.get(0)[55] & 0xFF);
        assertArrayEquals(Arrays.copyOfRange(first, 22, 54), Arrays.copyOfRange(out.get(0), 62 + 8, 62 + 40),
            "the quoted addresses");
        assertTrue(Frames6.checksumValid(STACK_IP6, PEER_IP6, 58, Arrays.copyOfRange(out.get(0), 54, out.get(0).length)));
        assertEquals(h.pool.capacity(), h.pool.available());
    }

    @Test
    void shouldRefuseAMiddleFragmentThatIsNotAMultipleOfEight()
    {
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        final byte[] request = Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, echo(3000, 3));
        final byte[] first = fragmentFrames(request, 1448, 4).get(0);
        final byte[] odd = Arrays.copyOf(first, first.length - 3);
        new UnsafeBuffer(odd).putShort(18, (short)(odd.length - 54), ByteOrder.BIG_ENDIAN);
        final List<byte[]> out = h.exchange(odd);
        assertEquals(1, out.size());
        assertEquals(4, out.get(0)[54] & 0xFF, "parameter problem");
        assertEquals(4, new UnsafeBuffer(out.get(0)).getInt(58, ByteOrder.BIG_ENDIAN), "pointing at the payload length");
    }

    @Test
    void shouldFragmentALargeUdpDatagram()
    {
        final StackHarness h = StackHarness.dualStack();
        h.learnPeer6();
        h.stack.udp().bind(0, 7, (ep, src, srcPort, buf, off, len) -> ep.reply(buf, off, len));
        final byte[] data = echo(5000, 4);
        final byte[] udp = Frames6.udp(PEER_IP6, STACK_IP6, 40000, 7, data);
        List<byte[]> out = List.of();
        for (final byte[] f : Frames6.fragments(udp, 17, 1448, 11))
        {
            out = h.exchange(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, 44, 64, f));
        }
        assertEquals(4, out.size());
        assertArrayEquals(Frames6.udp(STACK_IP6, PEER_IP6, 7, 40000, data), reassemble(out));
    }
}
