package io.flowstack.ip.wire;

import io.flowstack.ip.Frames6;
import io.flowstack.ip.addr.IpAddress;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IPv6 and ICMPv6 value forms round-trip through the buffer from any field values, and what they write is
 * what an independent writer ({@link Frames6}, byte by byte) writes.
 */
class Ipv6WireProperties
{
    private final Ipv6Flyweight ip = new Ipv6Flyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();

    @Property(tries = 2000)
    void shouldRoundTripIpv6(
        @ForAll @IntRange(max = 0xFF) final int trafficClass,
        @ForAll @IntRange(max = 0xF_FFFF) final int flowLabel,
        @ForAll @IntRange(max = 0xFFFF) final int payloadLength,
        @ForAll @IntRange(max = 0xFF) final int nextHeader,
        @ForAll @IntRange(max = 0xFF) final int hopLimit,
        @ForAll final long sh, @ForAll final long sl, @ForAll final long dh, @ForAll final long dl,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final Ipv6Repr repr = new Ipv6Repr(trafficClass, flowLabel, payloadLength, nextHeader, hopLimit,
            IpAddress.of(sh, sl), IpAddress.of(dh, dl));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + repr.bufferLength()]);
        repr.emit(ip.wrap(buffer, offset, repr.bufferLength()));

        assertEquals(repr, Ipv6Repr.parse(ip));
        assertEquals(6, ip.version());
        // With the whole packet in the window the header validates, but for a jumbogram's zero length (RFC 2675).
        final UnsafeBuffer whole = new UnsafeBuffer(new byte[40 + payloadLength]);
        whole.putBytes(0, buffer, offset, 40);
        assertEquals(payloadLength == 0 && nextHeader == Ipv6Flyweight.HOP_BY_HOP
            ? Ipv6Flyweight.BAD_PAYLOAD_LENGTH : Ipv6Flyweight.VALID, ip.wrap(whole, 0, whole.capacity()).validate());
        assertEquals(repr, Ipv6Repr.parse(ip));
    }

    @Property(tries = 2000)
    void shouldRoundTripIcmpv6WithPayload(
        @ForAll @IntRange(max = 0xFF) final int type,
        @ForAll @IntRange(max = 0xFF) final int code,
        @ForAll final int restOfHeader,
        @ForAll @Size(max = 300) final byte[] payload,
        @ForAll final long sh, @ForAll final long sl, @ForAll final long dh, @ForAll final long dl,
        @ForAll @IntRange(max = 3) final int offset)
    {
        final IpAddress source = IpAddress.of(sh, sl);
        final IpAddress destination = IpAddress.of(dh, dl);
        final Icmpv6Repr repr = new Icmpv6Repr(type, code, restOfHeader);
        final int length = repr.bufferLength() + payload.length;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + length]);
        buffer.putBytes(offset + IcmpFlyweight.HEADER_LENGTH, payload);
        repr.emit(icmp.wrap(buffer, offset, length), length, source, destination);

        assertTrue(icmp.check());
        assertEquals(repr, Icmpv6Repr.parse(icmp));
        assertTrue(Icmpv6Repr.checksumValid(icmp, length, source, destination));
        final byte[] written = Arrays.copyOfRange(buffer.byteArray(), offset, offset + length);
        assertArrayEquals(Frames6.icmpv6(source, destination, type, code, restOfHeader, payload), written,
            "the same bytes as an independent writer, checksum included");
        assertTrue(Frames6.checksumValid(source, destination, Ipv6Flyweight.PROTO_ICMPV6, written));
    }

    @Property(tries = 1000)
    void shouldRejectAnyCorruptedIcmpv6Checksum(
        @ForAll @Size(min = 0, max = 64) final byte[] payload,
        @ForAll @IntRange(max = 71) final int position,
        @ForAll @IntRange(min = 1, max = 255) final int flip)
    {
        final IpAddress source = IpAddress.parse("2001:2::1");
        final IpAddress destination = IpAddress.parse("2001:2::2");
        final Icmpv6Repr repr = Icmpv6Repr.echoRequest(7, 9);
        final int length = repr.bufferLength() + payload.length;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putBytes(IcmpFlyweight.HEADER_LENGTH, payload);
        repr.emit(icmp.wrap(buffer, 0, length), length, source, destination);
        final int at = position % length;
        buffer.putByte(at, (byte)(buffer.getByte(at) ^ flip));
        // RFC 1071: a change of one byte moves the sum by less than 0xFFFF and is never missed.
        assertTrue(!Icmpv6Repr.checksumValid(icmp, length, source, destination));
    }
}
