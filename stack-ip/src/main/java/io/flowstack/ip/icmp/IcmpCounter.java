package io.flowstack.ip.icmp;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of ICMP (RFC 792). All are totals.
 */
public enum IcmpCounter implements CounterDescriptor
{
    /** ICMP messages received. */
    RX_MESSAGES("icmp.rx.messages", "messages"),
    /** Messages with a bad checksum or length. */
    RX_BAD("icmp.rx.bad", "messages"),
    /** Echo requests received. */
    RX_ECHO_REQUESTS("icmp.rx.echo_requests", "messages"),
    /** Echo replies sent. */
    TX_ECHO_REPLIES("icmp.tx.echo_replies", "messages"),
    /** Error messages sent (port or protocol unreachable). */
    TX_ERRORS("icmp.tx.errors", "messages"),
    /** Error messages not sent because of the rate limit. */
    TX_RATE_LIMITED("icmp.tx.rate_limited", "messages");

    private final String label;
    private final String unit;

    IcmpCounter(final String label, final String unit)
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
