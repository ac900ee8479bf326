package io.flowstack.tcp.tcb;

import io.flowstack.ip.wire.TcpFlyweight;

/**
 * Control bits (RFC 9293 3.1), named as the RFC does.
 */
final class TcpFlags
{
    static final int FIN = TcpFlyweight.FIN;
    static final int SYN = TcpFlyweight.SYN;
    static final int RST = TcpFlyweight.RST;
    static final int PSH = TcpFlyweight.PSH;
    static final int ACK = TcpFlyweight.ACK;

    private TcpFlags()
    {
    }
}
