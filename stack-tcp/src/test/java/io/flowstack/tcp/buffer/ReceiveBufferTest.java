package io.flowstack.tcp.buffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Receive buffer as a TCB sees it, segment by segment: in order, out of order, duplicates, trimming to the
 * window, the bound on out-of-order ranges, SACK blocks, and the 2^31 and 2^32 wraps.
 */
class ReceiveBufferTest
{
    private static final int CAPACITY = 1024;
    private static final int IRS = 999;
    private static final int FIRST = IRS + 1;

    /** The byte at stream offset i is (byte)(i * 7 + 3): any misplaced byte shows. */
    private static final UnsafeBuffer STREAM = stream(4 * CAPACITY);

    private final ReceiveBuffer buffer = new ReceiveBuffer(CAPACITY, 4);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[4 * CAPACITY]);

    private static UnsafeBuffer stream(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 7 + 3);
        }
        return new UnsafeBuffer(bytes);
    }

    /** Offers stream bytes [from, from + length) with sequence numbers counted from the buffer's first byte. */
    private int offer(final int first, final int from, final int length)
    {
        return buffer.offer(first + from, STREAM, from, length);
    }

    private void assertReads(final int from, final int length)
    {
        assertEquals(length, buffer.readable());
        assertEquals(length, buffer.read(out, 0, 4 * CAPACITY));
        final byte[] expected = new byte[length];
        final byte[] actual = new byte[length];
        STREAM.getBytes(from, expected);
        out.getBytes(0, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void shouldDeliverInOrderSegments()
    {
        buffer.reset(IRS);
        assertEquals(FIRST, buffer.rcvNxt());
        assertEquals(CAPACITY, buffer.window());

        assertEquals(100, offer(FIRST, 0, 100));
        assertEquals(FIRST + 100, buffer.rcvNxt());
        assertEquals(CAPACITY - 100, buffer.window(), "unread data takes window");
        assertEquals(FIRST + CAPACITY, buffer.rightEdge());
        assertEquals(50, offer(FIRST, 100, 50));
        assertReads(0, 150);
        assertEquals(CAPACITY, buffer.window(), "reading opens the window");
        assertEquals(FIRST + 150 + CAPACITY, buffer.rightEdge());
    }

    @Test
    void shouldHoldOutOfOrderDataUntilTheGapFills()
    {
        buffer.reset(IRS);
        assertEquals(0, offer(FIRST, 200, 100));
        assertEquals(0, offer(FIRST, 400, 100));
        assertTrue(buffer.hasOutOfOrder());
        assertEquals(2, buffer.outOfOrderRanges());
        assertEquals(0, buffer.readable());
        assertEquals(CAPACITY, buffer.window(), "out-of-order data sits inside the window, not before it");

        assertEquals(300, offer(FIRST, 0, 200), "the gap fills and the first range joins");
        assertEquals(1, buffer.outOfOrderRanges());
        assertEquals(200, offer(FIRST, 300, 100), "the second gap fills");
        assertFalse(buffer.hasOutOfOrder());
        assertReads(0, 500);
    }

    @Test
    void shouldTrimToTheWindowAndIgnoreDuplicates()
    {
        buffer.reset(IRS);
        assertEquals(100, offer(FIRST, 0, 100));
        assertEquals(0, offer(FIRST, 0, 100), "a retransmission of delivered data");
        assertEquals(0, offer(FIRST, 50, 50));
        assertEquals(50, offer(FIRST, 50, 100), "the new half of an overlapping segment");
        assertEquals(CAPACITY - 150, offer(FIRST, 150, 2 * CAPACITY), "trimmed at the right edge");
        assertEquals(0, buffer.window());
        assertEquals(0, offer(FIRST, CAPACITY, 10), "zero window: nothing is taken");
        assertEquals(0, buffer.offer(FIRST + CAPACITY, STREAM, 0, 0));
        assertReads(0, CAPACITY);
    }

    @Test
    void shouldKeepTheFirstCopyOfEachByte()
    {
        buffer.reset(IRS);
        final UnsafeBuffer other = new UnsafeBuffer(new byte[300]);
        other.setMemory(0, 300, (byte)0x55);

        assertEquals(0, offer(FIRST, 100, 100));
        assertEquals(0, buffer.offer(FIRST + 50, other, 0, 300), "fills around the held range, not over it");
        assertEquals(1, buffer.outOfOrderRanges());
        assertEquals(350, offer(FIRST, 0, 50), "the gap fills up to the end of the merged range");

        assertEquals(350, buffer.read(out, 0, 400));
        for (int i = 0; i < 350; i++)
        {
            final byte expected = i < 50 || (i >= 100 && i < 200) ? STREAM.getByte(i) : (byte)0x55;
            assertEquals(expected, out.getByte(i), "byte " + i);
        }
    }

    @Test
    void shouldMergeOverlappingAndAdjacentRanges()
    {
        buffer.reset(IRS);
        offer(FIRST, 100, 10);
        offer(FIRST, 120, 10);
        offer(FIRST, 140, 10);
        offer(FIRST, 160, 10);
        assertEquals(4, buffer.outOfOrderRanges());
        offer(FIRST, 110, 10);
        assertEquals(3, buffer.outOfOrderRanges(), "adjacent on both sides: two ranges and the segment become one");
        offer(FIRST, 125, 40);
        assertEquals(1, buffer.outOfOrderRanges(), "overlap joins the rest");

        assertEquals(FIRST + 100, buffer.rangeStart(0));
        assertEquals(FIRST + 170, buffer.rangeEnd(0));
        assertEquals(170, offer(FIRST, 0, 100));
    }

    @Test
    void shouldDropSegmentsThatNeedOneRangeTooMany()
    {
        buffer.reset(IRS);
        for (int i = 1; i <= 4; i++)
        {
            offer(FIRST, i * 100, 10);
        }
        assertEquals(0, offer(FIRST, 500, 10));
        assertEquals(4, buffer.outOfOrderRanges());
        assertEquals(1, buffer.droppedSegments(), "a fifth range is refused");

        assertEquals(0, offer(FIRST, 205, 20), "joining a held range needs no new one");
        assertEquals(1, buffer.droppedSegments());
        assertEquals(50, offer(FIRST, 0, 50), "in-order data needs no range");

        final ReceiveBuffer noRanges = new ReceiveBuffer(CAPACITY, 0);
        noRanges.reset(IRS);
        assertEquals(0, noRanges.offer(FIRST + 10, STREAM, 10, 10));
        assertEquals(1, noRanges.droppedSegments());
        assertEquals(20, noRanges.offer(FIRST, STREAM, 0, 20));
    }

    @Test
    void shouldKnowTheRangeOfTheLatestSegment()
    {
        buffer.reset(IRS);
        assertEquals(-1, buffer.recentRange());
        offer(FIRST, 100, 10);
        offer(FIRST, 300, 10);
        offer(FIRST, 200, 10);
        assertEquals(3, buffer.outOfOrderRanges());
        assertEquals(1, buffer.recentRange(), "RFC 2018 4: the first block holds the latest segment");
        assertEquals(FIRST + 200, buffer.rangeStart(1));
        assertEquals(FIRST + 210, buffer.rangeEnd(1));
        assertEquals(0, buffer.rangeHolding(FIRST + 109));
        assertEquals(-1, buffer.rangeHolding(FIRST + 110));
        assertEquals(2, buffer.rangeHolding(FIRST + 300));
        assertEquals(-1, buffer.rangeHolding(FIRST + 99));

        offer(FIRST, 305, 10);
        assertEquals(2, buffer.recentRange());
        assertEquals(FIRST + 300, buffer.rangeStart(2));
        assertEquals(FIRST + 315, buffer.rangeEnd(2));

        assertEquals(110, offer(FIRST, 0, 100));
        assertEquals(2, buffer.outOfOrderRanges());
        assertEquals(1, buffer.recentRange(), "the ranges moved down as the first joined RCV.NXT");
        assertEquals(FIRST + 300, buffer.rangeStart(1));
        assertEquals(FIRST + 200, buffer.rangeStart(0));
    }

    @Test
    void shouldWorkAcrossTwoToThe32()
    {
        shouldWorkAcrossBoundary(0xFFFF_FF00);
    }

    @Test
    void shouldWorkAcrossTwoToThe31()
    {
        shouldWorkAcrossBoundary(0x7FFF_FF00);
    }

    private void shouldWorkAcrossBoundary(final int irs)
    {
        final int first = irs + 1;
        buffer.reset(irs);
        // Out of order on the far side of the boundary, then in order up to it, then the gap.
        assertEquals(0, offer(first, 0x120, 0x40));
        assertEquals(0xF0, offer(first, 0, 0xF0));
        assertEquals(1, buffer.outOfOrderRanges());
        assertEquals(first + 0x120, buffer.rangeStart(0));
        assertEquals(0, buffer.rangeHolding(first + 0x15F));
        assertEquals(-1, buffer.rangeHolding(first + 0x160));
        assertEquals(0x70, offer(first, 0xE0, 0x80), "overlapping both sides of the boundary");
        assertEquals(first + 0x160, buffer.rcvNxt());
        assertFalse(buffer.hasOutOfOrder());
        assertReads(0, 0x160);

        // The ring wraps too: push the stream past several capacities.
        int at = 0x160;
        while (at < 3 * CAPACITY)
        {
            final int n = Math.min(700, 3 * CAPACITY - at);
            assertEquals(n, offer(first, at, n));
            assertReads(at, n);
            at += n;
        }
        assertEquals(first + 3 * CAPACITY, buffer.rcvNxt());
    }

    @Test
    void shouldPeekAndSkip()
    {
        buffer.reset(IRS);
        offer(FIRST, 0, 10);
        assertEquals(10, buffer.peek(out, 0, 100));
        assertEquals(10, buffer.readable());
        assertEquals(4, buffer.skip(4));
        assertEquals(6, buffer.peek(out, 0, 100));
        assertEquals(STREAM.getByte(4), out.getByte(0));
        assertEquals(6, buffer.skip(100));
        assertEquals(0, buffer.read(out, 0, 100));
    }

    @Test
    void shouldRefuseBadConfiguration()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReceiveBuffer(1000, 4));
        assertThrows(IllegalArgumentException.class, () -> new ReceiveBuffer(1024, -1));
    }

    @Test
    void shouldKeepUnreadAndOutOfOrderBytesWhenItGrows()
    {
        buffer.reset(IRS);
        // Move the ring's origin so that the held bytes wrap around its end.
        offer(FIRST, 0, 900);
        assertReads(0, 900);
        offer(FIRST, 900, 300);
        offer(FIRST, 1300, 200);
        offer(FIRST, 1600, 100);
        assertEquals(2, buffer.outOfOrderRanges());
        buffer.grow(4 * CAPACITY);
        assertEquals(4 * CAPACITY, buffer.capacity());
        assertEquals(4 * CAPACITY - 300, buffer.window(), "the window is the new capacity less the unread bytes");
        offer(FIRST, 1200, 100);
        offer(FIRST, 1500, 100);
        assertReads(900, 800);
        assertThrows(IllegalArgumentException.class, () -> buffer.grow(3 * CAPACITY));
    }
}
