package io.flowstack.ip.net;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.iface.IpInterface;

/**
 * Re-dispatch of a reassembled datagram on its full tuple (DESIGN.md): fragments are owned by the core their
 * addresses hash to, the whole datagram by the core its flow hashes to.
 */
@FunctionalInterface
public interface Redispatch
{
    /**
     * @param datagram a reassembled datagram, window at its IP header.
     * @param ifc      interface it arrived on.
     * @return true if the datagram was handed to another core (ownership passed), false to process it here.
     */
    boolean redispatch(PacketBuffer datagram, IpInterface ifc);
}
