package io.flowstack.ip.link;

/**
 * What a resolver tells the core's IP stack about its neighbors: every mapping it learned or confirmed, so that
 * the other cores' copies follow (DESIGN.md: neighbors are replicated, never shared), and every neighbor that
 * never answered, so that whoever waits on it hears that it is unreachable.
 */
public interface NeighborEvents
{
    /**
     * @param ifIndex interface.
     * @param high    address, first 64 bits ({@link io.flowstack.ip.addr.IpAddress}; IPv4 mapped).
     * @param low     address, last 64 bits.
     * @param mac     its hardware address.
     */
    void learned(int ifIndex, long high, long low, long mac);

    /**
     * Nobody answered ARP or neighbor solicitation for an address, and what waited on it was dropped: the local
     * form of an ICMP host unreachable, as Linux reports a neighbor failure to the sending socket.
     *
     * @param ifIndex interface.
     * @param high    the neighbor's address, first 64 bits.
     * @param low     the neighbor's address, last 64 bits.
     */
    void unreachable(int ifIndex, long high, long low);
}
