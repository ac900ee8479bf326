package io.flowstack.ip.ipv4;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of IPv4 (RFC 791) input and output. All are totals.
 */
public enum Ipv4Counter implements CounterDescriptor
{
    /** Datagrams received. */
    RX_DATAGRAMS("ipv4.rx.datagrams", "datagrams"),
    /** Datagrams shorter than their header says. */
    RX_TRUNCATED("ipv4.rx.truncated", "datagrams"),
    /** Datagrams whose version is not 4. */
    RX_BAD_VERSION("ipv4.rx.bad_version", "datagrams"),
    /** Datagrams with a header length under 20 or past the end. */
    RX_BAD_HEADER_LENGTH("ipv4.rx.bad_header_length", "datagrams"),
    /** Datagrams whose total length is inconsistent. */
    RX_BAD_TOTAL_LENGTH("ipv4.rx.bad_total_length", "datagrams"),
    /** Datagrams with a bad header checksum. */
    RX_BAD_CHECKSUM("ipv4.rx.bad_checksum", "datagrams"),
    /** Datagrams for an address this host does not have. */
    RX_NOT_FOR_US("ipv4.rx.not_for_us", "datagrams"),
    /** Datagrams from an impossible source (RFC 1812 5.3.7). */
    RX_MARTIAN_SOURCE("ipv4.rx.martian_source", "datagrams"),
    /** Datagrams of a protocol nothing here handles. */
    RX_UNKNOWN_PROTOCOL("ipv4.rx.unknown_protocol", "datagrams"),
    /** Datagrams sent. */
    TX_DATAGRAMS("ipv4.tx.datagrams", "datagrams"),
    /** Datagrams with no interface to go out of. */
    TX_NO_ROUTE("ipv4.tx.no_route", "datagrams"),
    /** Datagrams fragmented to fit the MTU. */
    TX_FRAGMENTED("ipv4.tx.fragmented", "datagrams"),
    /** Datagrams that could not be sent (no buffer). */
    TX_DROPS("ipv4.tx.drops", "datagrams"),
    /** Segmentation datagrams refused on an interface that cannot cut them. */
    TX_GSO_REFUSED("ipv4.tx.gso_refused", "datagrams");

    private final String label;
    private final String unit;

    Ipv4Counter(final String label, final String unit)
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
