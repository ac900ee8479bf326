package io.flowstack.ip.udp;

import org.agrona.DirectBuffer;

/**
 * A bound UDP port on one core. Created by {@link UdpLayer#bind}; used only on that core's thread.
 */
public final class UdpEndpoint
{
    private final UdpLayer layer;
    private final int localAddress;
    private final int localPort;
    private final UdpHandler handler;
    private boolean open = true;

    UdpEndpoint(final UdpLayer layer, final int localAddress, final int localPort, final UdpHandler handler)
    {
        this.layer = layer;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.handler = handler;
    }

    /**
     * @return bound address, 0 for any.
     */
    public int localAddress()
    {
        return localAddress;
    }

    /**
     * @return bound port.
     */
    public int localPort()
    {
        return localPort;
    }

    UdpHandler handler()
    {
        return handler;
    }

    /**
     * Sends one datagram (copied once into a pool buffer).
     *
     * @param destination     destination address.
     * @param destinationPort destination port.
     * @param payload         bytes to send.
     * @param offset          first byte.
     * @param length          number of bytes, at most {@link UdpLayer#MAX_PAYLOAD}.
     * @return false if it could not be queued (no buffer, no route, too large, closed): UDP loses it.
     */
    public boolean send(
        final int destination,
        final int destinationPort,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        return open && layer.send(this, destination, destinationPort, payload, offset, length);
    }

    /**
     * Unbinds the port.
     */
    public void close()
    {
        if (open)
        {
            open = false;
            layer.unbind(this);
        }
    }

    /**
     * @return true until {@link #close()}.
     */
    public boolean isOpen()
    {
        return open;
    }
}
