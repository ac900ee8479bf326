package io.flowstack.ip.wire;

/**
 * Value form of an ARP packet for IPv4 over Ethernet (RFC 826), for tests and setup code.
 *
 * @param operation             {@link ArpFlyweight#OP_REQUEST} or {@link ArpFlyweight#OP_REPLY}.
 * @param senderHardwareAddress sender MAC address in the low 48 bits.
 * @param senderProtocolAddress sender IPv4 address.
 * @param targetHardwareAddress target MAC address in the low 48 bits.
 * @param targetProtocolAddress target IPv4 address.
 */
public record ArpRepr(
    int operation,
    long senderHardwareAddress,
    int senderProtocolAddress,
    long targetHardwareAddress,
    int targetProtocolAddress)
{
    /**
     * Reads a packet.
     *
     * @param f a view on which {@link ArpFlyweight#check()} passed.
     * @return the packet's values.
     */
    public static ArpRepr parse(final ArpFlyweight f)
    {
        return new ArpRepr(
            f.operation(),
            f.senderHardwareAddress(),
            f.senderProtocolAddress(),
            f.targetHardwareAddress(),
            f.targetProtocolAddress());
    }

    /**
     * Writes every field, the fixed IPv4-over-Ethernet ones included.
     *
     * @param f a view with at least {@link #bufferLength()} bytes.
     */
    public void emit(final ArpFlyweight f)
    {
        f.initEthernetIpv4()
            .operation(operation)
            .senderHardwareAddress(senderHardwareAddress)
            .senderProtocolAddress(senderProtocolAddress)
            .targetHardwareAddress(targetHardwareAddress)
            .targetProtocolAddress(targetProtocolAddress);
    }

    /**
     * @return bytes {@link #emit} writes.
     */
    public int bufferLength()
    {
        return ArpFlyweight.LENGTH;
    }
}
