package io.flowstack.ip;

import io.flowstack.ip.link.NeighborCache;
import io.flowstack.ip.ipv4.Reassembler;

/**
 * What one core's IP layer holds at most, whatever its peers send: neighbors and the datagrams waiting for one,
 * and datagrams being reassembled. At a bound the stack drops and counts (the README's resource table names the
 * counters); it never throws. Immutable; {@code with*} methods return a changed copy.
 *
 * @param neighbors            neighbor entries per interface and family, ARP's and NDP's (a full table drops the
 *                             newcomer: {@code arp.table_full}, {@code ndp.table_full}).
 * @param pendingPerNeighbor   packets held per neighbor while its address is resolved (the oldest goes when a newer
 *                             one comes: {@code arp.pending_drops}, {@code ndp.pending_drops}).
 * @param reassemblyDatagrams  IPv4 datagrams reassembled at once per core, each pinning a pool buffer (the oldest is
 *                             given up for a new one: {@code ipv4.reasm.no_slot}).
 * @param fragmentsPerDatagram fragments accepted per datagram (more drop the datagram: {@code ipv4.reasm.bad_fragment}).
 * @param reassemblyTimeoutNs  time from a datagram's first fragment until it is given up ({@code ipv4.reasm.timeouts}).
 */
public record IpConfig(
    int neighbors,
    int pendingPerNeighbor,
    int reassemblyDatagrams,
    int fragmentsPerDatagram,
    long reassemblyTimeoutNs)
{
    /** 256 neighbors per interface with 32 datagrams waiting each; 16 datagrams of up to 64 fragments for 30 s. */
    public static final IpConfig DEFAULT = new IpConfig(256, NeighborCache.PENDING_PER_NEIGHBOR,
        Reassembler.DEFAULT_MAX_DATAGRAMS, Reassembler.DEFAULT_MAX_FRAGMENTS_PER_DATAGRAM, Reassembler.DEFAULT_TIMEOUT_NS);

    /**
     * @param entries neighbor entries per interface.
     * @param pending datagrams held per neighbor being resolved.
     * @return a copy.
     */
    public IpConfig withNeighbors(final int entries, final int pending)
    {
        return new IpConfig(entries, pending, reassemblyDatagrams, fragmentsPerDatagram, reassemblyTimeoutNs);
    }

    /**
     * @param datagrams datagrams reassembled at once.
     * @param fragments fragments per datagram.
     * @param timeoutNs how long a datagram's fragments are kept.
     * @return a copy.
     */
    public IpConfig withReassembly(final int datagrams, final int fragments, final long timeoutNs)
    {
        return new IpConfig(neighbors, pendingPerNeighbor, datagrams, fragments, timeoutNs);
    }
}
