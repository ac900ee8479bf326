package io.flowstack.ip.udp;

import io.flowstack.ip.addr.IpAddress;
import org.agrona.DirectBuffer;

/**
 * A bound UDP port on one core, for both families. Created by {@link UdpLayer#bind}; used only on that core's
 * thread. While a datagram is delivered, {@link #sourceHigh()}, {@link #sourceLow()} and {@link #sourcePort()} name
 * its sender, and {@link #reply} answers it whichever its family.
 */
public final class UdpEndpoint
{
    private final UdpLayer layer;
    private final int localAddress;
    private final int localPort;
    private final UdpHandler handler;
    private boolean open = true;
    private long sourceHigh;
    private long sourceLow;
    private int sourcePort;

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

    void source(final long high, final long low, final int port)
    {
        sourceHigh = high;
        sourceLow = low;
        sourcePort = port;
    }

    /**
     * @return the sender of the datagram being (or last) delivered, first 64 bits ({@link IpAddress} form).
     */
    public long sourceHigh()
    {
        return sourceHigh;
    }

    /**
     * @return the sender, last 64 bits.
     */
    public long sourceLow()
    {
        return sourceLow;
    }

    /**
     * @return the sender's port.
     */
    public int sourcePort()
    {
        return sourcePort;
    }

    /**
     * Sends one datagram back to the sender of the datagram being delivered, IPv4 or IPv6.
     *
     * @param payload bytes to send.
     * @param offset  first byte.
     * @param length  number of bytes.
     * @return false if it could not be queued.
     */
    public boolean reply(final DirectBuffer payload, final int offset, final int length)
    {
        return open && layer.send(this, sourceHigh, sourceLow, sourcePort, payload, offset, length);
    }

    /**
     * Sends one datagram to an address of either family.
     *
     * @param destination     destination.
     * @param destinationPort destination port.
     * @param payload         bytes to send.
     * @param offset          first byte.
     * @param length          number of bytes.
     * @return false if it could not be queued.
     */
    public boolean send(
        final IpAddress destination,
        final int destinationPort,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        return open && layer.send(this, destination.high(), destination.low(), destinationPort, payload, offset,
            length);
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
        return open && layer.send(this, 0, IpAddress.ipv4Low(destination), destinationPort, payload, offset, length);
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
