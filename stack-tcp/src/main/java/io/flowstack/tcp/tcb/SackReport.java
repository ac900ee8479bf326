package io.flowstack.tcp.tcb;

import io.flowstack.ip.wire.TcpOptions;
import io.flowstack.tcp.buffer.ReceiveBuffer;

/**
 * The SACK blocks a receiver reports (RFC 2018 4, RFC 2883): a D-SACK block first when a duplicate arrived since
 * the last ACK, then the block holding the segment that triggered this ACK, then the blocks reported most
 * recently, then the other out-of-order ranges from the lowest. The options field holds three blocks next to
 * timestamps, four without. Preallocated; nothing is allocated per ACK.
 */
final class SackReport
{
    /** Left edges of the blocks reported in the last ACK, in the order reported. */
    private final int[] reported = new int[TcpOptions.MAX_SACK_BLOCKS];
    private final int[] previous = new int[TcpOptions.MAX_SACK_BLOCKS];
    private int reportedCount;
    private boolean duplicate;
    private int duplicateLeft;
    private int duplicateRight;

    void reset()
    {
        reportedCount = 0;
        duplicate = false;
    }

    /**
     * A segment brought bytes already held: the next ACK reports them in a D-SACK block (RFC 2883 4); only the
     * latest duplicate is reported.
     */
    void duplicate(final int left, final int right)
    {
        duplicate = true;
        duplicateLeft = left;
        duplicateRight = right;
    }

    /**
     * @param buffer      the receive buffer.
     * @param timestamps  whether segments carry the timestamps option (then three blocks fit, else four).
     * @return option bytes the blocks of the next segment take: a segment's data must leave room for them
     *         (RFC 6691), as Linux's tcp_current_mss does.
     */
    int optionBytes(final ReceiveBuffer buffer, final boolean timestamps)
    {
        final int blocks = Math.min((duplicate ? 1 : 0) + buffer.outOfOrderRanges(), timestamps ? 3 : 4);
        return blocks == 0 ? 0 : 4 + blocks * TcpOptions.SACK_BLOCK_LENGTH;
    }

    /**
     * Adds the blocks for the ACK being built, after its timestamps if it has them (three blocks fit then, else four).
     */
    void addTo(final TcpOptions options, final ReceiveBuffer buffer)
    {
        if (duplicate)
        {
            options.addSackBlock(duplicateLeft, duplicateRight);
            duplicate = false;
        }
        final int oldCount = reportedCount;
        System.arraycopy(reported, 0, previous, 0, oldCount);
        reportedCount = 0;
        final int fit = options.hasTimestamps() ? 3 : 4;
        // First the block with the latest out-of-order data, then the ones reported last time, in that order
        // (RFC 2018 4: repeat the most recent blocks, so that a lost ACK loses nothing), wherever they lie: with
        // more holes open than fit, the lowest blocks took their place, the sender heard of the others late, took
        // their lateness for reordering and resent what it took for lost (Linux's SACKReorder and DSACKOfoRecv
        // counters, 100 ms and 5% loss). Then the lowest others.
        add(options, buffer, buffer.recentRange(), fit);
        for (int r = 0; r < oldCount; r++)
        {
            add(options, buffer, buffer.rangeHolding(previous[r]), fit);
        }
        final int ranges = buffer.outOfOrderRanges();
        for (int k = 0; k < ranges && options.sackBlockCount() < fit; k++)
        {
            add(options, buffer, k, fit);
        }
    }

    /** Adds range {@code k} of the buffer unless there is none, it was added already or no more fit. */
    private void add(final TcpOptions options, final ReceiveBuffer buffer, final int k, final int fit)
    {
        if (k < 0 || options.sackBlockCount() >= fit)
        {
            return;
        }
        final int left = buffer.rangeStart(k);
        for (int r = 0; r < reportedCount; r++)
        {
            if (reported[r] == left)
            {
                return;
            }
        }
        options.addSackBlock(left, buffer.rangeEnd(k));
        reported[reportedCount++] = left;
    }
}
