package io.flowstack.ip.ipv6;

import io.flowstack.ip.Frames6;
import io.flowstack.ip.StackHarness;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
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
 * IPv6, ICMPv6 and Neighbor Discovery of one core against frames written as a kernel peer writes them: whole
 * answers compared byte for byte where the RFCs fix them.
 */
class Ipv6StackTest
{
    private static final IpAddress ALL_NODES = IpAddress.parse("ff02::1");
    private static final IpAddress STACK_SOLICITED = IpAddress.parse("ff02::1:ff00:2");
    private static final long STACK_SOLICITED_MAC = 0x3333_FF00_0002L;
    private static final IpAddress PEER_SOLICITED = IpAddress.parse("ff02::1:ff00:1");

    private final StackHarness h = StackHarness.dualStack();

    @AfterEach
    void noLeak()
    {
        assertEquals(h.pool.capacity(), h.pool.available(), "every buffer back in the pool");
    }

    private static byte[] payload(final byte[] frame)
    {
        return Arrays.copyOfRange(frame, 54, frame.length);
    }

    private static void assertHeader(final byte[] frame, final long dstMac, final IpAddress src, final IpAddress dst,
        final int nextHeader, final int hopLimit)
    {
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        assertEquals(dstMac, (b.getShort(0, ByteOrder.BIG_ENDIAN) & 0xFFFFL) << 32
            | b.getInt(2, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL, "destination MAC");
        assertEquals(STACK_MAC, (b.getShort(6, ByteOrder.BIG_ENDIAN) & 0xFFFFL) << 32
            | b.getInt(8, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL, "source MAC");
        assertEquals(0x86DD, b.getShort(12, ByteOrder.BIG_ENDIAN) & 0xFFFF);
        assertEquals(0x6000_0000, b.getInt(14, ByteOrder.BIG_ENDIAN), "version 6, class 0, label 0");
        assertEquals(frame.length - 54, b.getShort(18, ByteOrder.BIG_ENDIAN) & 0xFFFF, "payload length");
        assertEquals(nextHeader, b.getByte(20) & 0xFF, "next header");
        assertEquals(hopLimit, b.getByte(21) & 0xFF, "hop limit");
        assertEquals(src, IpAddress.of(Arrays.copyOfRange(frame, 22, 38)), "source");
        assertEquals(dst, IpAddress.of(Arrays.copyOfRange(frame, 38, 54)), "destination");
    }

    private byte[] fromPeer(final IpAddress dst, final int nextHeader, final byte[] payload)
    {
        return Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, dst, nextHeader, 64, payload);
    }

    @Test
    void shouldCheckItsAddressesForDuplicatesOnStart()
    {
        h.engine.start();
        final List<byte[]> out = h.transmitted();
        final long ipv6Frames = out.stream().filter(f -> f[12] == (byte)0x86).count();
        assertEquals(2, ipv6Frames, "RFC 4862 5.4.2: one probe for the link-local and one for the global address");
        final byte[] global = out.get(out.size() - 1);
        assertHeader(global, STACK_SOLICITED_MAC, IpAddress.IPV6_ANY, STACK_SOLICITED, 58, 255);
        assertArrayEquals(Frames6.icmpv6(IpAddress.IPV6_ANY, STACK_SOLICITED, 135, 0, 0,
            Frames6.ndBody(STACK_IP6, 1, 0)), payload(global), "a solicitation without a source link-layer option");
    }

    @Test
    void shouldAdvertiseItsAddressToASolicitingNeighborAndLearnIt()
    {
        final List<byte[]> out = h.exchange(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_SOLICITED, 58, 255,
            Frames6.icmpv6(PEER_IP6, STACK_SOLICITED, 135, 0, 0, Frames6.ndBody(STACK_IP6, 1, PEER_MAC))));
        assertEquals(1, out.size());
        assertHeader(out.get(0), PEER_MAC, STACK_IP6, PEER_IP6, 58, 255);
        // RFC 4861 7.2.4: solicited and override set, our link-layer address as the target option.
        assertArrayEquals(Frames6.icmpv6(STACK_IP6, PEER_IP6, 136, 0, 0x6000_0000,
            Frames6.ndBody(STACK_IP6, 2, STACK_MAC)), payload(out.get(0)));
        assertEquals(PEER_MAC, h.stack.ndp(0).cache().peek(PEER_IP6.high(), PEER_IP6.low()));
    }

    @Test
    void shouldIgnoreNeighborDiscoveryThatCrossedARouter()
    {
        // RFC 4861 7.1.1: a hop limit below 255 means it did not come from the link.
        final List<byte[]> out = h.exchange(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_SOLICITED, 58, 254,
            Frames6.icmpv6(PEER_IP6, STACK_SOLICITED, 135, 0, 0, Frames6.ndBody(STACK_IP6, 1, PEER_MAC))));
        assertEquals(0, out.size());
        assertEquals(-1, h.stack.ndp(0).cache().peek(PEER_IP6.high(), PEER_IP6.low()));
        assertEquals(1, h.counters.get("ndp.rx.invalid"));
    }

    @Test
    void shouldAnswerEchoRequestWithSameIdentifierSequenceAndData()
    {
        h.learnPeer6();
        final byte[] body = new byte[60];
        Arrays.fill(body, (byte)0x5A);
        final List<byte[]> out = h.exchange(fromPeer(STACK_IP6, 58,
            Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 0x1234_0007, body)));
        assertEquals(1, out.size());
        assertHeader(out.get(0), PEER_MAC, STACK_IP6, PEER_IP6, 58, 64);
        assertArrayEquals(Frames6.icmpv6(STACK_IP6, PEER_IP6, 129, 0, 0x1234_0007, body), payload(out.get(0)));
    }

    @Test
    void shouldSolicitAnUnknownNeighborAndSendWhatWaitedOnceItAdvertises()
    {
        final List<byte[]> first = h.exchange(fromPeer(STACK_IP6, 58,
            Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, new byte[8])));
        assertEquals(1, first.size(), "the reply waits; a solicitation goes out");
        assertHeader(first.get(0), 0x3333_FF00_0001L, STACK_IP6, PEER_SOLICITED, 58, 255);
        assertArrayEquals(Frames6.icmpv6(STACK_IP6, PEER_SOLICITED, 135, 0, 0, Frames6.ndBody(PEER_IP6, 1, STACK_MAC)),
            payload(first.get(0)));
        final List<byte[]> released = h.exchange(Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, STACK_IP6, 58, 255,
            Frames6.icmpv6(PEER_IP6, STACK_IP6, 136, 0, 0x6000_0000, Frames6.ndBody(PEER_IP6, 2, PEER_MAC))));
        assertEquals(1, released.size());
        assertHeader(released.get(0), PEER_MAC, STACK_IP6, PEER_IP6, 58, 64);
        assertEquals(129, released.get(0)[54] & 0xFF, "the echo reply");
    }

    @Test
    void shouldAnswerEchoToAllNodesFromItsOwnAddress()
    {
        h.learnPeer6();
        final List<byte[]> out = h.exchange(Frames6.ipv6(0x3333_0000_0001L, PEER_MAC, PEER_IP6, ALL_NODES, 58, 1,
            Frames6.icmpv6(PEER_IP6, ALL_NODES, 128, 0, 5, new byte[4])));
        assertEquals(1, out.size());
        assertHeader(out.get(0), PEER_MAC, STACK_IP6, PEER_IP6, 58, 64);
    }

    @Test
    void shouldDropPacketsForOtherAddressesAndBadHeaders()
    {
        h.learnPeer6();
        final IpAddress other = IpAddress.parse("2001:2::99");
        assertEquals(0, h.exchange(fromPeer(other, 58, Frames6.icmpv6(PEER_IP6, other, 128, 0, 1, new byte[4]))).size());
        final byte[] badChecksum = fromPeer(STACK_IP6, 58, Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, new byte[4]));
        badChecksum[badChecksum.length - 1] ^= 1;
        assertEquals(0, h.exchange(badChecksum).size());
        final byte[] longer = fromPeer(STACK_IP6, 58, Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, new byte[4]));
        longer[19] += 8;
        assertEquals(0, h.exchange(longer).size());
        assertEquals(1, h.counters.get("ipv6.rx.not_for_us"));
        assertEquals(1, h.counters.get("icmp6.rx.bad"));
        assertEquals(1, h.counters.get("ipv6.rx.bad_payload_length"));
    }

    @Test
    void shouldAnswerAClosedUdpPortWithPortUnreachable()
    {
        h.learnPeer6();
        final byte[] udp = Frames6.udp(PEER_IP6, STACK_IP6, 40000, 9, new byte[10]);
        final byte[] frame = fromPeer(STACK_IP6, 17, udp);
        final List<byte[]> out = h.exchange(frame);
        assertEquals(1, out.size());
        assertHeader(out.get(0), PEER_MAC, STACK_IP6, PEER_IP6, 58, 64);
        // RFC 4443 3.1: type 1, code 4, the offending packet quoted from its IPv6 header.
        assertArrayEquals(Frames6.icmpv6(STACK_IP6, PEER_IP6, 1, 4, 0, Arrays.copyOfRange(frame, 14, frame.length)),
            payload(out.get(0)));
    }

    @Test
    void shouldEchoUdpOverIpv6()
    {
        h.learnPeer6();
        h.stack.udp().bind(0, 7, (ep, src, srcPort, buf, off, len) -> ep.reply(buf, off, len));
        final byte[] data = "hello over IPv6".getBytes();
        final List<byte[]> out = h.exchange(fromPeer(STACK_IP6, 17, Frames6.udp(PEER_IP6, STACK_IP6, 40000, 7, data)));
        assertEquals(1, out.size());
        assertHeader(out.get(0), PEER_MAC, STACK_IP6, PEER_IP6, 17, 64);
        assertArrayEquals(Frames6.udp(STACK_IP6, PEER_IP6, 7, 40000, data), payload(out.get(0)));
    }

    @Test
    void shouldRefuseUdpWithoutChecksumOverIpv6()
    {
        // RFC 8200 8.1: the UDP checksum is mandatory over IPv6; a zero field is dropped.
        h.learnPeer6();
        h.stack.udp().bind(0, 7, (ep, src, srcPort, buf, off, len) -> ep.reply(buf, off, len));
        final byte[] udp = Frames6.udp(PEER_IP6, STACK_IP6, 40000, 7, new byte[4]);
        udp[6] = 0;
        udp[7] = 0;
        assertEquals(0, h.exchange(fromPeer(STACK_IP6, 17, udp)).size());
        assertEquals(1, h.counters.get("udp.rx.bad_checksum"));
    }

    @Test
    void shouldPointAtAnUnknownNextHeader()
    {
        h.learnPeer6();
        final byte[] frame = fromPeer(STACK_IP6, 253, new byte[8]);
        final List<byte[]> out = h.exchange(frame);
        assertEquals(1, out.size());
        // RFC 8200 4, RFC 4443 3.4: code 1, the pointer at the next header field of the fixed header (offset 6).
        assertArrayEquals(Frames6.icmpv6(STACK_IP6, PEER_IP6, 4, 1, 6, Arrays.copyOfRange(frame, 14, frame.length)),
            payload(out.get(0)));
    }

    @Test
    void shouldRefuseARoutingHeaderWithSegmentsLeft()
    {
        h.learnPeer6();
        // Type 0 (RFC 5095: deprecated), one segment left, one address: we are no router.
        final byte[] ext = new byte[24 + 8];
        ext[0] = 58;
        ext[1] = 2;
        ext[2] = 0;
        ext[3] = 1;
        System.arraycopy(Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, new byte[0]), 0, ext, 24, 8);
        final byte[] frame = fromPeer(STACK_IP6, 43, ext);
        final List<byte[]> out = h.exchange(frame);
        assertEquals(1, out.size());
        assertArrayEquals(Frames6.icmpv6(STACK_IP6, PEER_IP6, 4, 0, 42, Arrays.copyOfRange(frame, 14, frame.length)),
            payload(out.get(0)), "RFC 8200 4.4: code 0, pointing at the routing type");
    }

    @Test
    void shouldWalkOptionsByTheirActionBits()
    {
        h.learnPeer6();
        final byte[] echo = Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, new byte[0]);
        // A destination options header with an unknown option whose high bits are 00: skipped, echo answered.
        final byte[] skip = new byte[8 + echo.length];
        skip[0] = 58;
        skip[2] = 0x1E;
        skip[3] = 4;
        System.arraycopy(echo, 0, skip, 8, echo.length);
        assertEquals(129, h.exchange(fromPeer(STACK_IP6, 60, skip)).get(0)[54] & 0xFF, "the reply carries no options");
        // 01: discarded silently.
        final byte[] discard = skip.clone();
        discard[2] = 0x5E;
        assertEquals(0, h.exchange(fromPeer(STACK_IP6, 60, discard)).size());
        // 10: discarded with a parameter problem, code 2, pointing at the option (40 + 2).
        final byte[] report = skip.clone();
        report[2] = (byte)0x9E;
        final byte[] frame = fromPeer(STACK_IP6, 60, report);
        final List<byte[]> out = h.exchange(frame);
        assertEquals(1, out.size());
        assertArrayEquals(Frames6.icmpv6(STACK_IP6, PEER_IP6, 4, 2, 42, Arrays.copyOfRange(frame, 14, frame.length)),
            payload(out.get(0)));
    }

    @Test
    void shouldDropAChainOfTooManyExtensionHeaders()
    {
        h.learnPeer6();
        final int n = Ipv6Layer.MAX_EXTENSION_HEADERS + 1;
        final byte[] echo = Frames6.icmpv6(PEER_IP6, STACK_IP6, 128, 0, 1, new byte[0]);
        final byte[] chain = new byte[n * 8 + echo.length];
        for (int i = 0; i < n; i++)
        {
            chain[i * 8] = (byte)(i == n - 1 ? 58 : 60);
            chain[i * 8 + 2] = 1;
            chain[i * 8 + 3] = 4;
        }
        System.arraycopy(echo, 0, chain, n * 8, echo.length);
        assertEquals(0, h.exchange(fromPeer(STACK_IP6, 60, chain)).size());
        assertEquals(1, h.counters.get("ipv6.rx.chain_too_long"));
        final byte[] shorter = Arrays.copyOfRange(chain, 8, chain.length);
        assertEquals(1, h.exchange(fromPeer(STACK_IP6, 60, shorter)).size(), "one header fewer is walked and answered");
    }

    @Test
    void shouldHaveALinkLocalAddressFromItsMac()
    {
        // RFC 4291 appendix A: 02:00:00:00:00:02 gives the interface identifier 0000:00ff:fe00:0002 (U/L bit flipped).
        final IpInterface ifc = h.stack.ipv6().interfaceAt(0);
        assertEquals("fe80::ff:fe00:2", IpAddress.of(IpInterface.LINK_LOCAL_HIGH, ifc.linkLocalLow()).toString());
        assertTrue(ifc.isOwnIpv6(IpInterface.LINK_LOCAL_HIGH, ifc.linkLocalLow()));
    }
}
