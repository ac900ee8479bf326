package io.flowstack.tcp;

import io.flowstack.core.engine.CoreEngine;
import io.flowstack.ip.IpStack;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.net.Route;
import io.flowstack.ip.udp.UdpEndpoint;
import io.flowstack.ip.udp.UdpHandler;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpAcceptor;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.tcb.TcpLayer;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.util.function.Consumer;

/**
 * What an application instance sees of its core: TCP listeners and connections, UDP endpoints, the core's
 * counters, and a way to hand it work from other threads.
 * <p>
 * Everything but {@link #submit}, {@link #counter} and {@link #coreId} belongs to the core's thread: call it from
 * a {@link CoreSetup} while the stack is being built, from the core's callbacks, or from a submitted task. A call
 * from any other thread throws {@link IllegalStateException} naming both threads.
 */
public final class CoreContext
{
    private final int coreId;
    private final CoreEngine engine;
    private final IpStack ip;
    private final TcpLayer tcp;
    /** Scratch for the route check of an active open (the connection routes again for itself). */
    private final Route routeCheck = new Route();

    CoreContext(final int coreId, final CoreEngine engine, final IpStack ip, final TcpLayer tcp)
    {
        this.coreId = coreId;
        this.engine = engine;
        this.ip = ip;
        this.tcp = tcp;
    }

    /**
     * @return this core's index.
     */
    public int coreId()
    {
        return coreId;
    }

    /**
     * @return true when the calling thread may use this context directly: the core's own thread (or the thread
     *         driving it by hand), or any thread while the stack is being built and no core runs yet.
     */
    public boolean inCoreThread()
    {
        return engine.isOwnerThread();
    }

    /**
     * Listens on a port of this core for connections to any of the host's addresses (RFC 9293 3.10.1, OPEN
     * passive). Each core holds its own listener; a port listened on by every core takes every connection.
     *
     * @param port     the port, 1..65535.
     * @param acceptor gives each accepted connection its handler.
     * @throws BindException when the port is out of range or already listens on this core.
     */
    public void listen(final int port, final TcpAcceptor acceptor) throws BindException
    {
        listen(0, port, acceptor, ConnectionOptions.DEFAULT);
    }

    /**
     * Listens with options every accepted connection inherits (MSS, buffers, no-delay, keep-alive, linger 0).
     *
     * @param port     the port, 1..65535.
     * @param acceptor gives each accepted connection its handler.
     * @param options  the accepted connections' options.
     * @throws BindException when the port is out of range or already listens on this core.
     */
    public void listen(final int port, final TcpAcceptor acceptor, final ConnectionOptions options)
        throws BindException
    {
        listen(0, port, acceptor, options);
    }

    /**
     * Listens with a local address and options every accepted connection inherits.
     *
     * @param localAddress the address to accept on, 0 for any of the host's.
     * @param port         the port, 1..65535.
     * @param acceptor     gives each accepted connection its handler.
     * @param options      the accepted connections' options.
     * @throws BindException when the port is out of range or already listens on this core.
     */
    public void listen(final int localAddress, final int port, final TcpAcceptor acceptor,
        final ConnectionOptions options) throws BindException
    {
        engine.checkThread();
        checkPort(port);
        try
        {
            tcp().listen(localAddress, port, acceptor, options);
        }
        catch (final IllegalStateException e)
        {
            throw new BindException("Address already in use: TCP port " + port + " listens on core " + coreId);
        }
    }

    /**
     * Stops listening on a port of this core; established connections stay.
     *
     * @param port the port.
     * @return true if it was listening.
     */
    public boolean unlisten(final int port)
    {
        engine.checkThread();
        return tcp().unlisten(port);
    }

    /**
     * Opens a connection from this core (RFC 9293 3.10.1, OPEN active), on a local port whose replies hash back
     * here. Failures after the call (refused, unreachable, timed out) arrive as {@link TcpHandler#onClosed}.
     *
     * @param remoteAddress the peer.
     * @param remotePort    the peer's port.
     * @param handler       the connection's callbacks.
     * @return the connection, in SYN-SENT.
     * @throws ConnectException when no interface routes to the peer.
     * @throws BindException    when no local port is left for this core towards the peer.
     */
    public TcpConnection connect(final int remoteAddress, final int remotePort, final TcpHandler handler)
        throws ConnectException, BindException
    {
        return connect(remoteAddress, remotePort, handler, ConnectionOptions.DEFAULT);
    }

    /**
     * Opens a connection with options.
     *
     * @param remoteAddress the peer (IPv4).
     * @param remotePort    the peer's port, 1..65535.
     * @param handler       the connection's callbacks.
     * @param options       the connection's options.
     * @return the connection, in SYN-SENT.
     * @throws ConnectException when no interface routes to the peer, or the port is out of range.
     * @throws BindException    when no local port is left for this core towards the peer.
     */
    public TcpConnection connect(final int remoteAddress, final int remotePort, final TcpHandler handler,
        final ConnectionOptions options) throws ConnectException, BindException
    {
        return connect(IpAddress.ofIpv4(remoteAddress), remotePort, handler, options);
    }

    /**
     * Opens a connection to a peer of either family.
     *
     * @param remoteAddress the peer, IPv6 or IPv4 ({@link IpAddress#parse}).
     * @param remotePort    the peer's port, 1..65535.
     * @param handler       the connection's callbacks.
     * @return the connection, in SYN-SENT.
     * @throws ConnectException when no interface routes to the peer, or the port is out of range.
     * @throws BindException    when no local port is left for this core towards the peer.
     */
    public TcpConnection connect(final IpAddress remoteAddress, final int remotePort, final TcpHandler handler)
        throws ConnectException, BindException
    {
        return connect(remoteAddress, remotePort, handler, ConnectionOptions.DEFAULT);
    }

    /**
     * Opens a connection to a peer of either family.
     *
     * @param remoteAddress the peer, IPv6 or IPv4.
     * @param remotePort    the peer's port, 1..65535.
     * @param handler       the connection's callbacks.
     * @return the connection, in SYN-SENT.
     * @throws ConnectException when no interface routes to the peer, or the port is out of range.
     * @throws BindException    when no local port is left for this core towards the peer.
     */
    public TcpConnection connect(final InetAddress remoteAddress, final int remotePort, final TcpHandler handler)
        throws ConnectException, BindException
    {
        return connect(IpAddress.of(remoteAddress), remotePort, handler, ConnectionOptions.DEFAULT);
    }

    /**
     * Opens a connection to a peer of either family, with options.
     *
     * @param remoteAddress the peer, IPv6 or IPv4 ({@link IpAddress#ofIpv4}, {@link IpAddress#parse}).
     * @param remotePort    the peer's port, 1..65535.
     * @param handler       the connection's callbacks.
     * @param options       the connection's options.
     * @return the connection, in SYN-SENT.
     * @throws ConnectException when no interface routes to the peer, or the port is out of range.
     * @throws BindException    when no local port is left for this core towards the peer.
     */
    public TcpConnection connect(final IpAddress remoteAddress, final int remotePort, final TcpHandler handler,
        final ConnectionOptions options) throws ConnectException, BindException
    {
        engine.checkThread();
        if (remotePort <= 0 || remotePort > 65535)
        {
            throw new ConnectException("Invalid port " + remotePort + ": a peer's port is 1..65535");
        }
        final TcpLayer t = tcp();
        if (!ip.network().route(routeCheck, remoteAddress.high(), remoteAddress.low()))
        {
            throw new ConnectException("Network is unreachable: no interface routes to " + remoteAddress);
        }
        try
        {
            return t.connect(remoteAddress, remotePort, handler, options);
        }
        catch (final IllegalStateException e)
        {
            throw new BindException("Cannot assign requested address: " + e.getMessage());
        }
    }

    /**
     * @return TCP connections this core holds (every state but CLOSED).
     */
    public int connectionCount()
    {
        engine.checkThread();
        return tcp == null ? 0 : tcp.connectionCount();
    }

    /**
     * Visits this core's TCP connections (every state but CLOSED), for tools that list them as {@code ss} does:
     * {@link TcpConnection#info} gives state, windows, RTT and retransmissions.
     *
     * @param visitor called for each; it must not open or close connections.
     */
    public void forEachConnection(final Consumer<TcpConnection> visitor)
    {
        engine.checkThread();
        if (tcp != null)
        {
            tcp.forEachConnection(visitor);
        }
    }

    /**
     * Binds a UDP port of this core, for datagrams to any of the host's addresses.
     *
     * @param port    the port, 1..65535.
     * @param handler receives the datagrams this core owns.
     * @return the endpoint (sends from that port).
     * @throws BindException when the port is out of range or already bound on this core.
     */
    public UdpEndpoint bindUdp(final int port, final UdpHandler handler) throws BindException
    {
        return bindUdp(0, port, handler);
    }

    /**
     * Binds a UDP port of this core on one address.
     *
     * @param localAddress the address, 0 for any of the host's.
     * @param port         the port, 1..65535.
     * @param handler      receives the datagrams this core owns.
     * @return the endpoint.
     * @throws BindException when the port is out of range or already bound on this core.
     */
    public UdpEndpoint bindUdp(final int localAddress, final int port, final UdpHandler handler) throws BindException
    {
        engine.checkThread();
        checkPort(port);
        try
        {
            return ip.udp().bind(localAddress, port, handler);
        }
        catch (final IllegalStateException e)
        {
            throw new BindException("Address already in use: UDP port " + port + " is bound on core " + coreId);
        }
    }

    /**
     * Opens a UDP endpoint for one peer on a local port whose replies come back to this core.
     *
     * @param remoteAddress the peer (IPv4).
     * @param remotePort    the peer's port.
     * @param handler       receives the replies.
     * @return the endpoint.
     * @throws ConnectException when no interface routes to the peer.
     * @throws BindException    when no local port is left for this core towards the peer.
     */
    public UdpEndpoint openUdp(final int remoteAddress, final int remotePort, final UdpHandler handler)
        throws ConnectException, BindException
    {
        return openUdp(IpAddress.ofIpv4(remoteAddress), remotePort, handler);
    }

    /**
     * Opens a UDP endpoint for one peer of either family on a local port whose replies come back to this core.
     *
     * @param remoteAddress the peer, IPv6 or IPv4.
     * @param remotePort    the peer's port.
     * @param handler       receives the replies.
     * @return the endpoint.
     * @throws ConnectException when no interface routes to the peer.
     * @throws BindException    when no local port is left for this core towards the peer.
     */
    public UdpEndpoint openUdp(final IpAddress remoteAddress, final int remotePort, final UdpHandler handler)
        throws ConnectException, BindException
    {
        engine.checkThread();
        if (!ip.network().route(routeCheck, remoteAddress.high(), remoteAddress.low()))
        {
            throw new ConnectException("Network is unreachable: no interface routes to " + remoteAddress);
        }
        try
        {
            return ip.udp().open(remoteAddress, remotePort, handler);
        }
        catch (final IllegalStateException e)
        {
            throw new BindException("Cannot assign requested address: " + e.getMessage());
        }
    }

    /**
     * Runs a task on the core's thread, where it may use this context: {@code core.submit(c -> c.connect(peer, 80,
     * handler))}. Safe from any thread.
     *
     * @param task the work; an exception it throws is counted ({@code engine.command_failures}) and reported in
     *             one line (see {@link FlowStack.Builder#taskFailures}), and the core carries on.
     * @return false if the core's queue is full (try again later).
     */
    public boolean submit(final CoreTask task)
    {
        return engine.submit(() ->
        {
            try
            {
                task.run(this);
            }
            catch (final Exception e)
            {
                engine.commandFailed(e);
            }
        });
    }

    /**
     * Reads one of the core's counters (such as {@code tcp.retransmits} or {@code rx.drops}). Safe from any
     * thread.
     *
     * @param name the counter's name.
     * @return its value, -1 for a counter this core does not have (a misspelt name shows as such).
     */
    public long counter(final String name)
    {
        return ip.counters().get(name);
    }

    private TcpLayer tcp()
    {
        if (tcp == null)
        {
            throw new IllegalStateException("core " + coreId + " does not run TCP (see FlowStack.Builder.protocols)");
        }
        return tcp;
    }

    private static void checkPort(final int port) throws BindException
    {
        if (port <= 0 || port > 65535)
        {
            throw new BindException("Invalid port " + port + ": a port to listen on is 1..65535");
        }
    }
}
