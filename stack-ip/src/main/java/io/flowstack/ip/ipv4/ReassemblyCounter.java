package io.flowstack.ip.ipv4;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;

/**
 * The counters of IPv4 reassembly (RFC 791, RFC 815). All are totals.
 */
public enum ReassemblyCounter implements CounterDescriptor
{
    /** Fragments offered to reassembly. */
    FRAGMENTS("ipv4.reasm.fragments", "fragments"),
    /** Datagrams reassembled. */
    REASSEMBLED("ipv4.reasm.reassembled", "datagrams"),
    /** Datagrams given up after 30 s incomplete. */
    TIMEOUTS("ipv4.reasm.timeouts", "datagrams"),
    /** Datagrams discarded because a fragment overlapped data already held (RFC 5722 4). */
    OVERLAPS("ipv4.reasm.overlaps", "datagrams"),
    /** Exact duplicates of a fragment already held, dropped alone (RFC 5722 erratum 3089). */
    DUPLICATES("ipv4.reasm.duplicates", "fragments"),
    /** Fragments whose data would end beyond 65,535 bytes or a pool buffer (their datagram goes with them). */
    OVERSIZE("ipv4.reasm.oversize", "fragments"),
    /** Datagrams in progress evicted, the oldest first, because every reassembly slot was in use. */
    NO_SLOT("ipv4.reasm.no_slot", "datagrams"),
    /** Fragments dropped for want of a buffer. */
    NO_BUFFER("ipv4.reasm.no_buffer", "fragments"),
    /** Malformed or inconsistent fragments, or one too many for a datagram. */
    BAD_FRAGMENT("ipv4.reasm.bad_fragment", "fragments"),
    /** Fragments given up, on arrival or later with their datagram (each also in {@code rx.drops}). */
    FRAGMENTS_DROPPED("ipv4.reasm.fragments_dropped", "fragments"),
    /** Fragments in a finished datagram: fragments = dropped + reassembled + those still held. */
    FRAGMENTS_REASSEMBLED("ipv4.reasm.fragments_reassembled", "fragments"),
    /** Reassembled IPv4 datagrams and IPv6 packets handed on to the core that owns their flow. */
    REDISPATCHED("ipv4.reasm.redispatched", "packets");

    private final String label;
    private final String unit;

    ReassemblyCounter(final String label, final String unit)
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
