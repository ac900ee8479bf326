/**
 * flowstack's IP layers: interfaces and their addresses, UDP endpoints and the wire formats (flyweights and value
 * forms of Ethernet, ARP, IPv4, IPv6, ICMP, UDP and TCP headers) and the address of either family ({@code IpAddress}).
 * The layers themselves (the link layer, ARP and Neighbor Discovery, IPv4, IPv6, ICMP and ICMPv6, the per-core IP
 * stack and its classifier) are internal: only stack-tcp, which assembles them, reads them.
 */
module io.flowstack.ip
{
    requires transitive io.flowstack.core;

    exports io.flowstack.ip.addr;
    exports io.flowstack.ip.iface;
    exports io.flowstack.ip.udp;
    exports io.flowstack.ip.wire;

    exports io.flowstack.ip to io.flowstack.tcp;
    exports io.flowstack.ip.arp to io.flowstack.tcp;
    exports io.flowstack.ip.flow to io.flowstack.tcp;
    exports io.flowstack.ip.icmp to io.flowstack.tcp;
    exports io.flowstack.ip.icmp6 to io.flowstack.tcp;
    exports io.flowstack.ip.ipv4 to io.flowstack.tcp;
    exports io.flowstack.ip.ipv6 to io.flowstack.tcp;
    exports io.flowstack.ip.link to io.flowstack.tcp;
    exports io.flowstack.ip.ndp to io.flowstack.tcp;
    exports io.flowstack.ip.net to io.flowstack.tcp;
}
