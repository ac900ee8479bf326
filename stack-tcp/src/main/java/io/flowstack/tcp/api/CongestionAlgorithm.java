package io.flowstack.tcp.api;

/**
 * The congestion controls a connection can use (chosen per connection, defaulting to the stack's configuration).
 */
public enum CongestionAlgorithm
{
    /** RFC 5681 slow start and congestion avoidance (with NewReno recovery when the peer does not SACK). */
    RENO,
    /** RFC 9438 CUBIC with RFC 9406 HyStart++: the default, as in Linux. */
    CUBIC,
    /** BBR (draft-ietf-ccwg-bbr, version 3): a model of bottleneck bandwidth and round-trip time, paced. */
    BBR;

    /**
     * @param name "reno", "newreno", "cubic" or "bbr", any case.
     * @return the algorithm.
     * @throws IllegalArgumentException for any other name.
     */
    public static CongestionAlgorithm parse(final String name)
    {
        return switch (name.toLowerCase(java.util.Locale.ROOT))
        {
            case "reno", "newreno" -> RENO;
            case "cubic" -> CUBIC;
            case "bbr" -> BBR;
            default -> throw new IllegalArgumentException("unknown congestion control '" + name
                + "' (known: cubic, newreno, bbr)");
        };
    }
}
