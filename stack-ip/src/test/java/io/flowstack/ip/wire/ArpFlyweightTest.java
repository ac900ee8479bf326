package io.flowstack.ip.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARP view against a real request (RFC 826).
 */
class ArpFlyweightTest
{
    private static final long HOST_MAC = 0x5254_0012_3456L;
    private static final long GATEWAY_MAC = 0x5254_0012_3502L;
    private static final int HOST_IP = 0x0a00_020f;
    private static final int GATEWAY_IP = 0x0a00_0202;

    private final ArpFlyweight arp = new ArpFlyweight();

    @Test
    void shouldReadRealArpRequest()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.ARP_REQUEST);
        assertSame(arp, arp.wrap(buffer, 14, buffer.capacity() - 14));

        assertTrue(arp.check());
        assertEquals(ArpFlyweight.HTYPE_ETHERNET, arp.hardwareType());
        assertEquals(0x0800, arp.protocolType());
        assertEquals(6, arp.hardwareLength());
        assertEquals(4, arp.protocolLength());
        assertEquals(ArpFlyweight.OP_REQUEST, arp.operation());
        assertEquals(HOST_MAC, arp.senderHardwareAddress());
        assertEquals(HOST_IP, arp.senderProtocolAddress());
        assertEquals(0L, arp.targetHardwareAddress());
        assertEquals(GATEWAY_IP, arp.targetProtocolAddress());
        assertEquals(new ArpRepr(ArpFlyweight.OP_REQUEST, HOST_MAC, HOST_IP, 0, GATEWAY_IP), ArpRepr.parse(arp));
    }

    @Test
    void shouldRejectShortOrForeignArp()
    {
        final UnsafeBuffer buffer = Hex.buffer(Packets.ARP_REQUEST);
        assertFalse(arp.wrap(buffer, 14, 27).check());
        assertTrue(arp.wrap(buffer, 14, 28).check());

        arp.hardwareType(6);
        assertFalse(arp.check(), "IEEE 802 hardware type");
        arp.initEthernetIpv4().protocolType(0x86DD);
        assertFalse(arp.check(), "IPv6 protocol type");
        arp.initEthernetIpv4().hardwareLength(8);
        assertFalse(arp.check(), "hardware length");
        arp.initEthernetIpv4().protocolLength(16);
        assertFalse(arp.check(), "protocol length");
        arp.initEthernetIpv4();
        assertTrue(arp.check());
    }

    @Test
    void shouldEmitSameBytesAsRealRequest()
    {
        final byte[] frame = Hex.bytes(Packets.ARP_REQUEST);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ArpFlyweight.LENGTH]);
        final ArpRepr request = new ArpRepr(ArpFlyweight.OP_REQUEST, HOST_MAC, HOST_IP, 0, GATEWAY_IP);
        request.emit(arp.wrap(buffer, 0, request.bufferLength()));

        assertEquals(Hex.hex(new UnsafeBuffer(frame), 14, 28), Hex.hex(buffer, 0, 28));
    }

    @Test
    void shouldWriteReplyBytes()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ArpFlyweight.LENGTH]);
        arp.wrap(buffer, 0, ArpFlyweight.LENGTH)
            .initEthernetIpv4()
            .operation(ArpFlyweight.OP_REPLY)
            .senderHardwareAddress(GATEWAY_MAC)
            .senderProtocolAddress(GATEWAY_IP)
            .targetHardwareAddress(HOST_MAC)
            .targetProtocolAddress(HOST_IP);

        assertEquals("00 01 08 00 06 04 00 02 52 54 00 12 35 02 0a 00 02 02 52 54 00 12 34 56 0a 00 02 0f",
            Hex.hex(buffer, 0, 28));
    }
}
