package io.flowstack.ip.net;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.iface.IpInterface;
import org.agrona.concurrent.NanoClock;

/**
 * The network layer as transports see it, for both families: routes a destination once into a {@link Route},
 * and sends transport segments on a route (header, fragmentation, next hop, link). One per core.
 */
public interface Network
{
    /**
     * Routes to a destination from our address on the interface chosen.
     *
     * @param route           filled in.
     * @param destinationHigh destination, first 64 bits.
     * @param destinationLow  destination, last 64 bits.
     * @return false if there is no route (the route is unchanged).
     */
    boolean route(Route route, long destinationHigh, long destinationLow);

    /**
     * Routes an answer to a packet received on an interface: from the address it was sent to, back to its source.
     *
     * @param route           filled in.
     * @param ifIndex         interface the packet arrived on.
     * @param sourceHigh      our address it was sent to, first 64 bits.
     * @param sourceLow       our address, last 64 bits.
     * @param destinationHigh its source, first 64 bits.
     * @param destinationLow  its source, last 64 bits.
     * @return false if the interface is unknown.
     */
    boolean routeReply(Route route, int ifIndex, long sourceHigh, long sourceLow, long destinationHigh,
        long destinationLow);

    /**
     * Puts the network header in front of a transport segment and sends it on the route.
     *
     * @param segment      window at the transport header, checksum done (or left partial for the device), headroom
     *                     for the network and link headers; ownership passes here.
     * @param route        the route.
     * @param protocol     protocol number (next header).
     * @param dontFragment IPv4 DF (IPv6 never fragments on the way; this host fragments only what it may).
     */
    void send(PacketBuffer segment, Route route, int protocol, boolean dontFragment);

    /**
     * @param ifIndex an interface index.
     * @return the interface, or null.
     */
    IpInterface interfaceAt(int ifIndex);

    /**
     * @return the core's clock (the time the current frame was read, see CoreServices#time).
     */
    NanoClock time();
}
