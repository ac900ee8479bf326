package io.flowstack.ip.iface;

import io.flowstack.core.driver.Offloads;
import io.flowstack.ip.addr.IpAddress;

/**
 * One interface as the IP layer sees it: index, hardware address, IPv4 address and prefix (address 0: no IPv4),
 * MTU, an optional default gateway, the device's offloads that the stack uses on it (checksums, TCP segmentation;
 * none unless the stack is built with them, see {@link #withOffloads}), and optionally an IPv6 address with its
 * prefix ({@link #withIpv6}; the interface then also has its link-local address, RFC 4862 5.3). Immutable; every
 * core holds the same values.
 *
 * @param ifIndex      index used in {@link io.flowstack.core.buffer.PacketBuffer#ifIndex()}.
 * @param mac          hardware address (low 48 bits).
 * @param address      IPv4 address.
 * @param prefixLength network prefix length, 0..32.
 * @param mtu          IP MTU.
 * @param gateway      next hop for other networks, or 0 for none.
 * @param offloads     what the device does for the stack on this interface.
 * @param ipv6High     IPv6 address, first 64 bits (0 and 0: no IPv6).
 * @param ipv6Low      IPv6 address, last 64 bits.
 * @param ipv6Prefix   IPv6 prefix length, 0..128.
 */
public record IpInterface(int ifIndex, long mac, int address, int prefixLength, int mtu, int gateway,
    Offloads offloads, long ipv6High, long ipv6Low, int ipv6Prefix)
{
    /**
     * An interface with IPv4 and offloads, without IPv6.
     *
     * @param ifIndex      index used in {@link io.flowstack.core.buffer.PacketBuffer#ifIndex()}.
     * @param mac          hardware address (low 48 bits).
     * @param address      IPv4 address.
     * @param prefixLength network prefix length, 0..32.
     * @param mtu          IP MTU.
     * @param gateway      next hop for other networks, or 0 for none.
     * @param offloads     what the device does for the stack on this interface.
     */
    public IpInterface(final int ifIndex, final long mac, final int address, final int prefixLength, final int mtu,
        final int gateway, final Offloads offloads)
    {
        this(ifIndex, mac, address, prefixLength, mtu, gateway, offloads, 0, 0, 0);
    }

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
     * @param ipv6High     global IPv6 address, first 64 bits (both 0 for none; see {@link #withIpv6}).
     * @param ipv6Low      global IPv6 address, last 64 bits.
     * @param ipv6Prefix   its prefix length, 0..128.
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
        if (ipv6Prefix < 0 || ipv6Prefix > 128)
        {
            throw new IllegalArgumentException("IPv6 prefix length out of range: " + ipv6Prefix);
        }
        if ((ipv6High != 0 || ipv6Low != 0) && mtu < 1280)
        {
            throw new IllegalArgumentException("IPv6 needs an MTU of at least 1280 (RFC 8200 5): " + mtu);
        }
        if (IpAddress.isIpv4(ipv6High, ipv6Low))
        {
            throw new IllegalArgumentException("not an IPv6 address: " + IpAddress.toString(ipv6High, ipv6Low));
        }
    }

    /**
     * @param address an IPv6 address of this interface.
     * @param prefix  its prefix length (on-link destinations).
     * @return this interface with that address (and its link-local one).
     */
    public IpInterface withIpv6(final IpAddress address, final int prefix)
    {
        return new IpInterface(ifIndex, mac, this.address, prefixLength, mtu, gateway, offloads, address.high(),
            address.low(), prefix);
    }

    /**
     * @return true if the interface speaks IPv6.
     */
    public boolean hasIpv6()
    {
        return ipv6High != 0 || ipv6Low != 0;
    }

    /**
     * @return true if the interface speaks IPv4.
     */
    public boolean hasIpv4()
    {
        return address != 0;
    }

    /**
     * @return the last 64 bits of the link-local address fe80::/64, the interface identifier made from the MAC
     *         (modified EUI-64, RFC 4291 2.5.1 and appendix A).
     */
    public long linkLocalLow()
    {
        final long upper = (mac >>> 24 & 0xFF_FFFFL) ^ 0x02_0000L;
        return upper << 40 | 0xFF_FEL << 24 | mac & 0xFF_FFFFL;
    }

    /**
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return true if the IPv6 address is one of this interface's (its address or its link-local one).
     */
    public boolean isOwnIpv6(final long high, final long low)
    {
        return hasIpv6() && ((high == ipv6High && low == ipv6Low)
            || (high == LINK_LOCAL_HIGH && low == linkLocalLow()));
    }

    /**
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return true if the IPv6 destination is on this interface's link: in its prefix, or link-local.
     */
    public boolean onLink6(final long high, final long low)
    {
        if (!hasIpv6())
        {
            return false;
        }
        if ((high >>> 54) == (LINK_LOCAL_HIGH >>> 54))
        {
            return true;
        }
        if (ipv6Prefix <= 64)
        {
            final long mask = ipv6Prefix == 0 ? 0 : -1L << (64 - ipv6Prefix);
            return ((high ^ ipv6High) & mask) == 0;
        }
        final long mask = -1L << (128 - ipv6Prefix);
        return high == ipv6High && ((low ^ ipv6Low) & mask) == 0;
    }

    /** First 64 bits of fe80::/64. */
    public static final long LINK_LOCAL_HIGH = 0xFE80_0000_0000_0000L;

    /**
     * @param offloads what the device does for the stack.
     * @return this interface with those offloads.
     */
    public IpInterface withOffloads(final Offloads offloads)
    {
        return new IpInterface(ifIndex, mac, address, prefixLength, mtu, gateway, offloads, ipv6High, ipv6Low,
            ipv6Prefix);
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
