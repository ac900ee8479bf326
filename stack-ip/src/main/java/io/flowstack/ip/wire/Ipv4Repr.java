package io.flowstack.ip.wire;

/**
 * Value form of an IPv4 header without options (RFC 791 3.1), for tests and setup code.
 *
 * @param dscpEcn        the type of service byte.
 * @param totalLength    total length of the datagram, header included.
 * @param identification identification.
 * @param flagsFragment  raw flags and fragment offset (in 8-byte units).
 * @param ttl            time to live.
 * @param protocol       protocol of the payload, e.g. {@link Ipv4Flyweight#PROTO_UDP}.
 * @param source         source address.
 * @param destination    destination address.
 */
public record Ipv4Repr(
    int dscpEcn,
    int totalLength,
    int identification,
    int flagsFragment,
    int ttl,
    int protocol,
    int source,
    int destination)
{
    /**
     * Reads a header; options, if any, are skipped.
     *
     * @param f a view on which {@link Ipv4Flyweight#validate()} returned {@link Ipv4Flyweight#VALID}, or at
     *          least one with {@link Ipv4Flyweight#MIN_HEADER_LENGTH} bytes.
     * @return the header's values.
     */
    public static Ipv4Repr parse(final Ipv4Flyweight f)
    {
        return new Ipv4Repr(
            f.dscpEcn(),
            f.totalLength(),
            f.identification(),
            f.flagsFragment(),
            f.ttl(),
            f.protocol(),
            f.source(),
            f.destination());
    }

    /**
     * Writes every field of a 20-byte header: version 4, IHL 5, the values, and the header checksum.
     *
     * @param f a view with at least {@link #bufferLength()} bytes.
     */
    public void emit(final Ipv4Flyweight f)
    {
        f.versionAndHeaderLength(Ipv4Flyweight.MIN_HEADER_LENGTH)
            .dscpEcn(dscpEcn)
            .totalLength(totalLength)
            .identification(identification)
            .flagsFragment(flagsFragment)
            .ttl(ttl)
            .protocol(protocol)
            .source(source)
            .destination(destination)
            .computeChecksum();
    }

    /**
     * @return bytes {@link #emit} writes: the header only.
     */
    public int bufferLength()
    {
        return Ipv4Flyweight.MIN_HEADER_LENGTH;
    }

    /**
     * @return payload length: total length minus the 20-byte header.
     */
    public int payloadLength()
    {
        return totalLength - Ipv4Flyweight.MIN_HEADER_LENGTH;
    }
}
