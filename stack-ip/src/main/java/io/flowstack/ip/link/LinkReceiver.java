package io.flowstack.ip.link;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.iface.IpInterface;

/**
 * A protocol above Ethernet (IPv4, ARP, IPv6), registered with the {@link EthernetLink} by EtherType.
 */
@FunctionalInterface
public interface LinkReceiver
{
    /**
     * @param packet window just past the Ethernet header; ownership passes here.
     * @param ifc    interface it arrived on.
     */
    void onPacket(PacketBuffer packet, IpInterface ifc);
}
