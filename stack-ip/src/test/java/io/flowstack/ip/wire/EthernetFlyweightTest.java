package io.flowstack.ip.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ethernet II header view against a real frame.
 */
class EthernetFlyweightTest
{
    private final EthernetFlyweight ethernet = new EthernetFlyweight();

    @Test
    void shouldReadBroadcastArpFrame()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.ARP_REQUEST);
        assertSame(ethernet, ethernet.wrap(buffer, 0, buffer.capacity()));

        assertTrue(ethernet.check());
        assertEquals(EthernetFlyweight.BROADCAST, ethernet.destination());
        assertEquals(0x5254_0012_3456L, ethernet.source());
        assertEquals(EthernetFlyweight.TYPE_ARP, ethernet.etherType());
        assertEquals(14, ethernet.payloadOffset());
        assertEquals(46, ethernet.payloadLength());
    }

    @Test
    void shouldReadUnicastIpv4FrameAtOffset()
    {
        final byte[] frame = Hex.bytes(Packets.PING_REQUEST);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frame.length + 5]);
        buffer.putBytes(5, frame);
        ethernet.wrap(buffer, 5, frame.length);

        assertTrue(ethernet.check());
        assertEquals(0x5254_00aa_bb01L, ethernet.destination());
        assertEquals(0x5254_0012_3456L, ethernet.source());
        assertEquals(EthernetFlyweight.TYPE_IPV4, ethernet.etherType());
        assertEquals(5 + 14, ethernet.payloadOffset());
        assertEquals(98 - 14, ethernet.payloadLength());
    }

    @Test
    void shouldRejectShortFrame()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.ARP_REQUEST);
        assertFalse(ethernet.wrap(buffer, 0, 13).check());
        assertTrue(ethernet.wrap(buffer, 0, 14).check());
        assertEquals(0, ethernet.payloadLength());
    }

    @Test
    void shouldWriteHeaderBytes()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[14]);
        ethernet.wrap(buffer, 0, 14)
            .destination(EthernetFlyweight.BROADCAST)
            .source(EthernetFlyweight.parseMac("52:54:00:12:34:56"))
            .etherType(EthernetFlyweight.TYPE_ARP);
        assertEquals("ff ff ff ff ff ff 52 54 00 12 34 56 08 06", Hex.hex(buffer, 0, 14));

        new EthernetRepr(0x5254_00aa_bb01L, 0x5254_0012_3456L, EthernetFlyweight.TYPE_IPV6).emit(ethernet);
        assertEquals("52 54 00 aa bb 01 52 54 00 12 34 56 86 dd", Hex.hex(buffer, 0, 14));
        assertEquals(new EthernetRepr(0x5254_00aa_bb01L, 0x5254_0012_3456L, 0x86DD), EthernetRepr.parse(ethernet));
    }

    @Test
    void shouldFormatAndParseMacAddresses()
    {
        assertEquals("02:00:00:00:00:01", EthernetFlyweight.macToString(0x0200_0000_0001L));
        assertEquals("ff:ff:ff:ff:ff:ff", EthernetFlyweight.macToString(EthernetFlyweight.BROADCAST));
        assertEquals(0x0200_0000_0001L, EthernetFlyweight.parseMac("02:00:00:00:00:01"));
        assertEquals(0x5254_00AB_CDEFL, EthernetFlyweight.parseMac("52-54-00-AB-cd-EF"));
        assertEquals(0x0102_0304_0506L, EthernetFlyweight.parseMac("1:2:3:4:5:6"));
    }

    @Test
    void shouldRejectBadMacAddresses()
    {
        for (final String bad : new String[] {"", "02:00:00:00:00", "02:00:00:00:00:01:02", "02:00:00:00:00:",
            "002:00:00:00:00:01", "0g:00:00:00:00:01", "02::00:00:00:01"})
        {
            assertThrows(IllegalArgumentException.class, () -> EthernetFlyweight.parseMac(bad), bad);
        }
    }
}
