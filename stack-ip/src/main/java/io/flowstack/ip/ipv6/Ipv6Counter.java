package io.flowstack.ip.ipv6;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of IPv6 (RFC 8200) input and output. All are totals.
 */
public enum Ipv6Counter implements CounterDescriptor
{
    /** Packets received. */
    RX_PACKETS("ipv6.rx.packets", "packets"),
    /** Packets shorter than their header says. */
    RX_TRUNCATED("ipv6.rx.truncated", "packets"),
    /** Packets whose version is not 6. */
    RX_BAD_VERSION("ipv6.rx.bad_version", "packets"),
    /** Packets whose payload length is inconsistent. */
    RX_BAD_PAYLOAD_LENGTH("ipv6.rx.bad_payload_length", "packets"),
    /** Packets for an address this host does not have or listen to. */
    RX_NOT_FOR_US("ipv6.rx.not_for_us", "packets"),
    /** Packets from a source that cannot be (multicast, IPv4-mapped, or one of our own addresses). */
    RX_BAD_SOURCE("ipv6.rx.bad_source", "packets"),
    /** Packets with an extension header that is malformed or must be refused. */
    RX_BAD_EXTENSION_HEADER("ipv6.rx.bad_extension_header", "packets"),
    /** Packets with more extension headers than are walked. */
    RX_CHAIN_TOO_LONG("ipv6.rx.chain_too_long", "packets"),
    /** Packets of an upper layer nothing here handles. */
    RX_UNKNOWN_NEXT_HEADER("ipv6.rx.unknown_next_header", "packets"),
    /** Fragments refused before reassembly (RFC 8200 4.5 checks). */
    RX_BAD_FRAGMENT("ipv6.rx.bad_fragment", "packets"),
    /** Packets whose header chain ends in "no next header" (RFC 8200 4.7): nothing to deliver. */
    RX_NO_NEXT_HEADER("ipv6.rx.no_next_header", "packets"),
    /** Packets sent. */
    TX_PACKETS("ipv6.tx.packets", "packets"),
    /** Packets fragmented at the source to fit the path MTU. */
    TX_FRAGMENTED("ipv6.tx.fragmented", "packets"),
    /** Packets with no interface to go out of. */
    TX_NO_ROUTE("ipv6.tx.no_route", "packets"),
    /** Packets that could not be sent (no buffer for their fragments). */
    TX_DROPS("ipv6.tx.drops", "packets"),
    /** Segmentation packets refused on an interface that cannot cut them. */
    TX_GSO_REFUSED("ipv6.tx.gso_refused", "packets"),
    /** Packet Too Big messages that lowered a destination's path MTU for UDP and ICMPv6 (RFC 8201). */
    PATH_MTU_LOWERED("ipv6.path_mtu.lowered", "events");

    private final String label;
    private final String unit;

    Ipv6Counter(final String label, final String unit)
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
