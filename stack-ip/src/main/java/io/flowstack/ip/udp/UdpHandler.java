package io.flowstack.ip.udp;

import org.agrona.DirectBuffer;

/**
 * Application callback for datagrams on a bound {@link UdpEndpoint}; runs on the endpoint's core.
 */
@FunctionalInterface
public interface UdpHandler
{
    /**
     * @param endpoint      the endpoint the datagram arrived on (reply through it).
     * @param sourceAddress sender's IPv4 address.
     * @param sourcePort    sender's port.
     * @param payload       buffer holding the payload; valid only during the call.
     * @param offset        first payload byte.
     * @param length        payload length.
     */
    void onDatagram(
        UdpEndpoint endpoint,
        int sourceAddress,
        int sourcePort,
        DirectBuffer payload,
        int offset,
        int length);
}
