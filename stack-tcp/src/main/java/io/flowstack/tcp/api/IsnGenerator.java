package io.flowstack.tcp.api;

/**
 * Chooses initial sequence numbers. Injected, so that tests use fixed values.
 */
@FunctionalInterface
public interface IsnGenerator
{
    /**
     * @param localAddress  our address.
     * @param localPort     our port.
     * @param remoteAddress the peer's address.
     * @param remotePort    the peer's port.
     * @param nowNs         current time.
     * @return the ISN.
     */
    int isn(int localAddress, int localPort, int remoteAddress, int remotePort, long nowNs);

    /**
     * @param isn the value to return for every connection.
     * @return a generator for tests.
     */
    static IsnGenerator fixed(final int isn)
    {
        return (la, lp, ra, rp, now) -> isn;
    }
}
