package io.flowstack.tcp.api;

/**
 * Chooses initial sequence numbers. Injected, so that tests use fixed values.
 */
@FunctionalInterface
public interface IsnGenerator
{
    /**
     * @param localHigh  our address, first 64 bits ({@link io.flowstack.ip.addr.IpAddress#high()}).
     * @param localLow   our address, last 64 bits.
     * @param localPort  our port.
     * @param remoteHigh the peer's address, first 64 bits.
     * @param remoteLow  the peer's address, last 64 bits.
     * @param remotePort the peer's port.
     * @param nowNs      current time.
     * @return the ISN.
     */
    int isn(long localHigh, long localLow, int localPort, long remoteHigh, long remoteLow, int remotePort, long nowNs);

    /**
     * @param isn the value to return for every connection.
     * @return a generator for tests.
     */
    static IsnGenerator fixed(final int isn)
    {
        return (lh, ll, lp, rh, rl, rp, now) -> isn;
    }
}
