package io.flowstack.ip;

import io.flowstack.ip.wire.IcmpFlyweight;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;

import static io.flowstack.ip.StackHarness.PEER_IP;
import static io.flowstack.ip.StackHarness.PEER_MAC;
import static io.flowstack.ip.StackHarness.STACK_IP;
import static io.flowstack.ip.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Untrusted input never throws out of the stack: it is dropped and counted, and no buffer leaks.
 */
class ReceivePathProperties
{
    private static final byte[] PING = Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 1, 1, 0,
        Frames.icmpEcho(IcmpFlyweight.TYPE_ECHO_REQUEST, 1, 1, new byte[56]));
    private static final byte[] UDP = Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 17, 1, 0,
        Frames.udp(PEER_IP, STACK_IP, 1234, 7, new byte[30]));
    private static final byte[] ARP = Frames.arpRequest(PEER_MAC, PEER_IP, STACK_IP);

    @Property(tries = 500)
    void shouldDropArbitraryBytesWithoutThrowing(@ForAll @Size(max = 200) final byte[] frame)
    {
        final StackHarness h = new StackHarness();
        final int buffers = h.pool.available();
        h.exchange(frame);
        // Random bytes are (almost) never addressed to our MAC: every one is a counted drop.
        assertEquals(1, h.counters.get("rx.drops"));
        assertEquals(buffers, h.pool.available());
    }

    @Property(tries = 500)
    void shouldDropTruncatedFramesWithoutThrowing(@ForAll("validFrames") final byte[] frame, @ForAll @IntRange(min = 0, max = 97) final int keep)
    {
        final int cut = Math.min(keep, frame.length - 1);
        final StackHarness h = new StackHarness();
        h.learnPeer();
        final long drops = h.counters.get("rx.drops");
        final int buffers = h.pool.available();
        h.exchange(Arrays.copyOf(frame, cut));
        assertEquals(drops + 1, h.counters.get("rx.drops"), "a truncated frame is a counted drop");
        assertEquals(buffers, h.pool.available());
    }

    @Property(tries = 1000)
    void shouldSurviveCorruptedValidFrames(
        @ForAll("validFrames") final byte[] frame,
        @ForAll @IntRange(min = 14, max = 97) final int position,
        @ForAll final byte value)
    {
        final byte[] bad = frame.clone();
        bad[Math.min(position, bad.length - 1)] = value;
        final StackHarness h = new StackHarness();
        h.learnPeer();
        final int buffers = h.pool.available();
        h.exchange(bad);
        assertEquals(buffers, h.pool.available());
    }

    @Provide
    Arbitrary<byte[]> validFrames()
    {
        return Arbitraries.of(PING, UDP, ARP);
    }
}
