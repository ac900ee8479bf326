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
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A listening port whose connections are taken by {@link #accept} from any thread, like
 * {@link java.net.ServerSocket}. The listener is replicated on every core; each core hands its new connections
 * to the accepting thread through a bounded multi-producer queue, the accept queue: a full queue refuses the
 * connection with RST, counted per core in {@code tcp.accept_queue.overflows}.
 */
public final class FlowServerSocket implements AutoCloseable
{
    private final MpscArrayQueue<FlowSocket> ready;
    private volatile Thread waiting;
    private volatile boolean closed;

    private FlowServerSocket(final int backlog)
    {
        ready = new MpscArrayQueue<>(Math.max(2, backlog));
    }

    /**
     * Listens on a port on every core of a stack. Call before the stack starts, or from any thread after: the
     * listener is installed on each core by a command.
     *
     * @param stack   the stack.
     * @param port    the port.
     * @param backlog connections waiting for {@link #accept}.
     * @return the server socket.
     */
    public static FlowServerSocket listen(final FlowStack stack, final int port, final int backlog)
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
     */
    public static FlowServerSocket listen(final FlowStack stack, final int port, final int backlog,
        final ConnectionOptions options)
    {
        final FlowServerSocket server = new FlowServerSocket(backlog);
        for (int c = 0; c < stack.cores(); c++)
        {
            final CoreContext core = stack.core(c);
            core.submit(() ->
            {
                final AtomicCounter overflows = core.ip().counters().counter("tcp.accept_queue.overflows");
                core.tcp().listen(0, port, connection -> server.offer(core, overflows, connection), options);
            });
        }
        return server;
    }

    private TcpHandler offer(final CoreContext core, final AtomicCounter overflows, final TcpConnection connection)
    {
        final FlowSocket socket = FlowSocket.accepted(core);
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
     * Stops handing out connections (new ones are reset).
     */
    @Override
    public void close()
    {
        closed = true;
        final Thread t = waiting;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }
}
