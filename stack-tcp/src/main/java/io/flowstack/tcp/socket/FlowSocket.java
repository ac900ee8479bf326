package io.flowstack.tcp.socket;

import io.flowstack.core.engine.CoreEngine;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.Configuration;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.TcpInfo;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP connection used from any thread with blocking streams, like {@link java.net.Socket}. The connection
 * itself lives on its owning core; bytes cross between that core and the application through two lock-free
 * single-producer rings, and requests (push these bytes, pull more, close) go to the core as commands. The
 * core never blocks and never takes a lock; the application thread parks while it waits.
 * <p>
 * One thread may read and one other thread may write at a time (as with a socket's two streams).
 */
public final class FlowSocket implements AutoCloseable
{
    /** Bytes buffered each way between the core and the application ({@link Configuration#SOCKET_RING_PROP_NAME}). */
    public static final int RING_BYTES = Configuration.socketRing();

    private final CoreContext core;
    /** The core's engine: commands go straight to its queue, preallocated, without the context's wrapper. */
    private final CoreEngine engine;
    final ByteRing rx = new ByteRing(RING_BYTES);
    final ByteRing tx = new ByteRing(RING_BYTES);
    private final SocketBridge bridge = new SocketBridge(this);
    private final AtomicBoolean pushScheduled = new AtomicBoolean();
    private final AtomicBoolean pullScheduled = new AtomicBoolean();
    private final Runnable push = this::onPush;
    private final Runnable pull = this::onPull;
    /**
     * The FIN goes once the bytes written before it are in the connection: the command drains what it can itself,
     * since a push queued before it may already have run and no onWritable may follow (a send buffer with room
     * never calls back).
     */
    private final Runnable shutdown = this::onShutdown;
    final AtomicInteger state = new AtomicInteger(CONNECTING);
    volatile int closeReason = -1;
    volatile boolean eof;
    private volatile boolean shutdownOutput;
    volatile Thread waitingReader;
    volatile Thread waitingWriter;
    volatile Thread waitingConnector;
    private volatile long readTimeoutNs;
    volatile TcpConnection connection;

    static final int CONNECTING = 0;
    static final int OPEN = 1;
    static final int CLOSED = 2;

    private FlowSocket(final FlowStack stack, final CoreContext core)
    {
        this.core = core;
        this.engine = stack.engine(core.coreId());
    }

    /**
     * Opens a connection from the given core (its local port is chosen so the replies come back there).
     *
     * @param stack   the running stack.
     * @param core    the core to connect from.
     * @param address peer address (IPv4).
     * @param port    peer port.
     * @param timeout how long to wait for the handshake.
     * @return the connected socket.
     * @throws ConnectException       refused, or no route.
     * @throws SocketTimeoutException the handshake took too long.
     * @throws IOException            other failures.
     */
    public static FlowSocket connect(final FlowStack stack, final int core, final int address, final int port,
        final Duration timeout) throws IOException
    {
        return connect(stack, core, IpAddress.ofIpv4(address), port, timeout, ConnectionOptions.DEFAULT);
    }

    /**
     * Opens a connection to a peer of either family from the given core.
     *
     * @param stack   the running stack.
     * @param core    the core to connect from.
     * @param address peer address, IPv6 or IPv4.
     * @param port    peer port.
     * @param timeout how long to wait for the handshake.
     * @return the connected socket.
     * @throws ConnectException       refused, or no route.
     * @throws SocketTimeoutException the handshake took too long.
     * @throws IOException            other failures.
     */
    public static FlowSocket connect(final FlowStack stack, final int core, final InetAddress address, final int port,
        final Duration timeout) throws IOException
    {
        return connect(stack, core, IpAddress.of(address), port, timeout, ConnectionOptions.DEFAULT);
    }

    /**
     * Opens a connection to a peer of either family from the given core.
     *
     * @param stack   the running stack.
     * @param core    the core to connect from.
     * @param address peer address, IPv6 or IPv4.
     * @param port    peer port.
     * @param timeout how long to wait for the handshake.
     * @return the connected socket.
     * @throws ConnectException       refused, or no route.
     * @throws SocketTimeoutException the handshake took too long.
     * @throws IOException            other failures.
     */
    public static FlowSocket connect(final FlowStack stack, final int core, final IpAddress address, final int port,
        final Duration timeout) throws IOException
    {
        return connect(stack, core, address, port, timeout, ConnectionOptions.DEFAULT);
    }

    /**
     * Opens a connection with options that must be set before the handshake (MSS, buffer sizes: the window scale
     * follows the receive buffer) or that apply from the start (no-delay, keep-alive, linger 0).
     *
     * @param stack   the running stack.
     * @param core    the core to connect from.
     * @param address peer address (IPv4).
     * @param port    peer port.
     * @param timeout how long to wait for the handshake.
     * @param options the connection's options.
     * @return the connected socket.
     * @throws ConnectException       refused, or no route.
     * @throws SocketTimeoutException the handshake took too long.
     * @throws IOException            other failures.
     */
    public static FlowSocket connect(final FlowStack stack, final int core, final int address, final int port,
        final Duration timeout, final ConnectionOptions options) throws IOException
    {
        return connect(stack, core, IpAddress.ofIpv4(address), port, timeout, options);
    }

    /**
     * As {@link #connect(FlowStack, int, IpAddress, int, Duration, ConnectionOptions)}, with a Java address.
     *
     * @param stack   the running stack.
     * @param core    the core to connect from.
     * @param address peer address, IPv6 or IPv4.
     * @param port    peer port.
     * @param timeout how long to wait for the handshake.
     * @param options the connection's options.
     * @return the connected socket.
     * @throws ConnectException       refused, or no route.
     * @throws SocketTimeoutException the handshake took too long.
     * @throws IOException            other failures.
     */
    public static FlowSocket connect(final FlowStack stack, final int core, final InetAddress address, final int port,
        final Duration timeout, final ConnectionOptions options) throws IOException
    {
        return connect(stack, core, IpAddress.of(address), port, timeout, options);
    }

    /**
     * Opens a connection to a peer of either family with options that must be set before the handshake (MSS,
     * buffer sizes: the window scale follows the receive buffer) or that apply from the start (no-delay,
     * keep-alive, linger 0).
     *
     * @param stack   the running stack.
     * @param core    the core to connect from.
     * @param address peer address, IPv6 or IPv4.
     * @param port    peer port.
     * @param timeout how long to wait for the handshake.
     * @param options the connection's options.
     * @return the connected socket.
     * @throws ConnectException       refused, or no route.
     * @throws SocketTimeoutException the handshake took too long.
     * @throws IOException            other failures.
     */
    public static FlowSocket connect(final FlowStack stack, final int core, final IpAddress address, final int port,
        final Duration timeout, final ConnectionOptions options) throws IOException
    {
        final FlowSocket socket = new FlowSocket(stack, stack.core(core));
        if (stack.engine(core).runsOn(Thread.currentThread()))
        {
            throw new IllegalStateException("FlowSocket.connect blocks until the handshake ends, which core " + core
                + " runs: it cannot be called on that core's own thread (use CoreContext.connect there)");
        }
        socket.waitingConnector = Thread.currentThread();
        final IOException[] failure = new IOException[1];
        if (!socket.engine.submit(() ->
        {
            try
            {
                socket.connection = socket.core.connect(address, port, socket.bridge, options);
            }
            catch (final IOException e)
            {
                failure[0] = e;
                socket.closeReason = TcpHandler.REFUSED;
                socket.state.set(CLOSED);
                LockSupport.unpark(socket.waitingConnector);
            }
        }))
        {
            throw new IOException("core " + core + " is not accepting commands");
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (socket.state.get() == CONNECTING)
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                socket.abortQuietly();
                throw new SocketTimeoutException("connect timed out after " + timeout.toMillis() + " ms");
            }
            LockSupport.parkNanos(socket, left);
            if (Thread.interrupted())
            {
                socket.abortQuietly();
                throw new InterruptedIOException("interrupted while connecting");
            }
        }
        socket.waitingConnector = null;
        if (socket.state.get() == CLOSED)
        {
            throw failure[0] != null ? failure[0] : socket.closedException(true);
        }
        return socket;
    }

    /** A socket for a connection a {@link FlowServerSocket} accepted on its core. */
    static FlowSocket accepted(final FlowStack stack, final CoreContext core)
    {
        return new FlowSocket(stack, core);
    }

    TcpHandler handler()
    {
        return bridge;
    }

    /**
     * @return the peer's address and port (an IPv4 address as an {@code Inet4Address}, as a dual-stack Java
     *         socket reports it), or null before the connection exists.
     */
    public InetSocketAddress remoteSocketAddress()
    {
        final TcpConnection c = connection;
        return c == null ? null : new InetSocketAddress(c.remoteIpAddress().toInetAddress(), c.remotePort());
    }

    /**
     * TCP_NODELAY: turns Nagle's algorithm off (or on again) for this connection.
     *
     * @param on true for no delay.
     * @throws IOException if the socket is closed or the core does not answer.
     */
    public void setTcpNoDelay(final boolean on) throws IOException
    {
        onCore(c -> c.noDelay(on));
    }

    /**
     * SO_KEEPALIVE with TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT: after {@code idle} without a segment from the
     * peer, probe it every {@code interval}; after {@code count} unanswered probes the connection fails and reads
     * and writes throw {@link SocketTimeoutException} ("Connection timed out").
     *
     * @param idle     idle time before the first probe; zero turns keep-alive off.
     * @param interval time between probes.
     * @param count    unanswered probes before the connection fails.
     * @throws IOException if the socket is closed or the core does not answer.
     */
    public void setKeepAlive(final Duration idle, final Duration interval, final int count) throws IOException
    {
        onCore(c -> c.keepAlive(idle.toNanos(), interval.toNanos(), count));
    }

    /**
     * SO_LINGER with a zero timeout: {@link #close()} resets the connection instead of finishing it.
     *
     * @param on true for a reset on close.
     * @throws IOException if the socket is closed or the core does not answer.
     */
    public void setSoLingerZero(final boolean on) throws IOException
    {
        onCore(c -> c.lingerZero(on));
    }

    /**
     * A snapshot of the connection's variables, taken on its core (like Linux's TCP_INFO).
     *
     * @return the snapshot.
     * @throws IOException if the socket is closed or the core does not answer.
     */
    public TcpInfo tcpInfo() throws IOException
    {
        final TcpInfo info = new TcpInfo();
        onCore(c -> c.info(info));
        return info;
    }

    /** Runs an action on the connection on its core and waits for it (application threads only). */
    private void onCore(final Consumer<TcpConnection> action) throws IOException
    {
        final TcpConnection c = connection;
        if (c == null || state.get() == CLOSED)
        {
            throw new SocketException("Socket closed");
        }
        final CompletableFuture<Void> done = new CompletableFuture<>();
        if (!engine.submit(() ->
        {
            try
            {
                action.accept(c);
                done.complete(null);
            }
            catch (final RuntimeException e)
            {
                done.completeExceptionally(e);
            }
        }))
        {
            throw new IOException("core " + core.coreId() + " is not accepting commands");
        }
        try
        {
            done.get(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        catch (final ExecutionException e)
        {
            if (e.getCause() instanceof IllegalArgumentException iae)
            {
                throw iae;
            }
            throw new IOException(e.getCause());
        }
        catch (final TimeoutException e)
        {
            throw new IOException("core " + core.coreId() + " did not answer in 10 s");
        }
    }

    /**
     * @param timeout how long a read waits for data before {@link SocketTimeoutException}; zero waits forever.
     */
    public void setSoTimeout(final Duration timeout)
    {
        readTimeoutNs = timeout.toNanos();
    }

    /**
     * @return a stream of the bytes the peer sends; -1 after the peer closed and everything was read.
     */
    public InputStream getInputStream()
    {
        return input;
    }

    /**
     * @return a stream to the peer; writes block while the buffers are full.
     */
    public OutputStream getOutputStream()
    {
        return output;
    }

    /**
     * Sends FIN after everything written so far; reading goes on.
     */
    public void shutdownOutput()
    {
        if (!shutdownOutput)
        {
            shutdownOutput = true;
            engine.submit(shutdown);
            schedulePush();
        }
    }

    /**
     * Closes gracefully: what was written is still sent, then FIN.
     */
    @Override
    public void close()
    {
        if (state.getAndSet(CLOSED) != CLOSED)
        {
            shutdownOutput = true;
            engine.submit(() ->
            {
                bridge.shutdownRequested = true;
                bridge.closeRequested = true;
                onPush();
            });
        }
    }

    /**
     * @return true once closed by either side.
     */
    public boolean isClosed()
    {
        return state.get() == CLOSED;
    }

    private void abortQuietly()
    {
        state.set(CLOSED);
        engine.submit(() ->
        {
            if (connection != null && !connection.isClosed())
            {
                connection.abort();
            }
        });
    }

    private IOException closedException(final boolean connecting)
    {
        return switch (closeReason)
        {
            case TcpHandler.REFUSED -> new ConnectException("Connection refused");
            // The JDK's own Socket throws NoRouteToHostException (EHOSTUNREACH); the connect contract here is
            // ConnectException for every failure to open, so the message carries the kernel's wording.
            case TcpHandler.UNREACHABLE -> connecting
                ? new ConnectException("No route to host") : new SocketException("No route to host");
            case TcpHandler.RESET -> new SocketException("Connection reset");
            case TcpHandler.TIMED_OUT -> connecting
                ? new ConnectException("Connection timed out") : new SocketTimeoutException("Connection timed out");
            default -> new SocketException("Socket closed");
        };
    }

    private void schedulePush()
    {
        if (pushScheduled.compareAndSet(false, true) && !engine.submit(push))
        {
            pushScheduled.set(false);
        }
    }

    private void schedulePull()
    {
        if (pullScheduled.compareAndSet(false, true) && !engine.submit(pull))
        {
            pullScheduled.set(false);
        }
    }

    // ---- on the core's thread ----------------------------------------------------------------------------------

    private void onPush()
    {
        pushScheduled.set(false);
        bridge.drainTx(connection);
    }

    private void onShutdown()
    {
        bridge.shutdownRequested = true;
        bridge.drainTx(connection);
    }

    private void onPull()
    {
        pullScheduled.set(false);
        bridge.fillRx(connection);
    }

    // ---- application side ------------------------------------------------------------------------------------

    private final InputStream input = new InputStream()
    {
        @Override
        public int read() throws IOException
        {
            final byte[] one = new byte[1];
            final int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException
        {
            if (len == 0)
            {
                return 0;
            }
            final long timeout = readTimeoutNs;
            final long deadline = System.nanoTime() + timeout;
            while (true)
            {
                final int n = rx.read(b, off, len);
                if (n > 0)
                {
                    schedulePull();
                    return n;
                }
                if (eof)
                {
                    if (rx.available() > 0)
                    {
                        continue;
                    }
                    if (closeReason >= 0 && closeReason != TcpHandler.CLOSED_NORMALLY && closeReason != TcpHandler.ABORTED)
                    {
                        throw closedException(false);
                    }
                    return -1;
                }
                if (state.get() == CLOSED && closeReason < 0 && connection == null)
                {
                    throw new SocketException("Socket closed");
                }
                waitingReader = Thread.currentThread();
                if (rx.available() == 0 && !eof)
                {
                    if (timeout > 0)
                    {
                        final long left = deadline - System.nanoTime();
                        if (left <= 0)
                        {
                            waitingReader = null;
                            throw new SocketTimeoutException("Read timed out");
                        }
                        LockSupport.parkNanos(FlowSocket.this, left);
                    }
                    else
                    {
                        LockSupport.park(FlowSocket.this);
                    }
                }
                waitingReader = null;
                if (Thread.interrupted())
                {
                    throw new InterruptedIOException("interrupted while reading");
                }
            }
        }

        @Override
        public int available()
        {
            return rx.available();
        }

        @Override
        public void close()
        {
            FlowSocket.this.close();
        }
    };

    private final OutputStream output = new OutputStream()
    {
        @Override
        public void write(final int b) throws IOException
        {
            write(new byte[]{(byte)b}, 0, 1);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            final UnsafeBuffer src = new UnsafeBuffer(b);
            int done = 0;
            while (done < len)
            {
                if (shutdownOutput || eof && closeReason >= 0)
                {
                    throw closeReason >= 0 ? closedException(false) : new SocketException("Socket output is shut down");
                }
                final int n = tx.write(src, off + done, len - done);
                done += n;
                schedulePush();
                if (done < len)
                {
                    waitingWriter = Thread.currentThread();
                    if (tx.free() == 0)
                    {
                        LockSupport.parkNanos(FlowSocket.this, 100_000_000L);
                    }
                    waitingWriter = null;
                    if (Thread.interrupted())
                    {
                        throw new InterruptedIOException("interrupted while writing");
                    }
                }
            }
        }

        @Override
        public void close()
        {
            FlowSocket.this.close();
        }
    };
}
