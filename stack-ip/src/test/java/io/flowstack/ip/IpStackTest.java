package io.flowstack.ip;

import io.flowstack.ip.addr.IpAddress;
import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.ip.udp.UdpEndpoint;
import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.ArpRepr;
import io.flowstack.ip.wire.EthernetFlyweight;
import io.flowstack.ip.wire.EthernetRepr;
import io.flowstack.ip.wire.IcmpFlyweight;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.ip.wire.Ipv4Repr;
import io.flowstack.ip.wire.UdpFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

import static io.flowstack.ip.StackHarness.PEER_IP;
import static io.flowstack.ip.StackHarness.PEER_MAC;
import static io.flowstack.ip.StackHarness.STACK_IP;
import static io.flowstack.ip.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpStackTest
{
    private final StackHarness h = new StackHarness();
    private final int initialBuffers = h.pool.available();

    private static EthernetRepr eth(final byte[] frame)
    {
        return EthernetRepr.parse(new EthernetFlyweight().wrap(new UnsafeBuffer(frame), 0, frame.length));
    }

    private static Ipv4Flyweight ip(final byte[] frame)
    {
        final Ipv4Flyweight ip = new Ipv4Flyweight().wrap(
            new UnsafeBuffer(frame), EthernetFlyweight.HEADER_LENGTH, frame.length - EthernetFlyweight.HEADER_LENGTH);
        assertEquals(Ipv4Flyweight.VALID, ip.validate(), "stack sent an invalid IPv4 header");
        return ip;
    }

    private static byte[] data(final int n)
    {
        final byte[] d = new byte[n];
        for (int i = 0; i < n; i++)
        {
            d[i] = (byte)(i * 7 + 3);
        }
        return d;
    }

    private void assertNoLeak()
    {
        assertEquals(initialBuffers, h.pool.available(), "buffers leaked");
    }

    @Test
    void shouldAnnounceItselfWithGratuitousArpOnStart()
    {
        h.engine.start();
        final List<byte[]> out = h.transmitted();
        assertEquals(1, out.size());
        assertEquals(new EthernetRepr(EthernetFlyweight.BROADCAST, STACK_MAC, EthernetFlyweight.TYPE_ARP), eth(out.get(0)));
        final ArpRepr arp = ArpRepr.parse(new ArpFlyweight().wrap(new UnsafeBuffer(out.get(0)), 14, 28));
        assertEquals(new ArpRepr(ArpFlyweight.OP_REQUEST, STACK_MAC, STACK_IP, 0, STACK_IP), arp);
        assertNoLeak();
    }

    @Test
    void shouldAnswerArpRequestForItsAddressAndLearnTheSender()
    {
        final List<byte[]> out = h.exchange(Frames.arpRequest(PEER_MAC, PEER_IP, STACK_IP));
        assertEquals(1, out.size());
        assertEquals(new EthernetRepr(PEER_MAC, STACK_MAC, EthernetFlyweight.TYPE_ARP), eth(out.get(0)));
        final ArpRepr arp = ArpRepr.parse(new ArpFlyweight().wrap(new UnsafeBuffer(out.get(0)), 14, 28));
        assertEquals(new ArpRepr(ArpFlyweight.OP_REPLY, STACK_MAC, STACK_IP, PEER_MAC, PEER_IP), arp);
        assertEquals(PEER_MAC, h.stack.arp(0).cache().peek(0, IpAddress.ipv4Low(PEER_IP)));
        assertNoLeak();
    }

    @Test
    void shouldSendToTheNeighborsNewHardwareAddressOnceItChanges()
    {
        // A route caches its next hop's MAC; a change in the ARP cache must reach it before the next datagram.
        h.learnPeer();
        h.stack.udp().bind(0, 7, (ep, src, srcPort, buf, off, len) -> ep.send(src, srcPort, buf, off, len));
        final byte[] datagram = Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 17, 1, 0,
            Frames.udp(PEER_IP, STACK_IP, 40000, 7, data(8)));
        assertEquals(PEER_MAC, eth(h.exchange(datagram).get(0)).destination());
        assertEquals(PEER_MAC, eth(h.exchange(datagram).get(0)).destination());
        final long moved = 0x02_00_00_00_00_77L;
        h.exchange(Frames.arpRequest(moved, PEER_IP, STACK_IP));
        assertEquals(moved, eth(h.exchange(datagram).get(0)).destination());
        assertNoLeak();
    }

    @Test
    void shouldIgnoreArpRequestForAnotherAddress()
    {
        final List<byte[]> out = h.exchange(Frames.arpRequest(PEER_MAC, PEER_IP, STACK_IP + 1));
        assertEquals(0, out.size());
        assertEquals(-1, h.stack.arp(0).cache().peek(0, IpAddress.ipv4Low(PEER_IP)), "RFC 826: a request for another host adds nothing");
        assertNoLeak();
    }

    @Test
    void shouldAnswerEchoRequestWithSameIdentifierSequenceAndData()
    {
        h.learnPeer();
        final byte[] payload = data(56);
        final byte[] icmp = Frames.icmpEcho(IcmpFlyweight.TYPE_ECHO_REQUEST, 0x1234, 7, payload);
        final List<byte[]> out = h.exchange(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 1, 99, 0x4000, icmp));
        assertEquals(1, out.size());
        final byte[] reply = out.get(0);
        assertEquals(new EthernetRepr(PEER_MAC, STACK_MAC, EthernetFlyweight.TYPE_IPV4), eth(reply));
        final Ipv4Flyweight ip = ip(reply);
        assertEquals(STACK_IP, ip.source());
        assertEquals(PEER_IP, ip.destination());
        assertEquals(Ipv4Flyweight.PROTO_ICMP, ip.protocol());
        final IcmpFlyweight echo = new IcmpFlyweight().wrap(new UnsafeBuffer(reply), ip.payloadOffset(), ip.payloadLength());
        assertEquals(IcmpFlyweight.TYPE_ECHO_REPLY, echo.type());
        assertEquals(0x1234, echo.identifier());
        assertEquals(7, echo.sequence());
        assertTrue(echo.checksumValid(ip.payloadLength()));
        assertArrayEquals(payload, Arrays.copyOfRange(reply, ip.payloadOffset() + 8, reply.length));
        assertNoLeak();
    }

    @Test
    void shouldHoldReplyUntilNeighborIsResolvedThenSendIt()
    {
        final byte[] icmp = Frames.icmpEcho(IcmpFlyweight.TYPE_ECHO_REQUEST, 1, 1, data(8));
        // A frame from an unknown sender (no ARP first): the stack must ask who the peer is.
        final List<byte[]> first = h.exchange(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 1, 1, 0, icmp));
        assertEquals(1, first.size());
        assertEquals(EthernetFlyweight.TYPE_ARP, eth(first.get(0)).etherType());
        final byte[] arpReply = new byte[42];
        final UnsafeBuffer b = new UnsafeBuffer(arpReply);
        new EthernetRepr(STACK_MAC, PEER_MAC, EthernetFlyweight.TYPE_ARP).emit(new EthernetFlyweight().wrap(b, 0, 42));
        new ArpRepr(ArpFlyweight.OP_REPLY, PEER_MAC, PEER_IP, STACK_MAC, STACK_IP).emit(new ArpFlyweight().wrap(b, 14, 28));
        final List<byte[]> second = h.exchange(arpReply);
        assertEquals(1, second.size());
        assertEquals(Ipv4Flyweight.PROTO_ICMP, ip(second.get(0)).protocol());
        assertNoLeak();
    }

    @Test
    void shouldRetryArpAndDropQueuedDatagramsAfterThreeRequests()
    {
        final byte[] icmp = Frames.icmpEcho(IcmpFlyweight.TYPE_ECHO_REQUEST, 1, 1, data(8));
        assertEquals(1, h.exchange(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 1, 1, 0, icmp)).size());
        h.clock.advance(1_000_000_000L);
        h.run();
        assertEquals(1, h.transmitted().size(), "second request after one second");
        h.clock.advance(1_000_000_000L);
        h.run();
        assertEquals(1, h.transmitted().size(), "third request");
        h.clock.advance(1_000_000_000L);
        h.run();
        assertEquals(0, h.transmitted().size(), "gives up");
        assertEquals(1, h.counters.get("arp.failed"));
        assertEquals(1, h.counters.get("arp.pending_drops"));
        assertNoLeak();
    }

    @Test
    void shouldReassembleFragmentedEchoAndFragmentTheReply()
    {
        h.learnPeer();
        final byte[] payload = data(4000);
        final byte[] icmp = Frames.icmpEcho(IcmpFlyweight.TYPE_ECHO_REQUEST, 9, 3, payload);
        // Fragment by hand as the kernel would at MTU 1500: 1480 bytes of IP payload per fragment.
        for (int off = 0; off < icmp.length; off += 1480)
        {
            final int len = Math.min(1480, icmp.length - off);
            final int flags = (off + len < icmp.length ? Ipv4Flyweight.FLAG_MF : 0) | (off / 8);
            h.inject(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 1, 77, flags, Arrays.copyOfRange(icmp, off, off + len)));
        }
        h.run();
        final List<byte[]> out = h.transmitted();
        assertEquals(3, out.size(), "4008 bytes of ICMP at MTU 1500 take three fragments");
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int expectedOffset = 0;
        int identification = -1;
        for (final byte[] f : out)
        {
            assertTrue(f.length <= 1514);
            final Ipv4Flyweight ip = ip(f);
            assertEquals(expectedOffset, ip.fragmentOffset());
            if (identification >= 0)
            {
                assertEquals(identification, ip.identification());
            }
            identification = ip.identification();
            joined.write(f, ip.payloadOffset(), ip.payloadLength());
            expectedOffset += ip.payloadLength();
        }
        final byte[] reply = joined.toByteArray();
        assertEquals(icmp.length, reply.length);
        assertEquals(IcmpFlyweight.TYPE_ECHO_REPLY, reply[0]);
        assertEquals(0, InternetChecksum.checksum(new UnsafeBuffer(reply), 0, reply.length));
        assertArrayEquals(payload, Arrays.copyOfRange(reply, 8, reply.length));
        assertNoLeak();
    }

    @Test
    void shouldEchoUdpDatagramsThroughABoundEndpoint()
    {
        h.learnPeer();
        final UdpEndpoint echo = h.stack.udp().bind(0, 7,
            (ep, src, srcPort, buf, off, len) -> ep.send(src, srcPort, buf, off, len));
        final byte[] payload = data(100);
        final List<byte[]> out = h.exchange(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 17, 5, 0,
            Frames.udp(PEER_IP, STACK_IP, 40000, 7, payload)));
        assertEquals(1, out.size());
        final Ipv4Flyweight ip = ip(out.get(0));
        final UdpFlyweight udp = new UdpFlyweight().wrap(new UnsafeBuffer(out.get(0)), ip.payloadOffset(), ip.payloadLength());
        assertTrue(udp.check());
        assertEquals(7, udp.sourcePort());
        assertEquals(40000, udp.destinationPort());
        assertTrue(udp.checksum() != 0, "we always send a UDP checksum");
        assertTrue(udp.checksumValid(STACK_IP, PEER_IP));
        assertArrayEquals(payload, Arrays.copyOfRange(out.get(0), ip.payloadOffset() + 8, out.get(0).length));
        echo.close();
        assertNoLeak();
    }

    @Test
    void shouldAnswerClosedUdpPortWithPortUnreachableQuotingTheDatagram()
    {
        h.learnPeer();
        final byte[] frame = Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 17, 5, 0,
            Frames.udp(PEER_IP, STACK_IP, 40000, 9, data(20)));
        final List<byte[]> out = h.exchange(frame);
        assertEquals(1, out.size());
        final Ipv4Flyweight ip = ip(out.get(0));
        final IcmpFlyweight icmp = new IcmpFlyweight().wrap(new UnsafeBuffer(out.get(0)), ip.payloadOffset(), ip.payloadLength());
        assertEquals(IcmpFlyweight.TYPE_DEST_UNREACHABLE, icmp.type());
        assertEquals(IcmpFlyweight.CODE_PORT_UNREACHABLE, icmp.code());
        assertTrue(icmp.checksumValid(ip.payloadLength()));
        // RFC 792: the quote starts with the offending IP header.
        assertArrayEquals(Arrays.copyOfRange(frame, 14, frame.length),
            Arrays.copyOfRange(out.get(0), ip.payloadOffset() + 8, out.get(0).length));
        assertNoLeak();
    }

    @Test
    void shouldRateLimitPortUnreachable()
    {
        h.learnPeer();
        int errors = 0;
        for (int i = 0; i < 100; i++)
        {
            errors += h.exchange(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 17, i, 0,
                Frames.udp(PEER_IP, STACK_IP, 40000, 9, data(4)))).size();
        }
        assertEquals(IpStack.ICMP_ERROR_BURST, errors);
        h.clock.advance(1_000_000_000L);
        assertEquals(1, h.exchange(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 17, 1, 0,
            Frames.udp(PEER_IP, STACK_IP, 40000, 9, data(4)))).size());
        assertNoLeak();
    }

    @Test
    void shouldDropAndCountBadIpChecksum()
    {
        h.learnPeer();
        final byte[] frame = Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 1, 1, 0,
            Frames.icmpEcho(IcmpFlyweight.TYPE_ECHO_REQUEST, 1, 1, data(8)));
        frame[14 + 10] ^= 0x55;
        final long before = h.counters.get("rx.drops");
        assertEquals(0, h.exchange(frame).size());
        assertEquals(1, h.counters.get("ipv4.rx.bad_checksum"));
        assertEquals(before + 1, h.counters.get("rx.drops"));
        assertNoLeak();
    }

    @Test
    void shouldDropAndCountBadUdpChecksum()
    {
        h.learnPeer();
        h.stack.udp().bind(0, 7, (ep, src, srcPort, buf, off, len) -> ep.send(src, srcPort, buf, off, len));
        final byte[] udp = Frames.udp(PEER_IP, STACK_IP, 40000, 7, data(10));
        udp[12] ^= 1;
        assertEquals(0, h.exchange(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 17, 5, 0, udp)).size());
        assertEquals(1, h.counters.get("udp.rx.bad_checksum"));
        assertNoLeak();
    }

    @Test
    void shouldIgnoreFramesForOtherMacsAndDatagramsForOtherAddresses()
    {
        h.learnPeer();
        final byte[] icmp = Frames.icmpEcho(IcmpFlyweight.TYPE_ECHO_REQUEST, 1, 1, data(8));
        assertEquals(0, h.exchange(Frames.ipv4(0x02_99_00_00_00_01L, PEER_MAC, PEER_IP, STACK_IP, 1, 1, 0, icmp)).size());
        assertEquals(0, h.exchange(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP + 5, 1, 1, 0, icmp)).size());
        assertEquals(1, h.counters.get("eth.rx.not_for_us"));
        assertEquals(1, h.counters.get("ipv4.rx.not_for_us"));
        assertNoLeak();
    }

    @Test
    void shouldAnswerUnknownProtocolWithProtocolUnreachable()
    {
        h.learnPeer();
        final List<byte[]> out = h.exchange(Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 200, 1, 0, data(12)));
        assertEquals(1, out.size());
        final Ipv4Flyweight ip = ip(out.get(0));
        final IcmpFlyweight icmp = new IcmpFlyweight().wrap(new UnsafeBuffer(out.get(0)), ip.payloadOffset(), ip.payloadLength());
        assertEquals(IcmpFlyweight.TYPE_DEST_UNREACHABLE, icmp.type());
        assertEquals(IcmpFlyweight.CODE_PROTOCOL_UNREACHABLE, icmp.code());
        // Found by the fuzzer: answered, and discarded all the same, like UDP to a closed port.
        assertEquals(1, h.counters.get("ipv4.rx.unknown_protocol"));
        assertEquals(1, h.counters.get("rx.drops"));
        assertNoLeak();
    }

    @Test
    void shouldSendUdpLargerThanMtuAsFragments()
    {
        h.learnPeer();
        final UdpEndpoint ep = h.stack.udp().bind(0, 5000, (e, s, sp, b, o, l) -> { });
        final byte[] payload = data(3000);
        assertTrue(ep.send(PEER_IP, 6000, new UnsafeBuffer(payload), 0, payload.length));
        h.run();
        final List<byte[]> out = h.transmitted();
        assertEquals(3, out.size());
        for (final byte[] f : out)
        {
            assertTrue(f.length <= 1514);
            ip(f);
        }
        assertNoLeak();
    }

    @Test
    void shouldSendTimeExceededWhenReassemblyTimesOutWithFirstFragment()
    {
        h.learnPeer();
        final byte[] icmp = Frames.icmpEcho(IcmpFlyweight.TYPE_ECHO_REQUEST, 9, 3, data(2000));
        final byte[] first = Frames.ipv4(STACK_MAC, PEER_MAC, PEER_IP, STACK_IP, 1, 55, Ipv4Flyweight.FLAG_MF,
            Arrays.copyOfRange(icmp, 0, 1480));
        assertEquals(0, h.exchange(first).size());
        h.clock.advance(29_000_000_000L);
        h.run();
        assertEquals(0, h.transmitted().size(), "not yet");
        h.clock.advance(2_000_000_000L);
        h.run();
        final List<byte[]> out = h.transmitted();
        assertEquals(1, out.size());
        final Ipv4Flyweight ip = ip(out.get(0));
        assertEquals(PEER_IP, ip.destination());
        final IcmpFlyweight err = new IcmpFlyweight().wrap(new UnsafeBuffer(out.get(0)), ip.payloadOffset(), ip.payloadLength());
        assertEquals(IcmpFlyweight.TYPE_TIME_EXCEEDED, err.type());
        assertEquals(1, err.code());
        assertTrue(err.checksumValid(ip.payloadLength()));
        // The quote is the first fragment's header and its first 8 data bytes.
        assertArrayEquals(Arrays.copyOfRange(first, 14, 14 + 28),
            Arrays.copyOfRange(out.get(0), ip.payloadOffset() + 8, out.get(0).length));
        assertNoLeak();
    }
}
