package io.flowstack.ip.net;

import io.flowstack.ip.addr.IpAddress;

/**
 * What a transport needs to know of the network header of a packet it receives, whichever the family: the
 * addresses (two longs each, {@link IpAddress}'s hot-path form), the protocol, where the transport header is, and
 * the pseudo-header sum its checksum covers. The network layer fills one per core and hands it with each packet;
 * valid only during that call.
 */
public final class NetworkView
{
    private int ifIndex;
    private boolean ipv4;
    private long sourceHigh;
    private long sourceLow;
    private long destinationHigh;
    private long destinationLow;
    private int protocol;
    private int transportOffset;
    private int transportLength;
    private boolean unicastToUs;
    private int hopLimit;
    private long addressSum;

    /**
     * Describes an IPv4 datagram.
     *
     * @param ifIndex         interface it arrived on.
     * @param source          source address.
     * @param destination     destination address.
     * @param protocol        protocol number.
     * @param transportOffset where the transport header starts in the buffer.
     * @param transportLength bytes from there to the end of the datagram.
     * @param unicastToUs     sent to our own address (not to a broadcast or multicast one).
     * @return this view.
     */
    public NetworkView ipv4(
        final int ifIndex,
        final int source,
        final int destination,
        final int protocol,
        final int transportOffset,
        final int transportLength,
        final boolean unicastToUs)
    {
        this.ipv4 = true;
        this.sourceHigh = 0;
        this.sourceLow = IpAddress.ipv4Low(source);
        this.destinationHigh = 0;
        this.destinationLow = IpAddress.ipv4Low(destination);
        this.addressSum = (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF);
        return set(ifIndex, protocol, transportOffset, transportLength, unicastToUs);
    }

    /**
     * Describes an IPv6 packet.
     *
     * @param ifIndex         interface it arrived on.
     * @param sourceHigh      source, first 64 bits.
     * @param sourceLow       source, last 64 bits.
     * @param destinationHigh destination, first 64 bits.
     * @param destinationLow  destination, last 64 bits.
     * @param protocol        upper-layer protocol (the last next header).
     * @param transportOffset where the upper-layer header starts in the buffer.
     * @param transportLength bytes from there to the end of the packet.
     * @param unicastToUs     sent to one of our unicast addresses (not to a multicast one).
     * @return this view.
     */
    public NetworkView ipv6(
        final int ifIndex,
        final long sourceHigh,
        final long sourceLow,
        final long destinationHigh,
        final long destinationLow,
        final int protocol,
        final int transportOffset,
        final int transportLength,
        final boolean unicastToUs)
    {
        this.ipv4 = false;
        this.sourceHigh = sourceHigh;
        this.sourceLow = sourceLow;
        this.destinationHigh = destinationHigh;
        this.destinationLow = destinationLow;
        this.addressSum = words64(sourceHigh) + words64(sourceLow) + words64(destinationHigh) + words64(destinationLow);
        return set(ifIndex, protocol, transportOffset, transportLength, unicastToUs);
    }

    /**
     * @param hopLimit the packet's hop limit (IPv4: TTL) as it arrived; Neighbor Discovery insists on 255.
     * @return this view.
     */
    public NetworkView hopLimit(final int hopLimit)
    {
        this.hopLimit = hopLimit;
        return this;
    }

    /**
     * @return the hop limit (TTL) the packet arrived with.
     */
    public int hopLimit()
    {
        return hopLimit;
    }

    private NetworkView set(final int ifIndex, final int protocol, final int transportOffset,
        final int transportLength, final boolean unicastToUs)
    {
        this.ifIndex = ifIndex;
        this.protocol = protocol;
        this.transportOffset = transportOffset;
        this.transportLength = transportLength;
        this.unicastToUs = unicastToUs;
        return this;
    }

    /**
     * @return the interface the packet arrived on.
     */
    public int ifIndex()
    {
        return ifIndex;
    }

    /**
     * @return true for IPv4.
     */
    public boolean isIpv4()
    {
        return ipv4;
    }

    /**
     * @return source, first 64 bits (0 for IPv4).
     */
    public long sourceHigh()
    {
        return sourceHigh;
    }

    /**
     * @return source, last 64 bits.
     */
    public long sourceLow()
    {
        return sourceLow;
    }

    /**
     * @return destination, first 64 bits.
     */
    public long destinationHigh()
    {
        return destinationHigh;
    }

    /**
     * @return destination, last 64 bits.
     */
    public long destinationLow()
    {
        return destinationLow;
    }

    /**
     * @return the IPv4 source address (meaningful only for IPv4).
     */
    public int source4()
    {
        return (int)sourceLow;
    }

    /**
     * @return the IPv4 destination address (meaningful only for IPv4).
     */
    public int destination4()
    {
        return (int)destinationLow;
    }

    /**
     * @return the protocol (IPv6: the upper-layer next header).
     */
    public int protocol()
    {
        return protocol;
    }

    /**
     * @return offset of the transport header in the buffer.
     */
    public int transportOffset()
    {
        return transportOffset;
    }

    /**
     * @return bytes of transport header and data.
     */
    public int transportLength()
    {
        return transportLength;
    }

    /**
     * @return true if the packet was sent to one of our unicast addresses (errors are answered only then).
     */
    public boolean unicastToUs()
    {
        return unicastToUs;
    }

    /**
     * @return the pseudo-header sum of this packet's transport checksum (addresses, protocol, transport length),
     *         unfolded (RFC 9293 3.1, RFC 8200 8.1).
     */
    public long pseudoHeaderSum()
    {
        return addressSum + protocol + (transportLength >>> 16) + (transportLength & 0xFFFF);
    }

    private static long words64(final long v)
    {
        return (v >>> 48) + (v >>> 32 & 0xFFFF) + (v >>> 16 & 0xFFFF) + (v & 0xFFFF);
    }
}
