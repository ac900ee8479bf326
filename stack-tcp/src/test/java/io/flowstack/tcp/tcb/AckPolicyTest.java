package io.flowstack.tcp.tcb;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large received segment (coalesced by the device, or never cut by a local sender) counts as the MSS-sized
 * segments it stands for, as Linux counts a GRO segment: it is acknowledged at once, like every second full one.
 */
class AckPolicyTest
{
    private static final long RTO = 200_000_000L;

    private static AckPolicy settled()
    {
        final AckPolicy policy = new AckPolicy();
        policy.onInOrderData(100, 100, 1460, 1 << 20, 0, RTO);
        policy.quickAcks = 0;
        policy.onAckSent();
        return policy;
    }

    @Test
    void shouldAcknowledgeALargeSegmentAtOnceAsItsFullSizedPieces()
    {
        final AckPolicy policy = settled();
        policy.onInOrderData(45 * 1448, 1448, 1460, 1 << 20, 1000, RTO);
        assertTrue(policy.ackNow, "45 full-sized pieces owe an ACK at once");
        assertEquals(45, policy.unacked);
    }

    @Test
    void shouldCountOneFullSegmentAsOne()
    {
        final AckPolicy policy = settled();
        policy.onInOrderData(1448, 1448, 1460, 1 << 20, 1000, RTO);
        assertFalse(policy.ackNow, "one full segment waits for a second or the delayed-ACK timer");
        assertEquals(1, policy.unacked);
        policy.onInOrderData(1448, 1448, 1460, 1 << 20, 2000, RTO);
        assertTrue(policy.ackNow);
    }

    @Test
    void shouldNotCountALargeSegmentOfSmallPiecesAsFull()
    {
        final AckPolicy policy = settled();
        // A sender whose segments are far below our MSS (it cut them small): pieces, but not full-sized ones.
        policy.onInOrderData(4 * 500, 500, 1460, 1 << 20, 1000, RTO);
        assertFalse(policy.ackNow);
        assertEquals(4, policy.unacked);
    }
}
