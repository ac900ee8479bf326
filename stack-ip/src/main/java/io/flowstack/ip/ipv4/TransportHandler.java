package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.wire.Ipv4Flyweight;

/**
 * A protocol above IPv4 (ICMP, UDP, TCP), registered with the {@link Ipv4Layer} by protocol number.
 */
@FunctionalInterface
public interface TransportHandler
{
    /**
     * Delivers one validated, reassembled datagram addressed to this host.
     *
     * @param datagram window at the IP header, exactly total length long; the handler takes ownership.
     * @param ip       a view already wrapped over the header; valid only during the call.
     */
    void onDatagram(PacketBuffer datagram, Ipv4Flyweight ip);

    /**
     * A destination (or the gateway towards it) did not answer ARP, so what was sent to it was dropped: the
     * local form of an ICMP host unreachable, as Linux reports a neighbor failure to the sending socket.
     *
     * @param address the neighbor that did not answer: a destination on a link, or the gateway towards others
     *                (compare with {@link Ipv4Layer#nextHop}).
     */
    default void onUnreachable(final int address)
    {
    }
}
