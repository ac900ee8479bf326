package io.flowstack.ip.link;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.net.Route;

/**
 * Maps a next hop's IP address to its hardware address on one interface: ARP for IPv4 (RFC 826), Neighbor
 * Discovery for IPv6 (RFC 4861). The link layer asks it only when the route's cached answer is gone.
 */
public interface NeighborResolver
{
    /**
     * @return a number that changes whenever a mapping this resolver gave out may have changed or gone; a route's
     *         cached answer is good only while it is the same.
     */
    int version();

    /**
     * Looks the route's next hop up, and on success caches the answer in the route.
     *
     * @param route the route.
     * @param nowNs current time.
     * @return the next hop's hardware address, or -1 if it is not known (then {@link #enqueue}).
     */
    long resolve(Route route, long nowNs);

    /**
     * Holds a packet until the route's next hop is resolved (a bounded queue per neighbor) and asks for it.
     *
     * @param route  the route.
     * @param packet window at the network header, ifIndex set; ownership passes here.
     * @param nowNs  current time.
     */
    void enqueue(Route route, PacketBuffer packet, long nowNs);
}
