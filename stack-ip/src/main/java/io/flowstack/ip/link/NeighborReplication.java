package io.flowstack.ip.link;

/**
 * Told about every neighbor mapping a resolver learned or confirmed, so that the other cores' copies follow
 * (DESIGN.md: neighbors are replicated, never shared).
 */
@FunctionalInterface
public interface NeighborReplication
{
    /**
     * @param ifIndex interface.
     * @param high    address, first 64 bits ({@link io.flowstack.ip.addr.IpAddress}; IPv4 mapped).
     * @param low     address, last 64 bits.
     * @param mac     its hardware address.
     */
    void learned(int ifIndex, long high, long low, long mac);
}
