package io.flowstack.ip.wire;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of all wire views: value forms round-trip through the buffer, and no input makes a check throw.
 */
class WireProperties
{
    private static final long MAX_MAC = 0xFFFF_FFFF_FFFFL;

    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    private final Ipv4Flyweight ip = new Ipv4Flyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final UdpFlyweight udp = new UdpFlyweight();

    /**
     * A buffer holding {@code data} at {@code offset}, exactly as large as needed, so any read past the window
     * fails with an exception instead of reading stale bytes.
     */
    private static UnsafeBuffer placed(final byte[] data, final int offset)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + data.length]);
        buffer.putBytes(offset, data);
        return buffer;
    }

    @Property
    void shouldRoundTripEthernet(
        @ForAll @LongRange(max = MAX_MAC) final long destination,
        @ForAll @LongRange(max = MAX_MAC) final long source,
        @ForAll @IntRange(max = 0xFFFF) final int etherType,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final EthernetRepr repr = new EthernetRepr(destination, source, etherType);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + repr.bufferLength()]);
        repr.emit(ethernet.wrap(buffer, offset, repr.bufferLength()));

        assertTrue(ethernet.check());
        assertEquals(repr, EthernetRepr.parse(ethernet));
        assertEquals(destination, EthernetFlyweight.parseMac(EthernetFlyweight.macToString(destination)));
    }

    @Property
    void shouldRoundTripArp(
        @ForAll @IntRange(max = 0xFFFF) final int operation,
        @ForAll @LongRange(max = MAX_MAC) final long senderHardwareAddress,
        @ForAll final int senderProtocolAddress,
        @ForAll @LongRange(max = MAX_MAC) final long targetHardwareAddress,
        @ForAll final int targetProtocolAddress,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final ArpRepr repr = new ArpRepr(
            operation, senderHardwareAddress, senderProtocolAddress, targetHardwareAddress, targetProtocolAddress);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + repr.bufferLength()]);
        repr.emit(arp.wrap(buffer, offset, repr.bufferLength()));

        assertTrue(arp.check());
        assertEquals(repr, ArpRepr.parse(arp));
    }

    @Property
    void shouldRoundTripIpv4(
        @ForAll @IntRange(max = 0xFF) final int dscpEcn,
        @ForAll @IntRange(max = 0xFFFF) final int totalLength,
        @ForAll @IntRange(max = 0xFFFF) final int identification,
        @ForAll @IntRange(max = 0xFFFF) final int flagsFragment,
        @ForAll @IntRange(max = 0xFF) final int ttl,
        @ForAll @IntRange(max = 0xFF) final int protocol,
        @ForAll final int source,
        @ForAll final int destination,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final Ipv4Repr repr = new Ipv4Repr(
            dscpEcn, totalLength, identification, flagsFragment, ttl, protocol, source, destination);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + repr.bufferLength()]);
        repr.emit(ip.wrap(buffer, offset, repr.bufferLength()));

        assertEquals(repr, Ipv4Repr.parse(ip));
        assertEquals(4, ip.version());
        assertEquals(20, ip.headerLength());
        assertTrue(ip.checksumValid());
        assertEquals(Ipv4Flyweight.parseAddress(Ipv4Flyweight.addressToString(source)), source);

        // With the whole datagram in the window, an emitted header validates whenever its total length is sane.
        final int expected = totalLength < 20 ? Ipv4Flyweight.BAD_TOTAL_LENGTH : Ipv4Flyweight.VALID;
        final UnsafeBuffer whole = new UnsafeBuffer(new byte[Math.max(20, totalLength)]);
        whole.putBytes(0, buffer, offset, 20);
        assertEquals(expected, ip.wrap(whole, 0, whole.capacity()).validate());
    }

    @Property
    void shouldRoundTripIcmpWithPayload(
        @ForAll @IntRange(max = 0xFF) final int type,
        @ForAll @IntRange(max = 0xFF) final int code,
        @ForAll final int restOfHeader,
        @ForAll @Size(max = 200) final byte[] payload,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final IcmpRepr repr = new IcmpRepr(type, code, restOfHeader);
        final int icmpLength = repr.bufferLength() + payload.length;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + icmpLength]);
        buffer.putBytes(offset + IcmpFlyweight.HEADER_LENGTH, payload);
        repr.emit(icmp.wrap(buffer, offset, icmpLength), icmpLength);

        assertTrue(icmp.check());
        assertEquals(repr, IcmpRepr.parse(icmp));
        assertTrue(icmp.checksumValid(icmpLength));
    }

    @Property
    void shouldRoundTripUdpWithPayload(
        @ForAll @IntRange(max = 0xFFFF) final int sourcePort,
        @ForAll @IntRange(max = 0xFFFF) final int destinationPort,
        @ForAll @Size(max = 200) final byte[] payload,
        @ForAll final int srcIp,
        @ForAll final int dstIp,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final int udpLength = UdpFlyweight.HEADER_LENGTH + payload.length;
        final UdpRepr repr = new UdpRepr(sourcePort, destinationPort, udpLength);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + udpLength]);
        buffer.putBytes(offset + UdpFlyweight.HEADER_LENGTH, payload);
        repr.emit(udp.wrap(buffer, offset, udpLength), srcIp, dstIp);

        assertTrue(udp.check());
        assertEquals(repr, UdpRepr.parse(udp));
        assertTrue(udp.checksum() != UdpFlyweight.NO_CHECKSUM, "RFC 768: a computed checksum is never sent as 0");
        assertTrue(udp.checksumValid(srcIp, dstIp));
    }

    @Property
    void shouldRoundTripUdpHeaderWithArbitraryLengthField(
        @ForAll @IntRange(max = 0xFFFF) final int sourcePort,
        @ForAll @IntRange(max = 0xFFFF) final int destinationPort,
        @ForAll @IntRange(max = 0xFFFF) final int udpLength)
    {
        final UdpRepr repr = new UdpRepr(sourcePort, destinationPort, udpLength);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Math.max(UdpFlyweight.HEADER_LENGTH, udpLength)]);
        repr.emit(udp.wrap(buffer, 0, buffer.capacity()), 0x0a000001, 0x0a000002);

        assertEquals(repr, UdpRepr.parse(udp));
        assertEquals(udpLength >= UdpFlyweight.HEADER_LENGTH, udp.check());
    }

    @Property(tries = 3000)
    void shouldNeverThrowOnArbitraryBytes(
        @ForAll @Size(max = 100) final byte[] data,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final UnsafeBuffer buffer = placed(data, offset);
        final int length = data.length;

        if (ethernet.wrap(buffer, offset, length).check())
        {
            EthernetRepr.parse(ethernet);
            assertEquals(length - 14, ethernet.payloadLength());
            assertTrue(ethernet.payloadOffset() <= buffer.capacity());
        }

        if (arp.wrap(buffer, offset, length).check())
        {
            ArpRepr.parse(arp);
            arp.hardwareType();
            arp.protocolType();
        }

        final int result = ip.wrap(buffer, offset, length).validate();
        assertTrue(result >= Ipv4Flyweight.VALID && result <= Ipv4Flyweight.BAD_CHECKSUM);
        if (result == Ipv4Flyweight.VALID)
        {
            Ipv4Repr.parse(ip);
            ip.version();
            ip.headerChecksum();
            ip.dontFragment();
            ip.moreFragments();
            ip.fragmentOffset();
            assertTrue(ip.checksumValid());
            assertTrue(ip.payloadLength() >= 0);
            assertTrue(ip.payloadOffset() + ip.payloadLength() <= buffer.capacity());
        }

        if (icmp.wrap(buffer, offset, length).check())
        {
            IcmpRepr.parse(icmp);
            icmp.checksum();
            icmp.identifier();
            icmp.sequence();
            icmp.checksumValid(length);
        }

        if (udp.wrap(buffer, offset, length).check())
        {
            UdpRepr.parse(udp);
            udp.checksum();
            udp.checksumValid(0x0a000001, 0x0a000002);
            assertTrue(udp.payloadLength() >= 0);
            assertTrue(udp.payloadOffset() + udp.payloadLength() <= buffer.capacity());
        }
    }

    @Property(tries = 2000)
    void shouldNeverThrowOnMutatedValidFrames(
        @ForAll @IntRange(max = 97) final int position,
        @ForAll final byte value,
        @ForAll @IntRange(min = 0, max = 98) final int cut)
    {
        // Random single-byte corruptions and truncations of a real frame reach deeper branches than noise.
        final byte[] frame = Hex.bytes(Packets.PING_REQUEST);
        frame[position] = value;
        final UnsafeBuffer buffer = placed(frame, 0);
        final int length = Math.min(cut, frame.length);

        if (ethernet.wrap(buffer, 0, length).check() && ethernet.etherType() == EthernetFlyweight.TYPE_IPV4)
        {
            final int result = ip.wrap(buffer, ethernet.payloadOffset(), ethernet.payloadLength()).validate();
            if (result == Ipv4Flyweight.VALID && ip.protocol() == Ipv4Flyweight.PROTO_ICMP)
            {
                if (icmp.wrap(buffer, ip.payloadOffset(), ip.payloadLength()).check())
                {
                    icmp.checksumValid(ip.payloadLength());
                    IcmpRepr.parse(icmp);
                }
            }
        }
    }
}
