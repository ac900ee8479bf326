package io.flowstack.ip;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.ipv4.Ipv4Layer;
import io.flowstack.ip.net.Network;
import io.flowstack.ip.net.Route;
import org.agrona.concurrent.NanoClock;

/**
 * The {@link Network} transports send through: each call goes to the layer of the route's family.
 */
final class IpNetworks implements Network
{
    private final Ipv4Layer ipv4;

    IpNetworks(final Ipv4Layer ipv4)
    {
        this.ipv4 = ipv4;
    }

    @Override
    public boolean route(final Route route, final long destinationHigh, final long destinationLow)
    {
        return IpAddress.isIpv4(destinationHigh, destinationLow) && ipv4.route(route, (int)destinationLow);
    }

    @Override
    public boolean routeReply(final Route route, final int ifIndex, final long sourceHigh, final long sourceLow,
        final long destinationHigh, final long destinationLow)
    {
        final IpInterface ifc = ipv4.interfaceAt(ifIndex);
        if (ifc == null || !IpAddress.isIpv4(destinationHigh, destinationLow))
        {
            return false;
        }
        ipv4.routeVia(route, ifc, (int)sourceLow, (int)destinationLow);
        return true;
    }

    @Override
    public void send(final PacketBuffer segment, final Route route, final int protocol, final boolean dontFragment)
    {
        ipv4.prependHeader(segment, (int)route.sourceLow(), (int)route.destinationLow(), protocol, dontFragment);
        ipv4.send(segment, route);
    }

    @Override
    public IpInterface interfaceAt(final int ifIndex)
    {
        return ipv4.interfaceAt(ifIndex);
    }

    @Override
    public NanoClock time()
    {
        return ipv4.time();
    }
}
