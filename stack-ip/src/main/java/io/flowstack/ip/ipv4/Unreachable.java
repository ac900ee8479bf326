package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.PacketBuffer;

/**
 * Sends ICMP destination unreachable (RFC 792) for a datagram this host refused: ICMP implements it, IPv4 calls
 * it with the code a transport's disposition calls for.
 */
@FunctionalInterface
public interface Unreachable
{
    /**
     * @param datagram the refused datagram, window at its IP header; the caller keeps ownership.
     * @param code     unreachable code (protocol 2, port 3).
     */
    void unreachable(PacketBuffer datagram, int code);
}
