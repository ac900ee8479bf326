package io.flowstack.ip.iface;

/**
 * One interface as the IP layer sees it: index, hardware address, IPv4 address and prefix, MTU and an optional
 * default gateway. Immutable; every core holds the same values.
 *
 * @param ifIndex      index used in {@link io.flowstack.core.buffer.PacketBuffer#ifIndex()}.
 * @param mac          hardware address (low 48 bits).
 * @param address      IPv4 address.
 * @param prefixLength network prefix length, 0..32.
 * @param mtu          IP MTU.
 * @param gateway      next hop for other networks, or 0 for none.
 */
public record IpInterface(int ifIndex, long mac, int address, int prefixLength, int mtu, int gateway)
{
    /**
     * Validates the values.
     */
    public IpInterface
    {
        if (prefixLength < 0 || prefixLength > 32)
        {
            throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
        }
        if (mtu < 68 || mtu > 65535)
        {
            throw new IllegalArgumentException("MTU out of range (68..65535): " + mtu);
        }
    }

    /**
     * @return the network mask as an int.
     */
    public int netmask()
    {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /**
     * @param destination an IPv4 address.
     * @return true if the address is on this interface's network.
     */
    public boolean onLink(final int destination)
    {
        return ((destination ^ address) & netmask()) == 0;
    }

    /**
     * @return the directed broadcast address of the network.
     */
    public int broadcast()
    {
        return address | ~netmask();
    }
}
