package io.flowstack.ip.wire;

import io.flowstack.ip.addr.IpAddress;

/**
 * Value form of the IPv6 fixed header (RFC 8200 3), for tests and setup code. Extension headers, if any, are
 * part of the payload.
 *
 * @param trafficClass  traffic class (DSCP and ECN).
 * @param flowLabel     flow label (20 bits).
 * @param payloadLength bytes after the fixed header, extension headers included.
 * @param nextHeader    what follows the fixed header, e.g. {@link Ipv6Flyweight#PROTO_ICMPV6}.
 * @param hopLimit      hop limit.
 * @param source        source address.
 * @param destination   destination address.
 */
public record Ipv6Repr(
    int trafficClass,
    int flowLabel,
    int payloadLength,
    int nextHeader,
    int hopLimit,
    IpAddress source,
    IpAddress destination)
{
    /**
     * Reads a header.
     *
     * @param f a view on which {@link Ipv6Flyweight#validate()} returned {@link Ipv6Flyweight#VALID}, or at
     *          least one with {@link Ipv6Flyweight#HEADER_LENGTH} bytes.
     * @return the header's values.
     */
    public static Ipv6Repr parse(final Ipv6Flyweight f)
    {
        return new Ipv6Repr(
            f.trafficClass(),
            f.flowLabel(),
            f.payloadLength(),
            f.nextHeader(),
            f.hopLimit(),
            IpAddress.of(f.sourceHigh(), f.sourceLow()),
            IpAddress.of(f.destinationHigh(), f.destinationLow()));
    }

    /**
     * Writes every field of the fixed header, version 6 included.
     *
     * @param f a view with at least {@link #bufferLength()} bytes.
     */
    public void emit(final Ipv6Flyweight f)
    {
        f.versionClassLabel(trafficClass, flowLabel)
            .payloadLength(payloadLength)
            .nextHeader(nextHeader)
            .hopLimit(hopLimit)
            .source(source.high(), source.low())
            .destination(destination.high(), destination.low());
    }

    /**
     * @return bytes {@link #emit} writes: the fixed header only.
     */
    public int bufferLength()
    {
        return Ipv6Flyweight.HEADER_LENGTH;
    }
}
