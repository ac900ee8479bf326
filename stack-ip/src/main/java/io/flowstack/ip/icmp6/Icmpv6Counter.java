package io.flowstack.ip.icmp6;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of ICMPv6 (RFC 4443). All are totals.
 */
public enum Icmpv6Counter implements CounterDescriptor
{
    /** ICMPv6 messages received. */
    RX_MESSAGES("icmp6.rx.messages", "messages"),
    /** Messages with a bad checksum or length. */
    RX_BAD("icmp6.rx.bad", "messages"),
    /** Echo requests received. */
    RX_ECHO_REQUESTS("icmp6.rx.echo_requests", "messages"),
    /** Packet Too Big messages received (RFC 8201). */
    RX_PACKET_TOO_BIG("icmp6.rx.packet_too_big", "messages"),
    /** Echo replies sent. */
    TX_ECHO_REPLIES("icmp6.tx.echo_replies", "messages"),
    /** Error messages sent. */
    TX_ERRORS("icmp6.tx.errors", "messages"),
    /** Error messages not sent because of the rate limit. */
    TX_RATE_LIMITED("icmp6.tx.rate_limited", "messages");

    private final String label;
    private final String unit;

    Icmpv6Counter(final String label, final String unit)
    {
        this.label = label;
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
        return CounterKind.TOTAL;
    }

    @Override
    public String unit()
    {
        return unit;
    }
}
