package io.flowstack.tcp.api;

/**
 * Application callbacks of one connection, on the owning core's thread. Callbacks must not block.
 */
public interface TcpHandler
{
    /** Closed after both sides closed. */
    int CLOSED_NORMALLY = 0;
    /** The peer reset the connection. */
    int RESET = 1;
    /** The peer refused the connection (RST in answer to our SYN). */
    int REFUSED = 2;
    /** Retransmissions went unanswered for too long. */
    int TIMED_OUT = 3;
    /** We aborted it. */
    int ABORTED = 4;
    /** No route to the peer: its neighbor (or the gateway) did not answer ARP while the connection opened. */
    int UNREACHABLE = 5;

    /**
     * The connection is established (accepted, or our connect succeeded).
     *
     * @param connection the connection.
     */
    void onConnected(TcpConnection connection);

    /**
     * Bytes arrived: {@link TcpConnection#read} takes them.
     *
     * @param connection the connection.
     */
    void onData(TcpConnection connection);

    /**
     * The send buffer has room again after a write that did not take everything.
     *
     * @param connection the connection.
     */
    default void onWritable(final TcpConnection connection)
    {
    }

    /**
     * The peer closed its sending side (FIN): no more data will arrive.
     *
     * @param connection the connection.
     */
    default void onPeerClosed(final TcpConnection connection)
    {
    }

    /**
     * The connection is gone; the object must not be used any more. A normal close is reported once the
     * application has read everything that arrived (unless it called {@link TcpConnection#close} itself).
     *
     * @param connection the connection.
     * @param reason     {@link #CLOSED_NORMALLY}, {@link #RESET}, {@link #REFUSED}, {@link #TIMED_OUT}, {@link #ABORTED},
     *                   {@link #UNREACHABLE}.
     */
    default void onClosed(final TcpConnection connection, final int reason)
    {
    }

    /**
     * @param reason a reason code.
     * @return its name.
     */
    static String reasonName(final int reason)
    {
        return switch (reason)
        {
            case CLOSED_NORMALLY -> "closed";
            case RESET -> "connection reset";
            case REFUSED -> "connection refused";
            case TIMED_OUT -> "timed out";
            case UNREACHABLE -> "no route to host";
            default -> "aborted";
        };
    }
}
