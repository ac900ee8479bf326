package io.flowstack.tcp.api;

/**
 * What one core's TCP holds at most, whatever its peers send: each bound has a counter that says when it was reached
 * (named in the README's resource table). At a bound the stack drops and counts; it never throws and never holds
 * up connections that stay within it. Immutable; {@code with*} methods return a changed copy.
 *
 * @param connections             connections a core holds at most, in every state but CLOSED (half-open and
 *                                TIME-WAIT included): beyond it a SYN is dropped (as Linux drops a SYN when a
 *                                listener's queue overflows) and an active open is refused
 *                                ({@code tcp.connections.limit_drops}).
 * @param timeWait                connections a core keeps in TIME-WAIT at most: beyond it a connection closes at
 *                                once instead, as Linux's tcp_max_tw_buckets ({@code tcp.timewait.overflows}).
 * @param bufferMemory            bytes of send and receive buffers a core holds at most (rings in use and kept for
 *                                reuse; an idle connection holds none); 0 chooses a quarter of the JVM's maximum heap
 *                                divided among the cores. A segment that needs a ring beyond it is dropped, a write
 *                                takes nothing until memory is given back, a buffer does not grow
 *                                ({@code tcp.memory.refused}, {@code tcp.rx.memory_drops}).
 * @param outOfOrderPerConnection bytes one connection holds out of order at most (beyond RCV.NXT, waiting for a gap
 *                                to fill); 0 leaves the receive window as the only bound
 *                                ({@code tcp.rx.ooo_limit_drops}).
 * @param outOfOrderPerCore       bytes a core's connections hold out of order at most, together; 0 chooses half of
 *                                the buffer memory ({@code tcp.rx.ooo_limit_drops}).
 */
public record TcpLimits(
    int connections,
    int timeWait,
    long bufferMemory,
    int outOfOrderPerConnection,
    long outOfOrderPerCore)
{
    /** 65,536 connections per core, 32,768 of them in TIME-WAIT, automatic memory bounds. */
    public static final TcpLimits DEFAULT = new TcpLimits(1 << 16, 1 << 15, 0, 0, 0);

    /**
     * @param connections connections, and half of it for TIME-WAIT
     * @return a copy.
     */
    public TcpLimits withConnections(final int connections)
    {
        return new TcpLimits(connections, Math.max(1, connections / 2), bufferMemory, outOfOrderPerConnection,
            outOfOrderPerCore);
    }

    /**
     * @param connections connections in TIME-WAIT at most.
     * @return a copy.
     */
    public TcpLimits withTimeWait(final int connections)
    {
        return new TcpLimits(this.connections, connections, bufferMemory, outOfOrderPerConnection, outOfOrderPerCore);
    }

    /**
     * @param bytes buffer memory per core, 0 for automatic.
     * @return a copy.
     */
    public TcpLimits withBufferMemory(final long bytes)
    {
        return new TcpLimits(connections, timeWait, bytes, outOfOrderPerConnection, outOfOrderPerCore);
    }

    /**
     * @param perConnection out-of-order bytes per connection, 0 for the window.
     * @param perCore       out-of-order bytes per core, 0 for half the buffer memory.
     * @return a copy.
     */
    public TcpLimits withOutOfOrder(final int perConnection, final long perCore)
    {
        return new TcpLimits(connections, timeWait, bufferMemory, perConnection, perCore);
    }

    /**
     * @param cores cores sharing the heap.
     * @return these limits with the automatic ones worked out for one of {@code cores} cores.
     */
    public TcpLimits resolve(final int cores)
    {
        final long memory = bufferMemory > 0 ? bufferMemory : Runtime.getRuntime().maxMemory() / 4 / Math.max(1, cores);
        final long outOfOrder = outOfOrderPerCore > 0 ? outOfOrderPerCore : memory / 2;
        return new TcpLimits(connections, timeWait, memory, outOfOrderPerConnection, outOfOrder);
    }
}
