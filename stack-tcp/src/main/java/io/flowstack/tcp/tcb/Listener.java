package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpAcceptor;

/**
 * A passive open on one core (every core holds its own copy of a listener): the address and port, who takes the
 * connections, the options they inherit, and how many half-open connections it has (the backlog bound).
 */
final class Listener
{
    final int localAddress;
    final int localPort;
    final TcpAcceptor acceptor;
    final ConnectionOptions options;
    int halfOpen;

    Listener(final int localAddress, final int localPort, final TcpAcceptor acceptor, final ConnectionOptions options)
    {
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.acceptor = acceptor;
        this.options = options;
    }
}
