package io.flowstack.tcp.api;

import io.flowstack.ip.addr.IpAddress;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One TCP connection as its application sees it on the owning core. Every method must be called on that core's
 * thread (from a {@link TcpHandler} callback or a command submitted to the core). Nothing blocks: writes take
 * what fits in the send buffer and say how much; reads take what has arrived.
 */
public interface TcpConnection
{
    /**
     * Queues bytes to send.
     *
     * @param src    bytes.
     * @param offset first byte.
     * @param length number of bytes.
     * @return bytes taken (0 when the send buffer is full: wait for {@link TcpHandler#onWritable}); -1 if the
     *         connection can no longer send (closed for output, reset).
     */
    int write(DirectBuffer src, int offset, int length);

    /**
     * Writes bytes in place: hands {@code handler} the free room of the send buffer (in one or two pieces, as the
     * ring wraps) and queues what it says it wrote. No copy, unlike {@link #write(DirectBuffer, int, int)}.
     *
     * @param handler writes the bytes.
     * @return bytes queued (0 when the send buffer is full: wait for {@link TcpHandler#onWritable}); -1 if the
     *         connection can no longer send (closed for output, reset).
     */
    int write(WriteHandler handler);

    /**
     * @return bytes that {@link #write} would take now.
     */
    int writable();

    /**
     * Takes received bytes.
     *
     * @param dst    where to copy them.
     * @param offset first byte.
     * @param length room.
     * @return bytes copied; 0 if none are waiting (-1 once the peer closed and everything was read).
     */
    int read(MutableDirectBuffer dst, int offset, int length);

    /**
     * Takes received bytes in place: hands them to {@code handler} where they lie in the receive buffer (in one or
     * two pieces, as the ring wraps) and consumes what it says it used. No copy, unlike
     * {@link #read(MutableDirectBuffer, int, int)}; the window opens as with it.
     *
     * @param handler takes the bytes.
     * @return bytes consumed; 0 if none are waiting or the handler took none (-1 once the peer closed and everything
     *         was read).
     */
    int read(ReadHandler handler);

    /**
     * @return received bytes waiting to be read.
     */
    int readable();

    /**
     * Closes our sending side after what was written (sends FIN); reading goes on (half-close).
     */
    void shutdownOutput();

    /**
     * Closes the connection gracefully: FIN after what was written. Data that arrives later is discarded.
     */
    void close();

    /**
     * Resets the connection at once (RFC 9293 ABORT): sends RST, drops both buffers.
     */
    void abort();

    /**
     * @param noDelay true turns off Nagle's algorithm for this connection.
     */
    void noDelay(boolean noDelay);

    /**
     * Turns keep-alive probes on or off (RFC 9293 3.8.4, RFC 1122 4.2.3.6). A peer that answers none of
     * {@code count} probes is reported dead: {@link TcpHandler#onClosed} with {@link TcpHandler#TIMED_OUT}.
     *
     * @param idleNs     idle time before the first probe; 0 turns keep-alive off.
     * @param intervalNs time between unanswered probes.
     * @param count      unanswered probes before the connection fails.
     */
    void keepAlive(long idleNs, long intervalNs, int count);

    /**
     * @param lingerZero true makes {@link #close()} reset the connection (SO_LINGER with a zero timeout).
     */
    void lingerZero(boolean lingerZero);

    /**
     * Fills a snapshot of the connection's variables (round-trip times, windows, retransmissions).
     *
     * @param info the snapshot to fill.
     * @return {@code info}.
     */
    TcpInfo info(TcpInfo info);

    /**
     * @return the peer's address.
     */
    int remoteAddress();

    /**
     * @return the peer's address, IPv4 or IPv6 (allocates: not for per-segment use).
     */
    IpAddress remoteIpAddress();

    /**
     * @return our address, IPv4 or IPv6 (allocates).
     */
    IpAddress localIpAddress();

    /**
     * @return the peer's port.
     */
    int remotePort();

    /**
     * @return our address.
     */
    int localAddress();

    /**
     * @return our port.
     */
    int localPort();

    /**
     * @return the state, in RFC 9293 terms.
     */
    TcpState state();

    /**
     * @return true after {@link TcpHandler#onClosed} was called.
     */
    boolean isClosed();

    /**
     * @param attachment any object the application wants to keep with the connection.
     */
    void attach(Object attachment);

    /**
     * @return the attachment.
     */
    Object attachment();
}
