package io.flowstack.ip.wire;

/**
 * Value form of an Ethernet II header, for tests and setup code.
 *
 * @param destination destination MAC address in the low 48 bits.
 * @param source      source MAC address in the low 48 bits.
 * @param etherType   EtherType, e.g. {@link EthernetFlyweight#TYPE_IPV4}.
 */
public record EthernetRepr(long destination, long source, int etherType)
{
    /**
     * Reads a header.
     *
     * @param f a view on which {@link EthernetFlyweight#check()} passed.
     * @return the header's values.
     */
    public static EthernetRepr parse(final EthernetFlyweight f)
    {
        return new EthernetRepr(f.destination(), f.source(), f.etherType());
    }

    /**
     * Writes every header field.
     *
     * @param f a view with at least {@link #bufferLength()} bytes.
     */
    public void emit(final EthernetFlyweight f)
    {
        f.destination(destination).source(source).etherType(etherType);
    }

    /**
     * @return bytes {@link #emit} writes.
     */
    public int bufferLength()
    {
        return EthernetFlyweight.HEADER_LENGTH;
    }
}
