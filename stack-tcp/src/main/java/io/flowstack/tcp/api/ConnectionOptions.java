package io.flowstack.tcp.api;

/**
 * Per-connection options, the ones a Java or BSD-socket user expects (TCP_MAXSEG, SO_SNDBUF, SO_RCVBUF,
 * TCP_NODELAY, SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT, SO_LINGER 0). Given to a connect, or to a listen
 * (every connection it accepts inherits them). Immutable; {@code with*} returns a changed copy.
 *
 * @param mss               largest segment we send and announce (TCP_MAXSEG semantics: it clamps the MSS option
 *                          of our SYN and the segments we send); 0 for the interface's MTU less the headers.
 * @param sendBuffer        bytes of the send buffer (rounded up to a power of two); 0 for the stack's default.
 * @param receiveBuffer     bytes of the receive buffer (rounded up to a power of two; the window scale follows
 *                          it); 0 for the stack's default.
 * @param noDelay           Nagle's algorithm off (RFC 9293 3.7.4); null for the stack's default.
 * @param keepAliveIdleNs   idle time before the first keep-alive probe (RFC 9293 3.8.4, RFC 1122 4.2.3.6);
 *                          0 turns keep-alive off (the default).
 * @param keepAliveIntervalNs time between unanswered probes.
 * @param keepAliveCount    unanswered probes after which the peer counts as dead (reported as a timeout).
 * @param lingerZero        close() resets the connection at once instead of finishing it (SO_LINGER with 0).
 * @param congestionControl the connection's congestion control; null for the stack's default.
 * @param pacing            pace a window-based congestion control (CUBIC, Reno) from cwnd and SRTT, as Linux's fq
 *                          does; null for the stack's default; BBR paces always.
 */
public record ConnectionOptions(
    int mss,
    int sendBuffer,
    int receiveBuffer,
    Boolean noDelay,
    long keepAliveIdleNs,
    long keepAliveIntervalNs,
    int keepAliveCount,
    boolean lingerZero,
    CongestionAlgorithm congestionControl,
    Boolean pacing)
{
    /** Everything from the stack's configuration; keep-alive off. */
    public static final ConnectionOptions DEFAULT =
        new ConnectionOptions(0, 0, 0, null, 0, 75_000_000_000L, 9, false, null, null);

    /** Largest MSS value accepted (the option is 16 bits). */
    public static final int MAX_MSS = 65_535;
    /** Smallest MSS value accepted (Linux's TCP_MIN_MSS is 88; 64 keeps a header and some data). */
    public static final int MIN_MSS = 64;
    /** Largest buffer accepted: the window scale (RFC 7323 2.3) reaches 2^30. */
    public static final int MAX_BUFFER = 1 << 30;

    /**
     * Checks the values.
     *
     * @param mss               largest segment we send and announce (TCP_MAXSEG semantics: it clamps the MSS option
     *                          of our SYN and the segments we send); 0 for the interface's MTU less the headers.
     * @param sendBuffer        bytes of the send buffer (rounded up to a power of two); 0 for the stack's default.
     * @param receiveBuffer     bytes of the receive buffer (rounded up to a power of two; the window scale follows
     *                          it); 0 for the stack's default.
     * @param noDelay           Nagle's algorithm off (RFC 9293 3.7.4); null for the stack's default.
     * @param keepAliveIdleNs   idle time before the first keep-alive probe (RFC 9293 3.8.4, RFC 1122 4.2.3.6);
     *                          0 turns keep-alive off (the default).
     * @param keepAliveIntervalNs time between unanswered probes.
     * @param keepAliveCount    unanswered probes after which the peer counts as dead (reported as a timeout).
     * @param lingerZero        close() resets the connection at once instead of finishing it (SO_LINGER with 0).
     * @param congestionControl the connection's congestion control; null for the stack's default.
     * @param pacing            pace a window-based congestion control (CUBIC, Reno) from cwnd and SRTT, as Linux's fq
     *                          does; null for the stack's default; BBR paces always.
     */
    public ConnectionOptions
    {
        if (mss != 0 && (mss < MIN_MSS || mss > MAX_MSS))
        {
            throw new IllegalArgumentException("MSS must be 0 or " + MIN_MSS + ".." + MAX_MSS + ", got " + mss);
        }
        if (sendBuffer < 0 || sendBuffer > MAX_BUFFER || receiveBuffer < 0 || receiveBuffer > MAX_BUFFER)
        {
            throw new IllegalArgumentException("buffers must be 0.." + MAX_BUFFER + " bytes, got " + sendBuffer + " and "
                + receiveBuffer);
        }
        if (keepAliveIdleNs < 0 || keepAliveIntervalNs <= 0 || keepAliveCount < 1)
        {
            throw new IllegalArgumentException("keep-alive needs idle >= 0, interval > 0 and count >= 1");
        }
    }

    /**
     * @param value TCP_MAXSEG, 0 for the default.
     * @return a copy.
     */
    public ConnectionOptions withMss(final int value)
    {
        return new ConnectionOptions(value, sendBuffer, receiveBuffer, noDelay, keepAliveIdleNs, keepAliveIntervalNs,
            keepAliveCount, lingerZero, congestionControl, pacing);
    }

    /**
     * @param send    SO_SNDBUF in bytes, 0 for the default.
     * @param receive SO_RCVBUF in bytes, 0 for the default.
     * @return a copy.
     */
    public ConnectionOptions withBuffers(final int send, final int receive)
    {
        return new ConnectionOptions(mss, send, receive, noDelay, keepAliveIdleNs, keepAliveIntervalNs, keepAliveCount,
            lingerZero, congestionControl, pacing);
    }

    /**
     * @param value TCP_NODELAY.
     * @return a copy.
     */
    public ConnectionOptions withNoDelay(final boolean value)
    {
        return new ConnectionOptions(mss, sendBuffer, receiveBuffer, value, keepAliveIdleNs, keepAliveIntervalNs,
            keepAliveCount, lingerZero, congestionControl, pacing);
    }

    /**
     * @param idleNs     idle time before the first probe, 0 for off.
     * @param intervalNs time between probes.
     * @param count      unanswered probes before the connection fails.
     * @return a copy.
     */
    public ConnectionOptions withKeepAlive(final long idleNs, final long intervalNs, final int count)
    {
        return new ConnectionOptions(mss, sendBuffer, receiveBuffer, noDelay, idleNs, intervalNs, count, lingerZero,
            congestionControl, pacing);
    }

    /**
     * @param value SO_LINGER with a zero timeout: close() resets.
     * @return a copy.
     */
    public ConnectionOptions withLingerZero(final boolean value)
    {
        return new ConnectionOptions(mss, sendBuffer, receiveBuffer, noDelay, keepAliveIdleNs, keepAliveIntervalNs,
            keepAliveCount, value, congestionControl, pacing);
    }

    /**
     * @param algorithm the connection's congestion control.
     * @return a copy.
     */
    public ConnectionOptions withCongestionControl(final CongestionAlgorithm algorithm)
    {
        return new ConnectionOptions(mss, sendBuffer, receiveBuffer, noDelay, keepAliveIdleNs, keepAliveIntervalNs,
            keepAliveCount, lingerZero, algorithm, pacing);
    }

    /**
     * @param on pace a window-based congestion control (BBR paces always).
     * @return a copy.
     */
    public ConnectionOptions withPacing(final boolean on)
    {
        return new ConnectionOptions(mss, sendBuffer, receiveBuffer, noDelay, keepAliveIdleNs, keepAliveIntervalNs,
            keepAliveCount, lingerZero, congestionControl, on);
    }

    /**
     * @return true when keep-alive probes are on.
     */
    public boolean keepAlive()
    {
        return keepAliveIdleNs > 0;
    }
}
