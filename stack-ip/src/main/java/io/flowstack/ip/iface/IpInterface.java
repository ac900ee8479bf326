package io.flowstack.ip.iface;

import io.flowstack.core.driver.Offloads;

/**
 * One interface as the IP layer sees it: index, hardware address, IPv4 address and prefix, MTU, an optional
 * default gateway, and the device's offloads that the stack uses on it (checksums, TCP segmentation; none unless
 * the stack is built with them, see {@link #withOffloads}). Immutable; every core holds the same values.
 *
 * @param ifIndex      index used in {@link io.flowstack.core.buffer.PacketBuffer#ifIndex()}.
 * @param mac          hardware address (low 48 bits).
 * @param address      IPv4 address.
 * @param prefixLength network prefix length, 0..32.
 * @param mtu          IP MTU.
 * @param gateway      next hop for other networks, or 0 for none.
 * @param offloads     what the device does for the stack on this interface.
 */
public record IpInterface(int ifIndex, long mac, int address, int prefixLength, int mtu, int gateway,
    Offloads offloads)
{
    /**
     * An interface without offloads.
     *
     * @param ifIndex      index used in {@link io.flowstack.core.buffer.PacketBuffer#ifIndex()}.
     * @param mac          hardware address (low 48 bits).
     * @param address      IPv4 address.
     * @param prefixLength network prefix length, 0..32.
     * @param mtu          IP MTU.
     * @param gateway      next hop for other networks, or 0 for none.
     */
    public IpInterface(final int ifIndex, final long mac, final int address, final int prefixLength, final int mtu,
        final int gateway)
    {
        this(ifIndex, mac, address, prefixLength, mtu, gateway, Offloads.NONE);
    }

    /**
     * Validates the values.
     *
     * @param ifIndex      index used in {@link io.flowstack.core.buffer.PacketBuffer#ifIndex()}.
     * @param mac          hardware address (low 48 bits).
     * @param address      IPv4 address.
     * @param prefixLength network prefix length, 0..32.
     * @param mtu          IP MTU.
     * @param gateway      next hop for other networks, or 0 for none.
     * @param offloads     what the device does for the stack on this interface.
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
        if (offloads == null)
        {
            throw new IllegalArgumentException("offloads must not be null (Offloads.NONE for none)");
        }
    }

    /**
     * @param offloads what the device does for the stack.
     * @return this interface with those offloads.
     */
    public IpInterface withOffloads(final Offloads offloads)
    {
        return new IpInterface(ifIndex, mac, address, prefixLength, mtu, gateway, offloads);
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
