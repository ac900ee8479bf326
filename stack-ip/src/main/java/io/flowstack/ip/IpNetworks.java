package io.flowstack.ip;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.ipv4.Ipv4Layer;
import io.flowstack.ip.ipv6.Ipv6Layer;
import io.flowstack.ip.net.Network;
import io.flowstack.ip.net.Route;
import org.agrona.concurrent.NanoClock;

/**
 * The {@link Network} transports send through: each call goes to the layer of the route's family.
 */
final class IpNetworks implements Network
{
    private final Ipv4Layer ipv4;
    private final Ipv6Layer ipv6;

    IpNetworks(final Ipv4Layer ipv4, final Ipv6Layer ipv6)
    {
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
    }

    @Override
    public boolean route(final Route route, final long destinationHigh, final long destinationLow)
    {
        return IpAddress.isIpv4(destinationHigh, destinationLow) ? ipv4.route(route, (int)destinationLow)
            : ipv6.route(route, destinationHigh, destinationLow);
    }

    @Override
    public boolean routeReply(final Route route, final int ifIndex, final long sourceHigh, final long sourceLow,
        final long destinationHigh, final long destinationLow)
    {
        final IpInterface ifc = ipv4.interfaceAt(ifIndex);
        if (ifc == null)
        {
            return false;
        }
        if (IpAddress.isIpv4(destinationHigh, destinationLow))
        {
            ipv4.routeVia(route, ifc, (int)sourceLow, (int)destinationLow);
        }
        else
        {
            ipv6.routeVia(route, ifc, sourceHigh, sourceLow, destinationHigh, destinationLow);
        }
        return true;
    }

    @Override
    public void send(final PacketBuffer segment, final Route route, final int protocol, final boolean dontFragment)
    {
        if (route.ipv4())
        {
            ipv4.prependHeader(segment, (int)route.sourceLow(), (int)route.destinationLow(), protocol, dontFragment);
            ipv4.send(segment, route);
        }
        else
        {
            ipv6.prependHeader(segment, route, protocol, Ipv6Layer.DEFAULT_HOP_LIMIT);
            ipv6.send(segment, route);
        }
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
