package io.flowstack.ip.net;

import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;

/**
 * Where a flow's packets go, worked out once and kept by the flow (a TCP connection keeps one for its life): the
 * interface, our source address, the destination, the next hop on the link, and the next hop's hardware address
 * as the neighbor resolver last gave it. Sending on a route costs neither a route lookup nor, while the neighbor
 * entry it cached stays valid, a neighbor lookup.
 * <p>
 * Addresses are two longs each ({@link IpAddress}'s hot-path form). Mutable and owned by one core's thread.
 */
public final class Route
{
    private IpInterface ifc;
    private long sourceHigh;
    private long sourceLow;
    private long destinationHigh;
    private long destinationLow;
    private long nextHopHigh;
    private long nextHopLow;
    private long addressSum;
    private int mtu;
    private boolean ipv4;
    private long neighborMac = -1;
    private long neighborValidUntil;
    private int neighborVersion;

    /**
     * Sets the route (network layers call this when they route).
     *
     * @param ifc             interface to send on.
     * @param sourceHigh      our address, first 64 bits.
     * @param sourceLow       our address, last 64 bits.
     * @param destinationHigh the destination, first 64 bits.
     * @param destinationLow  the destination, last 64 bits.
     * @param nextHopHigh     the next hop on the link (the destination itself or a router), first 64 bits.
     * @param nextHopLow      the next hop, last 64 bits.
     * @return this route.
     */
    public Route set(
        final IpInterface ifc,
        final long sourceHigh,
        final long sourceLow,
        final long destinationHigh,
        final long destinationLow,
        final long nextHopHigh,
        final long nextHopLow)
    {
        if (this.ifc != ifc || this.nextHopHigh != nextHopHigh || this.nextHopLow != nextHopLow)
        {
            neighborMac = -1;
        }
        if (this.ifc != ifc || this.destinationHigh != destinationHigh || this.destinationLow != destinationLow)
        {
            this.mtu = ifc == null ? 0 : ifc.mtu();
        }
        this.ifc = ifc;
        this.sourceHigh = sourceHigh;
        this.sourceLow = sourceLow;
        this.destinationHigh = destinationHigh;
        this.destinationLow = destinationLow;
        this.nextHopHigh = nextHopHigh;
        this.nextHopLow = nextHopLow;
        this.ipv4 = IpAddress.isIpv4(destinationHigh, destinationLow);
        this.addressSum = ipv4
            ? words32((int)sourceLow) + words32((int)destinationLow)
            : words64(sourceHigh) + words64(sourceLow) + words64(destinationHigh) + words64(destinationLow);
        return this;
    }

    /**
     * Replaces the source address (a socket bound to one of several addresses), keeping the rest.
     *
     * @param sourceHigh our address, first 64 bits.
     * @param sourceLow  our address, last 64 bits.
     * @return this route.
     */
    public Route source(final long sourceHigh, final long sourceLow)
    {
        if (sourceHigh == this.sourceHigh && sourceLow == this.sourceLow)
        {
            return this;
        }
        return set(ifc, sourceHigh, sourceLow, destinationHigh, destinationLow, nextHopHigh, nextHopLow);
    }

    /**
     * Makes this route the same as another (a connection takes the route its opening found).
     *
     * @param other the route to copy, neighbor cache included.
     * @return this route.
     */
    public Route copy(final Route other)
    {
        set(other.ifc, other.sourceHigh, other.sourceLow, other.destinationHigh, other.destinationLow,
            other.nextHopHigh, other.nextHopLow);
        mtu = other.mtu;
        neighborMac = other.neighborMac;
        neighborVersion = other.neighborVersion;
        neighborValidUntil = other.neighborValidUntil;
        return this;
    }

    /**
     * @return the interface.
     */
    public IpInterface ifc()
    {
        return ifc;
    }

    /**
     * @return the path MTU: the interface's, or less once a router said so (RFC 8201).
     */
    public int mtu()
    {
        return mtu;
    }

    /**
     * Sets the path MTU the network layer knows for the destination: the interface's, or less (RFC 8201).
     *
     * @param pathMtu the path MTU, at most the interface's.
     */
    public void pathMtu(final int pathMtu)
    {
        mtu = pathMtu;
    }

    /**
     * Lowers the path MTU (a Packet Too Big); never above the interface's MTU, never below IPv6's minimum.
     *
     * @param reported the MTU a router reported.
     * @return true if the path MTU went down.
     */
    public boolean lowerMtu(final int reported)
    {
        final int m = Math.max(1280, Math.min(reported, ifc.mtu()));
        if (m >= mtu)
        {
            return false;
        }
        mtu = m;
        return true;
    }

    /**
     * @return true for an IPv4 route (addresses in their mapped form).
     */
    public boolean ipv4()
    {
        return ipv4;
    }

    /**
     * @return our address, first 64 bits.
     */
    public long sourceHigh()
    {
        return sourceHigh;
    }

    /**
     * @return our address, last 64 bits.
     */
    public long sourceLow()
    {
        return sourceLow;
    }

    /**
     * @return the destination, first 64 bits.
     */
    public long destinationHigh()
    {
        return destinationHigh;
    }

    /**
     * @return the destination, last 64 bits.
     */
    public long destinationLow()
    {
        return destinationLow;
    }

    /**
     * @return the next hop, first 64 bits.
     */
    public long nextHopHigh()
    {
        return nextHopHigh;
    }

    /**
     * @return the next hop, last 64 bits.
     */
    public long nextHopLow()
    {
        return nextHopLow;
    }

    /**
     * The pseudo-header of TCP, UDP and ICMPv6 checksums as an unfolded one's complement sum: both addresses, the
     * protocol and the upper-layer length. IPv4 (RFC 9293 3.1) and IPv6 (RFC 8200 8.1) sum the same fields; only
     * the address widths differ.
     *
     * @param protocol IP protocol (next header) number.
     * @param length   upper-layer length (header and data).
     * @return the sum, for {@link io.flowstack.core.wire.InternetChecksum#fold}.
     */
    public long pseudoHeaderSum(final int protocol, final int length)
    {
        return addressSum + protocol + (length >>> 16) + (length & 0xFFFF);
    }

    /**
     * @param version the neighbor resolver's current version.
     * @param nowNs   current time.
     * @return the next hop's hardware address if the one cached is still good, else -1.
     */
    public long cachedNeighbor(final int version, final long nowNs)
    {
        return neighborMac >= 0 && version == neighborVersion && nowNs - neighborValidUntil < 0 ? neighborMac : -1;
    }

    /**
     * Caches the next hop's hardware address.
     *
     * @param mac        hardware address.
     * @param version    the resolver's version it belongs to (any change there invalidates it).
     * @param validUntil until when the resolver vouches for it without asking again.
     */
    public void cacheNeighbor(final long mac, final int version, final long validUntil)
    {
        neighborMac = mac;
        neighborVersion = version;
        neighborValidUntil = validUntil;
    }

    @Override
    public String toString()
    {
        return IpAddress.toString(sourceHigh, sourceLow) + " -> " + IpAddress.toString(destinationHigh, destinationLow)
            + " via " + IpAddress.toString(nextHopHigh, nextHopLow) + (ifc == null ? "" : " if " + ifc.ifIndex());
    }

    private static long words32(final int v)
    {
        return (v >>> 16) + (v & 0xFFFF);
    }

    private static long words64(final long v)
    {
        return (v >>> 48) + (v >>> 32 & 0xFFFF) + (v >>> 16 & 0xFFFF) + (v & 0xFFFF);
    }
}
