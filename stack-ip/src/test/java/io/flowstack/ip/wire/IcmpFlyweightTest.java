package io.flowstack.ip.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ICMPv4 view against a real ping (RFC 792).
 */
class IcmpFlyweightTest
{
    private static final int ICMP_OFFSET = 14 + 20;
    private static final int ICMP_LENGTH = 64;

    private final IcmpFlyweight icmp = new IcmpFlyweight();

    @Test
    void shouldReadPingEchoRequest()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.PING_REQUEST);
        assertSame(icmp, icmp.wrap(buffer, ICMP_OFFSET, ICMP_LENGTH));

        assertTrue(icmp.check());
        assertEquals(IcmpFlyweight.TYPE_ECHO_REQUEST, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x86ad, icmp.checksum());
        assertEquals(0x1c46, icmp.identifier());
        assertEquals(1, icmp.sequence());
        assertEquals(0x1c46_0001, icmp.restOfHeader());
        assertEquals(ICMP_OFFSET + 8, icmp.payloadOffset());
        assertTrue(icmp.checksumValid(ICMP_LENGTH));
        assertFalse(icmp.checksumValid(ICMP_LENGTH - 1), "a shorter message does not verify");
        assertEquals(IcmpRepr.echoRequest(0x1c46, 1), IcmpRepr.parse(icmp));
    }

    @Test
    void shouldRejectShortMessage()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.PING_REQUEST);
        assertFalse(icmp.wrap(buffer, ICMP_OFFSET, 7).check());
        assertTrue(icmp.wrap(buffer, ICMP_OFFSET, 8).check());
    }

    @Test
    void shouldEmitSameBytesAsPing()
    {
        final UnsafeBuffer ping = Hex.buffer(Packets.PING_REQUEST);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ICMP_LENGTH]);
        // Caller writes the data first; emit then checksums header and data together.
        buffer.putBytes(8, ping, ICMP_OFFSET + 8, ICMP_LENGTH - 8);
        final IcmpRepr repr = IcmpRepr.echoRequest(0x1c46, 1);
        repr.emit(icmp.wrap(buffer, 0, ICMP_LENGTH), ICMP_LENGTH);

        assertEquals(Hex.hex(ping, ICMP_OFFSET, ICMP_LENGTH), Hex.hex(buffer, 0, ICMP_LENGTH));
        assertEquals(0x1c46, repr.identifier());
        assertEquals(1, repr.sequence());
    }

    @Test
    void shouldTurnRequestIntoValidReply()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.PING_REQUEST);
        icmp.wrap(buffer, ICMP_OFFSET, ICMP_LENGTH)
            .type(IcmpFlyweight.TYPE_ECHO_REPLY)
            .computeChecksum(ICMP_LENGTH);

        // RFC 1624: changing the type from 8 to 0 raises the checksum by 0x0800.
        assertEquals(0x8ead, icmp.checksum());
        assertTrue(icmp.checksumValid(ICMP_LENGTH));
        assertEquals(IcmpRepr.echoReply(0x1c46, 1), IcmpRepr.parse(icmp));
    }

    @Test
    void shouldWritePortUnreachableHeader()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        new IcmpRepr(IcmpFlyweight.TYPE_DEST_UNREACHABLE, IcmpFlyweight.CODE_PORT_UNREACHABLE, 0)
            .emit(icmp.wrap(buffer, 0, 8));
        // ~(0x0303) = 0xfcfc.
        assertEquals("03 03 fc fc 00 00 00 00", Hex.hex(buffer, 0, 8));

        icmp.code(IcmpFlyweight.CODE_FRAG_NEEDED).restOfHeader(1400).computeChecksum(8);
        assertEquals(1400, icmp.sequence(), "RFC 1191 next-hop MTU");
        assertTrue(icmp.checksumValid(8));
    }
}
