package io.flowstack.ip.ipv6;

import io.flowstack.ip.iface.IpInterface;

/**
 * One core's view of which of its IPv6 addresses are its own to use: an interface's global and link-local
 * addresses, less those duplicate address detection gave up because another node holds them (RFC 4862 5.4.5).
 * Each core keeps its own copy; the core that takes Neighbor Discovery tells the others. A check costs one array
 * read while no address is a duplicate.
 */
public final class Ipv6Addresses
{
    private static final int DUPLICATE_GLOBAL = 1;
    private static final int DUPLICATE_LINK_LOCAL = 2;

    /** Per ifIndex: the addresses given up (DUPLICATE_* bits). */
    private final int[] duplicates;

    /**
     * @param interfaces the highest ifIndex plus one.
     */
    Ipv6Addresses(final int interfaces)
    {
        this.duplicates = new int[interfaces];
    }

    /**
     * @param ifc  an interface.
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return true if the address is one of the interface's and not a duplicate: one we answer for and send from.
     */
    public boolean isOwn(final IpInterface ifc, final long high, final long low)
    {
        return ifc.isOwnIpv6(high, low) && (duplicates[ifc.ifIndex()] == 0 || !isDuplicate(ifc, high, low));
    }

    /**
     * @param ifc  an interface.
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return true if duplicate address detection found this address of the interface in use by another node.
     */
    public boolean isDuplicate(final IpInterface ifc, final long high, final long low)
    {
        final int given = duplicates[ifc.ifIndex()];
        return given != 0 && (given & bit(ifc, high, low)) != 0;
    }

    /**
     * Stops using an address of ours that another node holds (RFC 4862 5.4.5): it is no longer answered for, and
     * no packet is sent from it. There is no way back short of a restart, as with Linux's "dadfailed".
     *
     * @param ifc  the interface.
     * @param high first 64 bits.
     * @param low  last 64 bits.
     * @return true if the address was ours and in use until now.
     */
    public boolean markDuplicate(final IpInterface ifc, final long high, final long low)
    {
        final int bit = bit(ifc, high, low);
        if (bit == 0 || (duplicates[ifc.ifIndex()] & bit) != 0)
        {
            return false;
        }
        duplicates[ifc.ifIndex()] |= bit;
        return true;
    }

    private static int bit(final IpInterface ifc, final long high, final long low)
    {
        if (!ifc.isOwnIpv6(high, low))
        {
            return 0;
        }
        return high == IpInterface.LINK_LOCAL_HIGH && low == ifc.linkLocalLow() ? DUPLICATE_LINK_LOCAL
            : DUPLICATE_GLOBAL;
    }
}
