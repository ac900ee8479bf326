package io.flowstack.tcp.api;

/**
 * Gives each accepted connection of a listener its handler (one listener per core, so one acceptor per core).
 */
@FunctionalInterface
public interface TcpAcceptor
{
    /**
     * @param connection the new connection, about to be reported established.
     * @return its handler.
     */
    TcpHandler accept(TcpConnection connection);
}
