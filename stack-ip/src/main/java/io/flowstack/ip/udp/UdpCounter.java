package io.flowstack.ip.udp;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of UDP (RFC 768). All are totals.
 */
public enum UdpCounter implements CounterDescriptor
{
    /** Datagrams received. */
    RX_DATAGRAMS("udp.rx.datagrams", "datagrams"),
    /** Datagrams whose length field is wrong. */
    RX_BAD_LENGTH("udp.rx.bad_length", "datagrams"),
    /** Datagrams with a bad checksum. */
    RX_BAD_CHECKSUM("udp.rx.bad_checksum", "datagrams"),
    /** Datagrams for a port nothing is bound to. */
    RX_NO_PORT("udp.rx.no_port", "datagrams"),
    /** Datagrams sent. */
    TX_DATAGRAMS("udp.tx.datagrams", "datagrams"),
    /** Datagrams that could not be sent. */
    TX_DROPS("udp.tx.drops", "datagrams");

    private final String label;
    private final String unit;

    UdpCounter(final String label, final String unit)
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
