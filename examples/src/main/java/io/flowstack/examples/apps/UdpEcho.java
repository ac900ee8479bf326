package io.flowstack.examples.apps;

import io.flowstack.ip.udp.UdpEndpoint;
import io.flowstack.ip.udp.UdpHandler;
import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.CoreSetup;
import org.agrona.DirectBuffer;

import java.net.BindException;

/**
 * UDP echo (RFC 862): every datagram goes back to its sender, byte for byte. One instance per core.
 */
public final class UdpEcho implements CoreSetup
{
    /** The well-known echo port. */
    public static final int DEFAULT_PORT = 7;

    private final int port;

    /**
     * @param port port to bind on every core.
     */
    public UdpEcho(final int port)
    {
        this.port = port;
    }

    @Override
    public void setup(final CoreContext core) throws BindException
    {
        core.bindUdp(port, new Handler());
    }

    private static final class Handler implements UdpHandler
    {
        @Override
        public void onDatagram(
            final UdpEndpoint endpoint,
            final int sourceAddress,
            final int sourcePort,
            final DirectBuffer payload,
            final int offset,
            final int length)
        {
            // Back to the sender, IPv4 or IPv6.
            endpoint.reply(payload, offset, length);
        }
    }
}
