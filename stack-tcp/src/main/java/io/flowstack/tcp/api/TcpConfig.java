package io.flowstack.tcp.api;

/**
 * TCP tunables with their defaults. Immutable; {@code with*} methods return a changed copy.
 *
 * @param sendBuffer         bytes of each connection's send buffer (power of two).
 * @param receiveBuffer      bytes of each connection's receive buffer (power of two).
 * @param mslNs              maximum segment lifetime; TIME-WAIT lasts 2 MSL.
 * @param delayedAckNs       longest an ACK is delayed (RFC 9293 3.8.6.3: under 0.5 s; we use 200 ms at most).
 * @param synReceivedTimeoutNs how long an unfinished passive open is kept.
 * @param maxRetransmissions retransmissions of one segment before the connection fails.
 * @param maxSynRetransmissions retransmissions of a SYN before connect fails.
 * @param minRtoNs           lower bound of the retransmission timeout's variance term (RTO = SRTT + at least this,
 *                           as Linux; RFC 6298 bounds the whole RTO at 1 s; Linux uses 200 ms).
 * @param maxRtoNs           upper bound of the retransmission timeout.
 * @param nagle              Nagle's algorithm on by default (RFC 9293 3.7.4).
 * @param backlog            unfinished plus unaccepted connections per listener and core; beyond them SYNs are
 *                           answered with SYN cookies (RFC 4987 3.6).
 * @param congestionControl  the congestion control of connections that do not choose one.
 * @param maxBuffer          how far send and receive buffers of connections that do not set their sizes may
 *                           grow with the path (auto-tuning, as Linux's tcp_wmem and tcp_rmem maxima; the window
 *                           scale is chosen for it); 0 keeps every buffer at its first size.
 * @param maxReceiveBuffer   how far receive buffers may grow (Linux's tcp_rmem maximum is larger than tcp_wmem's: a
 *                           lossy long path needs the window to cover what waits beyond open holes); not below
 *                           {@code maxBuffer}, ignored when that is 0.
 * @param sack               connections offer and accept SACK (RFC 2018); off, loss recovery is NewReno's.
 * @param pacing             pace the window-based congestion controls (CUBIC, Reno) at a rate derived from cwnd
 *                           and SRTT, as Linux does with the fq qdisc; BBR paces always.
 * @param limits             what a core holds at most (connections, TIME-WAIT, buffer memory, out-of-order bytes).
 */
public record TcpConfig(
    int sendBuffer,
    int receiveBuffer,
    long mslNs,
    long delayedAckNs,
    long synReceivedTimeoutNs,
    int maxRetransmissions,
    int maxSynRetransmissions,
    long minRtoNs,
    long maxRtoNs,
    boolean nagle,
    int backlog,
    CongestionAlgorithm congestionControl,
    int maxBuffer,
    int maxReceiveBuffer,
    boolean sack,
    boolean pacing,
    TcpLimits limits)
{
    /**
     * The {@link Configuration} values (system properties, else their defaults: 256 KiB buffers growing to 4 MiB
     * with the path (receive buffers to 8 MiB), MSL 30 s (TIME-WAIT 60 s, as Linux), 40 ms delayed ACK, min RTO 200 ms, CUBIC, SACK).
     */
    public static final TcpConfig DEFAULT = new TcpConfig(
        Configuration.tcpSendBuffer(), Configuration.tcpReceiveBuffer(), Configuration.tcpMslNs(),
        Configuration.tcpDelayedAckNs(), Configuration.tcpSynReceivedTimeoutNs(), Configuration.tcpRetries(),
        Configuration.tcpSynRetries(), Configuration.tcpMinRtoNs(), Configuration.tcpMaxRtoNs(), Configuration.tcpNagle(),
        Configuration.tcpBacklog(), Configuration.tcpCongestionControl(), Configuration.tcpMaxBuffer(),
        Configuration.tcpMaxReceiveBuffer(), Configuration.tcpSack(), Configuration.tcpPacing(), TcpLimits.DEFAULT);

    /**
     * @param bytes send and receive buffer size (a power of two), fixed: no auto-tuning (as setting SO_SNDBUF and
     *              SO_RCVBUF turns Linux's off).
     * @return a copy.
     */
    public TcpConfig withBuffers(final int bytes)
    {
        return new TcpConfig(bytes, bytes, mslNs, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, backlog, congestionControl, 0, 0, sack, pacing, limits);
    }

    /**
     * @param bytes send and receive buffer size connections start with (a power of two), still auto-tuned up to
     *              {@link #maxBuffer()} (as the middle values of Linux's tcp_rmem and tcp_wmem).
     * @return a copy.
     */
    public TcpConfig withInitialBuffers(final int bytes)
    {
        return new TcpConfig(bytes, bytes, mslNs, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, backlog, congestionControl, maxBuffer, maxReceiveBuffer, sack, pacing,
            limits);
    }

    /**
     * @param bytes the largest size auto-tuned buffers reach, send and receive (a power of two), 0 for none.
     * @return a copy.
     */
    public TcpConfig withMaxBuffer(final int bytes)
    {
        return new TcpConfig(sendBuffer, receiveBuffer, mslNs, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, backlog, congestionControl, bytes, bytes, sack, pacing,
            limits);
    }

    /**
     * @param bytes the largest size auto-tuned receive buffers reach (a power of two, at least {@link #maxBuffer()}).
     * @return a copy.
     */
    public TcpConfig withMaxReceiveBuffer(final int bytes)
    {
        return new TcpConfig(sendBuffer, receiveBuffer, mslNs, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, backlog, congestionControl, maxBuffer, bytes, sack, pacing,
            limits);
    }

    /**
     * @param msl maximum segment lifetime.
     * @return a copy.
     */
    public TcpConfig withMsl(final long msl)
    {
        return new TcpConfig(sendBuffer, receiveBuffer, msl, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, backlog, congestionControl, maxBuffer, maxReceiveBuffer, sack, pacing, limits);
    }

    /**
     * @param algorithm the congestion control of connections that do not choose one.
     * @return a copy.
     */
    public TcpConfig withCongestionControl(final CongestionAlgorithm algorithm)
    {
        return new TcpConfig(sendBuffer, receiveBuffer, mslNs, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, backlog, algorithm, maxBuffer, maxReceiveBuffer, sack, pacing, limits);
    }

    /**
     * @param enabled whether connections offer and accept SACK (RFC 2018), as Linux's net.ipv4.tcp_sack.
     * @return a copy with SACK on or off.
     */
    public TcpConfig withSack(final boolean enabled)
    {
        return new TcpConfig(sendBuffer, receiveBuffer, mslNs, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, backlog, congestionControl, maxBuffer, maxReceiveBuffer, enabled, pacing, limits);
    }

    /**
     * @param on pace CUBIC and Reno connections that do not choose (BBR paces always).
     * @return a copy.
     */
    public TcpConfig withPacing(final boolean on)
    {
        return new TcpConfig(sendBuffer, receiveBuffer, mslNs, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, backlog, congestionControl, maxBuffer, maxReceiveBuffer, sack, on, limits);
    }

    /**
     * @param connections unfinished plus unaccepted connections per listener and core; beyond them SYNs are
     *                    answered with SYN cookies.
     * @return a copy.
     */
    public TcpConfig withBacklog(final int connections)
    {
        return new TcpConfig(sendBuffer, receiveBuffer, mslNs, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, connections, congestionControl, maxBuffer, maxReceiveBuffer, sack, pacing, limits);
    }

    /**
     * @param bounds what a core holds at most.
     * @return a copy.
     */
    public TcpConfig withLimits(final TcpLimits bounds)
    {
        return new TcpConfig(sendBuffer, receiveBuffer, mslNs, delayedAckNs, synReceivedTimeoutNs, maxRetransmissions,
            maxSynRetransmissions, minRtoNs, maxRtoNs, nagle, backlog, congestionControl, maxBuffer, maxReceiveBuffer, sack, pacing, bounds);
    }
}
