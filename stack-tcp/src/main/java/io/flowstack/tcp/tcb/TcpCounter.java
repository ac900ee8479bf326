package io.flowstack.tcp.tcb;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of TCP (RFC 9293) on one core: totals, but for the two gauges of memory held.
 */
public enum TcpCounter implements CounterDescriptor
{
    /** Segments received. */
    RX_SEGMENTS("tcp.rx.segments", "segments"),
    /** Segments with a malformed header. */
    RX_BAD_HEADER("tcp.rx.bad_header", "segments"),
    /** Segments with a bad checksum. */
    RX_BAD_CHECKSUM("tcp.rx.bad_checksum", "segments"),
    /** Segments with malformed options. */
    RX_BAD_OPTIONS("tcp.rx.bad_options", "segments"),
    /** Segments with an impossible flag combination. */
    RX_BAD_FLAGS("tcp.rx.bad_flags", "segments"),
    /** Segments in SYN-SENT whose ACK does not acknowledge our SYN (RFC 9293 3.10.7.3). */
    RX_BAD_ACK("tcp.rx.bad_ack", "segments"),
    /** Segments outside the receive window (RFC 9293 3.10.7.4). */
    RX_OUT_OF_WINDOW("tcp.rx.out_of_window", "segments"),
    /** Segments rejected by PAWS (RFC 7323 5). */
    RX_PAWS_REJECTED("tcp.rx.paws_rejected", "segments"),
    /** Segments for no connection or listener. */
    RX_NO_CONNECTION("tcp.rx.no_connection", "segments"),
    /** Duplicate acknowledgments received. */
    RX_DUP_ACKS("tcp.rx.dup_acks", "segments"),
    /** SYNs dropped because a listener's backlog was full. */
    RX_BACKLOG_DROPS("tcp.rx.backlog_drops", "segments"),
    /** Segments dropped because their text needed buffer memory beyond the core's bound. */
    RX_MEMORY_DROPS("tcp.rx.memory_drops", "segments"),
    /** Segments dropped because they would pass a bound on bytes held out of order (the connection's or the core's). */
    RX_OOO_LIMIT_DROPS("tcp.rx.ooo_limit_drops", "segments"),
    /** Segments sent. */
    TX_SEGMENTS("tcp.tx.segments", "segments"),
    /** Resets sent. */
    TX_RESETS("tcp.tx.resets", "segments"),
    /** Resets not sent because of the rate limit. */
    TX_RESETS_LIMITED("tcp.tx.resets_limited", "segments"),
    /** Challenge ACKs sent (RFC 5961). */
    TX_CHALLENGE_ACKS("tcp.tx.challenge_acks", "segments"),
    /** Challenge ACKs not sent because of the rate limit (RFC 5961 7). */
    TX_CHALLENGE_ACKS_LIMITED("tcp.tx.challenge_acks_limited", "segments"),
    /** Segments that could not be sent. */
    TX_DROPS("tcp.tx.drops", "segments"),
    /** Zero-window probes sent. */
    TX_WINDOW_PROBES("tcp.tx.window_probes", "segments"),
    /** Keep-alive probes sent. */
    TX_KEEPALIVE_PROBES("tcp.tx.keepalive_probes", "segments"),
    /** Tail loss probes sent (RFC 8985 7). */
    TX_TAIL_LOSS_PROBES("tcp.tx.tail_loss_probes", "segments"),
    /** Segments retransmitted. */
    RETRANSMITS("tcp.retransmits", "segments"),
    /** Fast retransmits (entries into loss recovery). */
    FAST_RETRANSMITS("tcp.fast_retransmits", "events"),
    /** Retransmission timeouts. */
    TIMEOUTS("tcp.timeouts", "events"),
    /** Congestion window reductions undone as spurious. */
    UNDOS("tcp.undos", "events"),
    /** Connections opened (active and passive). */
    CONNECTIONS("tcp.connections", "connections"),
    /** Connections that reached ESTABLISHED. */
    ESTABLISHED("tcp.established", "connections"),
    /** SYN-ACKs sent with a SYN cookie (RFC 4987 3.6). */
    SYNCOOKIES_SENT("tcp.syncookies.sent", "segments"),
    /** ACKs that carried a valid cookie. */
    SYNCOOKIES_VALID("tcp.syncookies.valid", "segments"),
    /** ACKs whose cookie did not check. */
    SYNCOOKIES_INVALID("tcp.syncookies.invalid", "segments"),
    /** Packet Too Big messages that lowered a connection's path MTU (RFC 8201). */
    PATH_MTU_REDUCTIONS("tcp.path_mtu_reductions", "events"),
    /** SYNs dropped and active opens refused because the core held its maximum of connections. */
    CONNECTION_LIMIT_DROPS("tcp.connections.limit_drops", "connections"),
    /** Connections closed at once instead of entering TIME-WAIT, beyond the core's bound on TIME-WAIT. */
    TIME_WAIT_OVERFLOWS("tcp.timewait.overflows", "connections"),
    /** Bytes of send and receive buffers the core holds now (rings in use and kept for reuse). */
    MEMORY_BYTES("tcp.memory.bytes", CounterKind.GAUGE, "bytes"),
    /** Requests for buffer memory refused at the core's bound. */
    MEMORY_REFUSED("tcp.memory.refused", "requests"),
    /** Bytes the core's connections hold out of order now (beyond RCV.NXT, waiting for a gap to fill). */
    OOO_BYTES("tcp.ooo.bytes", CounterKind.GAUGE, "bytes");

    private final String label;
    private final CounterKind kind;
    private final String unit;

    TcpCounter(final String label, final String unit)
    {
        this(label, CounterKind.TOTAL, unit);
    }

    TcpCounter(final String label, final CounterKind kind, final String unit)
    {
        this.label = label;
        this.kind = kind;
        this.unit = unit;
    }

    @Override
    public String label()
    {
        return label;
    }

    @Override
    public CounterKind kind()
    {
        return kind;
    }

    @Override
    public String unit()
    {
        return unit;
    }
}
