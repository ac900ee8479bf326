package io.flowstack.ip.wire;

import io.flowstack.core.wire.Flyweight;
import org.agrona.MutableDirectBuffer;

/**
 * View of an ARP packet for IPv4 over Ethernet (RFC 826). Only that combination is supported: {@link #check()}
 * rejects other hardware or protocol types and address lengths, so the fixed offsets below are valid.
 */
public final class ArpFlyweight extends Flyweight
{
    /** Offset of the hardware type (ar$hrd). */
    public static final int HARDWARE_TYPE_OFFSET = 0;

    /** Offset of the protocol type (ar$pro). */
    public static final int PROTOCOL_TYPE_OFFSET = 2;

    /** Offset of the hardware address length (ar$hln). */
    public static final int HARDWARE_LENGTH_OFFSET = 4;

    /** Offset of the protocol address length (ar$pln). */
    public static final int PROTOCOL_LENGTH_OFFSET = 5;

    /** Offset of the operation (ar$op). */
    public static final int OPERATION_OFFSET = 6;

    /** Offset of the sender hardware address (ar$sha). */
    public static final int SENDER_HARDWARE_ADDRESS_OFFSET = 8;

    /** Offset of the sender protocol address (ar$spa). */
    public static final int SENDER_PROTOCOL_ADDRESS_OFFSET = 14;

    /** Offset of the target hardware address (ar$tha). */
    public static final int TARGET_HARDWARE_ADDRESS_OFFSET = 18;

    /** Offset of the target protocol address (ar$tpa). */
    public static final int TARGET_PROTOCOL_ADDRESS_OFFSET = 24;

    /** Length of an ARP packet for IPv4 over Ethernet. */
    public static final int LENGTH = 28;

    /** Operation: request (ares_op$REQUEST). */
    public static final int OP_REQUEST = 1;

    /** Operation: reply (ares_op$REPLY). */
    public static final int OP_REPLY = 2;

    /** Hardware type of Ethernet (ares_hrd$Ethernet). */
    public static final int HTYPE_ETHERNET = 1;

    /** Protocol type of IPv4: its EtherType. */
    public static final int PTYPE_IPV4 = EthernetFlyweight.TYPE_IPV4;

    /** Length of an Ethernet address. */
    public static final int HLEN_ETHERNET = 6;

    /** Length of an IPv4 address. */
    public static final int PLEN_IPV4 = 4;

    /**
     * Wraps an ARP packet.
     *
     * @param buffer bytes.
     * @param offset where the packet starts.
     * @param length bytes available from {@code offset}.
     * @return this
     */
    public ArpFlyweight wrap(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        wrapInternal(buffer, offset, length);
        return this;
    }

    /**
     * @return true if the window holds a whole packet for IPv4 over Ethernet; only then may the getters be used.
     */
    public boolean check()
    {
        return length >= LENGTH &&
            hardwareType() == HTYPE_ETHERNET &&
            protocolType() == PTYPE_IPV4 &&
            hardwareLength() == HLEN_ETHERNET &&
            protocolLength() == PLEN_IPV4;
    }

    /**
     * Writes the hardware and protocol type and length fields for IPv4 over Ethernet.
     *
     * @return this
     */
    public ArpFlyweight initEthernetIpv4()
    {
        return hardwareType(HTYPE_ETHERNET)
            .protocolType(PTYPE_IPV4)
            .hardwareLength(HLEN_ETHERNET)
            .protocolLength(PLEN_IPV4);
    }

    /**
     * @return hardware type, {@link #HTYPE_ETHERNET} for Ethernet.
     */
    public int hardwareType()
    {
        return u16(HARDWARE_TYPE_OFFSET);
    }

    /**
     * @param value hardware type.
     * @return this
     */
    public ArpFlyweight hardwareType(final int value)
    {
        u16(HARDWARE_TYPE_OFFSET, value);
        return this;
    }

    /**
     * @return protocol type, {@link #PTYPE_IPV4} for IPv4.
     */
    public int protocolType()
    {
        return u16(PROTOCOL_TYPE_OFFSET);
    }

    /**
     * @param value protocol type.
     * @return this
     */
    public ArpFlyweight protocolType(final int value)
    {
        u16(PROTOCOL_TYPE_OFFSET, value);
        return this;
    }

    /**
     * @return hardware address length in bytes.
     */
    public int hardwareLength()
    {
        return u8(HARDWARE_LENGTH_OFFSET);
    }

    /**
     * @param value hardware address length in bytes.
     * @return this
     */
    public ArpFlyweight hardwareLength(final int value)
    {
        u8(HARDWARE_LENGTH_OFFSET, value);
        return this;
    }

    /**
     * @return protocol address length in bytes.
     */
    public int protocolLength()
    {
        return u8(PROTOCOL_LENGTH_OFFSET);
    }

    /**
     * @param value protocol address length in bytes.
     * @return this
     */
    public ArpFlyweight protocolLength(final int value)
    {
        u8(PROTOCOL_LENGTH_OFFSET, value);
        return this;
    }

    /**
     * @return operation, {@link #OP_REQUEST} or {@link #OP_REPLY}.
     */
    public int operation()
    {
        return u16(OPERATION_OFFSET);
    }

    /**
     * @param value operation, {@link #OP_REQUEST} or {@link #OP_REPLY}.
     * @return this
     */
    public ArpFlyweight operation(final int value)
    {
        u16(OPERATION_OFFSET, value);
        return this;
    }

    /**
     * @return sender MAC address in the low 48 bits.
     */
    public long senderHardwareAddress()
    {
        return u48(SENDER_HARDWARE_ADDRESS_OFFSET);
    }

    /**
     * @param mac sender MAC address in the low 48 bits.
     * @return this
     */
    public ArpFlyweight senderHardwareAddress(final long mac)
    {
        u48(SENDER_HARDWARE_ADDRESS_OFFSET, mac);
        return this;
    }

    /**
     * @return sender IPv4 address.
     */
    public int senderProtocolAddress()
    {
        return i32(SENDER_PROTOCOL_ADDRESS_OFFSET);
    }

    /**
     * @param address sender IPv4 address.
     * @return this
     */
    public ArpFlyweight senderProtocolAddress(final int address)
    {
        i32(SENDER_PROTOCOL_ADDRESS_OFFSET, address);
        return this;
    }

    /**
     * @return target MAC address in the low 48 bits (zero in a request).
     */
    public long targetHardwareAddress()
    {
        return u48(TARGET_HARDWARE_ADDRESS_OFFSET);
    }

    /**
     * @param mac target MAC address in the low 48 bits.
     * @return this
     */
    public ArpFlyweight targetHardwareAddress(final long mac)
    {
        u48(TARGET_HARDWARE_ADDRESS_OFFSET, mac);
        return this;
    }

    /**
     * @return target IPv4 address.
     */
    public int targetProtocolAddress()
    {
        return i32(TARGET_PROTOCOL_ADDRESS_OFFSET);
    }

    /**
     * @param address target IPv4 address.
     * @return this
     */
    public ArpFlyweight targetProtocolAddress(final int address)
    {
        i32(TARGET_PROTOCOL_ADDRESS_OFFSET, address);
        return this;
    }
}
