package io.flowstack.ip.net;

/**
 * Told of a validated ICMPv6 Packet Too Big about a packet we sent (RFC 8201): the transport that owns the flow
 * lowers its route's path MTU and its segment size. Addresses are {@link io.flowstack.ip.addr.IpAddress}'s two longs.
 */
@FunctionalInterface
public interface PacketTooBig
{
    /**
     * @param protocol   upper-layer protocol of the quoted packet.
     * @param localHigh  our address (the quoted source), first 64 bits.
     * @param localLow   our address, last 64 bits.
     * @param localPort  our port.
     * @param remoteHigh the destination, first 64 bits.
     * @param remoteLow  the destination, last 64 bits.
     * @param remotePort its port.
     * @param sequence   the quoted packet's first 32 bits after the ports (TCP: its sequence number).
     * @param mtu        the MTU the router reported, at least 1280.
     */
    void packetTooBig(int protocol, long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow,
        int remotePort, int sequence, int mtu);
}
