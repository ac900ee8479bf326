package io.flowstack.ip.net;

import io.flowstack.core.buffer.PacketBuffer;

/**
 * A protocol above the network layer (ICMP, UDP, TCP), registered by protocol number and fed by IPv4 and IPv6
 * alike. It answers with a disposition, and the network layer sends the error it calls for (ICMP or ICMPv6):
 * nothing calls sideways.
 */
@FunctionalInterface
public interface Transport
{
    /** The transport took the packet (and the buffer). */
    int DELIVERED = 0;
    /** Nobody listens on the destination port: the network layer answers port unreachable and releases the buffer. */
    int PORT_UNREACHABLE = 1;

    /**
     * Delivers one validated, reassembled packet addressed to this host.
     *
     * @param packet window at the network header, exactly the packet; the transport takes ownership when it
     *               returns {@link #DELIVERED}.
     * @param net    the network header's view; valid only during the call.
     * @return {@link #DELIVERED} or {@link #PORT_UNREACHABLE}.
     */
    int onPacket(PacketBuffer packet, NetworkView net);

    /**
     * A neighbor did not answer ARP or neighbor solicitation, so what was sent to it was dropped (see
     * {@link io.flowstack.ip.link.NeighborEvents#unreachable}).
     *
     * @param high the neighbor: a destination on a link, or the gateway towards others (compare with the next hop
     *             of a {@link Route}), first 64 bits.
     * @param low  its last 64 bits.
     */
    default void onUnreachable(final long high, final long low)
    {
    }
}
