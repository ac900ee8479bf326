package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpAcceptor;

/**
 * A passive open on one core (every core holds its own copy of a listener): the address and port, who takes the
 * connections, the options they inherit, and how many half-open connections it has (the backlog bound).
 */
final class Listener
{
    /** The address listened on (two longs, {@link io.flowstack.ip.addr.IpAddress}); {@code ::} for any. */
    final long localHigh;
    final long localLow;
    final int localPort;
    final TcpAcceptor acceptor;
    final ConnectionOptions options;
    int halfOpen;

    Listener(final long localHigh, final long localLow, final int localPort, final TcpAcceptor acceptor,
        final ConnectionOptions options)
    {
        this.localHigh = localHigh;
        this.localLow = localLow;
        this.localPort = localPort;
        this.acceptor = acceptor;
        this.options = options;
    }

    /** @return true if a segment to this address is for this listener (any address, or the one bound). */
    boolean accepts(final long high, final long low)
    {
        return (localHigh == 0 && localLow == 0) || (localHigh == high && localLow == low);
    }
}
