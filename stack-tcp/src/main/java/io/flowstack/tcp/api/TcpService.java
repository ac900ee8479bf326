package io.flowstack.tcp.api;

import io.flowstack.ip.addr.IpAddress;

/**
 * TCP on one core as an application sees it: passive and active opens. Call it on the core's thread (from a
 * setup, a callback or a submitted command).
 */
public interface TcpService
{
    /**
     * Passive open on this core (RFC 9293 3.10.1 OPEN, passive). Every core holds its own listener.
     *
     * @param localAddress address to accept on, 0 for any of this host's.
     * @param localPort    port, 1..65535.
     * @param acceptor     gives each accepted connection its handler.
     * @param options      options every accepted connection inherits.
     * @throws IllegalArgumentException for a port out of range.
     * @throws IllegalStateException    if the port already listens on this core.
     */
    void listen(int localAddress, int localPort, TcpAcceptor acceptor, ConnectionOptions options);

    /**
     * Passive open with the default options.
     *
     * @param localAddress address to accept on, 0 for any of this host's.
     * @param localPort    port, 1..65535.
     * @param acceptor     gives each accepted connection its handler.
     */
    default void listen(final int localAddress, final int localPort, final TcpAcceptor acceptor)
    {
        listen(localAddress, localPort, acceptor, ConnectionOptions.DEFAULT);
    }

    /**
     * Stops listening on a port of this core; established connections stay.
     *
     * @param localPort the port.
     * @return true if it was listening.
     */
    boolean unlisten(int localPort);

    /**
     * Active open from this core, on a local port whose replies hash back here (RFC 9293 3.10.1 OPEN, active).
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       the connection's callbacks.
     * @param options       the connection's options.
     * @return the connection, in SYN-SENT.
     * @throws IllegalStateException if there is no route or no free port.
     */
    TcpConnection connect(int remoteAddress, int remotePort, TcpHandler handler, ConnectionOptions options);

    /**
     * Active open with the default options.
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       the connection's callbacks.
     * @return the connection, in SYN-SENT.
     */
    default TcpConnection connect(final int remoteAddress, final int remotePort, final TcpHandler handler)
    {
        return connect(remoteAddress, remotePort, handler, ConnectionOptions.DEFAULT);
    }

    /**
     * @return connections this core holds (every state but CLOSED).
     */
    /**
     * Opens a connection to an address of either family (IPv6 or IPv4); as {@link #connect(int, int, TcpHandler,
     * ConnectionOptions)} otherwise.
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       receives the connection's events on this core.
     * @param options       per-connection options.
     * @return the connection (SYN-SENT).
     */
    TcpConnection connect(IpAddress remoteAddress, int remotePort, TcpHandler handler, ConnectionOptions options);

    int connectionCount();
}
