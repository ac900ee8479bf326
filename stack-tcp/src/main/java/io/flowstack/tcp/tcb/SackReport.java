package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;
import io.flowstack.ip.wire.TcpOptions;
import io.flowstack.tcp.buffer.ReceiveBuffer;

/**
 * The SACK blocks a receiver reports (RFC 2018 4, RFC 2883): a D-SACK block first when a duplicate arrived since
 * the last ACK, then the block holding the segment that triggered this ACK, then the blocks reported most
 * recently, then the other out-of-order ranges. The options field holds three blocks next to timestamps, four
 * without; {@link TcpOptions} writes as many as fit. Preallocated; nothing is allocated per ACK.
 */
final class SackReport
{
    private final int[] lefts = new int[Receiver.OUT_OF_ORDER_RANGES];
    private final int[] rights = new int[Receiver.OUT_OF_ORDER_RANGES];
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

    /** Adds the blocks for the ACK being built. */
    void addTo(final TcpOptions options, final ReceiveBuffer buffer)
    {
        int emitted = 0;
        if (duplicate)
        {
            options.addSackBlock(duplicateLeft, duplicateRight);
            duplicate = false;
            emitted++;
        }
        final int n = buffer.sackBlocks(lefts, rights, lefts.length);
        if (n == 0)
        {
            reportedCount = 0;
            return;
        }
        // The block with the latest out-of-order data comes first (sackBlocks puts it at 0).
        long used = 1L;
        options.addSackBlock(lefts[0], rights[0]);
        emitted++;
        final int oldCount = reportedCount;
        System.arraycopy(reported, 0, previous, 0, oldCount);
        reportedCount = 0;
        remember(lefts[0]);
        // Then the ones reported last time, in that order (RFC 2018 4: repeat the most recent blocks).
        for (int r = 0; r < oldCount && emitted < TcpOptions.MAX_SACK_BLOCKS; r++)
        {
            final int seq = previous[r];
            for (int k = 1; k < n; k++)
            {
                if ((used & (1L << k)) == 0 && Seq.between(lefts[k], seq, rights[k]))
                {
                    used |= 1L << k;
                    options.addSackBlock(lefts[k], rights[k]);
                    remember(lefts[k]);
                    emitted++;
                    break;
                }
            }
        }
        for (int k = 1; k < n && emitted < TcpOptions.MAX_SACK_BLOCKS; k++)
        {
            if ((used & (1L << k)) == 0)
            {
                options.addSackBlock(lefts[k], rights[k]);
                remember(lefts[k]);
                emitted++;
            }
        }
    }

    private void remember(final int left)
    {
        if (reportedCount < reported.length)
        {
            reported[reportedCount++] = left;
        }
    }
}
