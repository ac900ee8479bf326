package io.flowstack.tcp.socket;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.ConnectionOptions;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.status.AtomicCounter;
import org.jctools.queues.MpscArrayQueue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A listening port whose connections are taken by {@link #accept} from any thread, like
 * {@link java.net.ServerSocket}. The listener is replicated on every core; each core hands its new connections
 * to the accepting thread through a bounded multi-producer queue, the accept queue: a full queue refuses the
 * connection with RST, counted per core in {@code tcp.accept_queue.overflows}.
 */
public final class FlowServerSocket implements AutoCloseable
{
    /** How long {@link #listen} waits for a running core to install its listener. */
    static final Duration CORE_ANSWER = Duration.ofSeconds(10);

    private final FlowStack stack;
    private final int port;
    private final MpscArrayQueue<FlowSocket> ready;
    private volatile Thread waiting;
    private volatile boolean closed;

    private FlowServerSocket(final FlowStack stack, final int port, final int backlog)
    {
        this.stack = stack;
        this.port = port;
        ready = new MpscArrayQueue<>(Math.max(2, backlog));
    }

    /**
     * Listens on a port, on every local address of either family (IPv4 and IPv6, as a Java wildcard bind does), on
     * every core of a stack and returns once every core listens. Call it before the stack
     * starts or from any thread after (a running core installs its listener by a command, which this waits for),
     * but not from a core's own thread once the stack runs.
     *
     * @param stack   the stack.
     * @param port    the port, 1..65535.
     * @param backlog connections waiting for {@link #accept}.
     * @return the server socket.
     * @throws BindException when the port is out of range or a core already listens on it (no core listens
     *                       then).
     * @throws IOException   when a running core does not answer.
     */
    public static FlowServerSocket listen(final FlowStack stack, final int port, final int backlog) throws IOException
    {
        return listen(stack, port, backlog, ConnectionOptions.DEFAULT);
    }

    /**
     * Listens with options every accepted connection inherits (MSS, buffers, no-delay, keep-alive, linger 0).
     *
     * @param stack   the stack.
     * @param port    the port.
     * @param backlog connections waiting for {@link #accept}.
     * @param options the accepted connections' options.
     * @return the server socket.
     * @throws BindException when the port is out of range or a core already listens on it (no core listens
     *                       then).
     * @throws IOException   when a running core does not answer.
     */
    public static FlowServerSocket listen(final FlowStack stack, final int port, final int backlog,
        final ConnectionOptions options) throws IOException
    {
        if (port <= 0 || port > 65535)
        {
            throw new BindException("Invalid port " + port + ": a port to listen on is 1..65535");
        }
        final FlowServerSocket server = new FlowServerSocket(stack, port, backlog);
        final int cores = stack.cores();
        final IOException[] failures = new IOException[cores];
        final boolean[] listening = new boolean[cores];
        final CountDownLatch answered = new CountDownLatch(cores);
        for (int c = 0; c < cores; c++)
        {
            final int id = c;
            final CoreContext core = stack.core(c);
            final Runnable install = () ->
            {
                try
                {
                    final AtomicCounter overflows =
                        stack.ip(id).counters().counter(SocketCounter.ACCEPT_QUEUE_OVERFLOWS);
                    core.listen(0, port, connection -> server.offer(core, overflows, connection), options);
                    listening[id] = true;
                }
                catch (final IOException e)
                {
                    failures[id] = e;
                }
                finally
                {
                    answered.countDown();
                }
            };
            if (core.inCoreThread())
            {
                install.run();
            }
            else if (!stack.engine(id).submit(install))
            {
                failures[id] = new IOException("core " + id + " is not accepting commands (its queue is full)");
                answered.countDown();
            }
        }
        try
        {
            if (!answered.await(CORE_ANSWER.toMillis(), TimeUnit.MILLISECONDS))
            {
                server.close();
                throw new IOException("the cores did not install the listener within " + CORE_ANSWER.toSeconds()
                    + " s (is the stack running?)");
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            server.close();
            throw new InterruptedIOException("interrupted while listening");
        }
        for (final IOException failure : failures)
        {
            if (failure != null)
            {
                server.unlisten(listening);
                throw failure;
            }
        }
        return server;
    }

    /**
     * @return the port this server listens on.
     */
    public int port()
    {
        return port;
    }

    private TcpHandler offer(final CoreContext core, final AtomicCounter overflows, final TcpConnection connection)
    {
        final FlowSocket socket = FlowSocket.accepted(stack, core);
        if (closed || !ready.offer(socket))
        {
            if (!closed)
            {
                overflows.incrementOrdered();
            }
            connection.abort();
            return null;
        }
        final Thread t = waiting;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
        return socket.handler();
    }

    /**
     * Waits for a connection.
     *
     * @param timeout how long to wait; zero waits forever.
     * @return the connection.
     * @throws SocketTimeoutException when none came in time.
     * @throws IOException            when closed.
     */
    public FlowSocket accept(final Duration timeout) throws IOException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final FlowSocket s = ready.poll();
            if (s != null)
            {
                return s;
            }
            if (closed)
            {
                throw new IOException("server socket closed");
            }
            waiting = Thread.currentThread();
            if (ready.isEmpty())
            {
                if (timeout.isZero())
                {
                    LockSupport.park(this);
                }
                else
                {
                    final long left = deadline - System.nanoTime();
                    if (left <= 0)
                    {
                        waiting = null;
                        throw new SocketTimeoutException("Accept timed out");
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
            waiting = null;
            if (Thread.interrupted())
            {
                throw new InterruptedIOException("interrupted while accepting");
            }
        }
    }

    /**
     * Stops listening on every core (connections not yet accepted are reset) and wakes a waiting {@link #accept}.
     * The port is free again once each running core has run the command.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final boolean[] all = new boolean[stack.cores()];
        Arrays.fill(all, true);
        unlisten(all);
        final Thread t = waiting;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    private void unlisten(final boolean[] cores)
    {
        for (int c = 0; c < cores.length; c++)
        {
            if (!cores[c])
            {
                continue;
            }
            final CoreContext core = stack.core(c);
            if (core.inCoreThread())
            {
                core.unlisten(port);
            }
            else
            {
                core.submit(ctx -> ctx.unlisten(port));
            }
        }
    }
}
