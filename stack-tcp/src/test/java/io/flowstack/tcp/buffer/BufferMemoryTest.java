package io.flowstack.tcp.buffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A core's buffer memory: rings within the bound, reused, refused beyond it; send and receive buffers that hold a
 * ring only while they hold bytes.
 */
class BufferMemoryTest
{
    private static UnsafeBuffer bytes(final int n)
    {
        return new UnsafeBuffer(new byte[n]);
    }

    @Test
    void shouldRefuseARingBeyondTheLimitAndCountIt()
    {
        final BufferMemory memory = new BufferMemory(8192);
        final UnsafeBuffer a = memory.acquire(4096);
        final UnsafeBuffer b = memory.acquire(4096);
        assertNotNull(a);
        assertNotNull(b);
        assertEquals(8192, memory.inUse());
        assertNull(memory.acquire(1024), "the limit is reached");
        assertEquals(1, memory.refusals());
        memory.release(a);
        assertEquals(4096, memory.inUse());
        assertNotNull(memory.acquire(1024), "memory given back is there again");
    }

    @Test
    void shouldHandBackTheRingJustGivenBack()
    {
        final BufferMemory memory = new BufferMemory(1 << 20);
        final UnsafeBuffer a = memory.acquire(4096);
        memory.release(a);
        assertSame(a, memory.acquire(4096), "the most recent ring of a size, still in cache: nothing allocated");
        assertEquals(1, memory.releases());
    }

    @Test
    void shouldDropKeptRingsOfOtherSizesRatherThanRefuse()
    {
        final BufferMemory memory = new BufferMemory(16384);
        final UnsafeBuffer small = memory.acquire(2048);
        memory.release(small);
        assertEquals(2048, memory.kept());
        final UnsafeBuffer big = memory.acquire(16384);
        assertNotNull(big, "the kept ring made way: rings in use and kept stay within the limit");
        assertEquals(0, memory.kept());
        assertEquals(16384, memory.inUse());
    }

    @Test
    void shouldKeepAtMostAQuarterOfTheLimitForReuse()
    {
        final BufferMemory memory = new BufferMemory(16384);
        final UnsafeBuffer[] rings = new UnsafeBuffer[4];
        for (int i = 0; i < rings.length; i++)
        {
            rings[i] = memory.acquire(4096);
        }
        for (final UnsafeBuffer ring : rings)
        {
            memory.release(ring);
        }
        assertEquals(4096, memory.kept());
        assertEquals(0, memory.inUse());
        assertEquals(16384, memory.peak());
    }

    @Test
    void shouldGiveTheSendRingBackOnceEverythingIsAcknowledged()
    {
        final BufferMemory memory = new BufferMemory(1 << 20);
        final SendBuffer buffer = new SendBuffer(4096, memory);
        buffer.reset(0);
        assertFalse(buffer.hasRing(), "a new connection holds no ring");
        assertEquals(100, buffer.write(bytes(100), 0, 100));
        assertTrue(buffer.hasRing());
        assertEquals(4096, memory.inUse());
        buffer.acknowledge(51);
        assertTrue(buffer.hasRing(), "half is still unacknowledged");
        buffer.acknowledge(101);
        assertFalse(buffer.hasRing());
        assertEquals(0, memory.inUse());
    }

    @Test
    void shouldTakeNothingWhenTheMemoryHasNoRingAndSaySo()
    {
        final BufferMemory memory = new BufferMemory(4096);
        final SendBuffer first = new SendBuffer(4096, memory);
        final SendBuffer second = new SendBuffer(4096, memory);
        first.reset(0);
        second.reset(0);
        assertEquals(10, first.write(bytes(10), 0, 10));
        assertEquals(0, second.write(bytes(10), 0, 10));
        assertTrue(second.starved());
        assertEquals(4096, second.free(), "the window is not the problem");
        first.acknowledge(11);
        assertEquals(10, second.write(bytes(10), 0, 10));
        assertFalse(second.starved());
    }

    @Test
    void shouldGiveTheReceiveRingBackOnceEverythingIsReadAndDropWhatHasNoRing()
    {
        final BufferMemory memory = new BufferMemory(4096);
        final ReceiveBuffer a = new ReceiveBuffer(4096, 8, memory);
        final ReceiveBuffer b = new ReceiveBuffer(4096, 8, memory);
        a.reset(0);
        b.reset(0);
        assertFalse(a.holdsRing());
        assertEquals(4096, a.window(), "the window does not wait for the ring");
        assertEquals(0, a.offer(101, bytes(50), 0, 50), "out of order: held");
        assertTrue(a.holdsRing());
        assertEquals(50, a.outOfOrderBytes());
        assertEquals(ReceiveBuffer.NO_MEMORY, b.offer(1, bytes(10), 0, 10), "no ring left for b");
        assertEquals(1, b.rcvNxt(), "nothing taken");
        assertEquals(150, a.offer(1, bytes(100), 0, 100), "the gap filled");
        assertEquals(0, a.outOfOrderBytes());
        a.read(bytes(100), 0, 100);
        assertTrue(a.holdsRing(), "50 bytes unread");
        a.read(bytes(100), 0, 100);
        assertFalse(a.holdsRing());
        assertEquals(10, b.offer(1, bytes(10), 0, 10), "the retransmission finds a ring");
    }

    @Test
    void shouldGrowWithoutARingAndRefuseToGrowBeyondTheLimit()
    {
        final BufferMemory memory = new BufferMemory(8192);
        final ReceiveBuffer buffer = new ReceiveBuffer(4096, 8, memory);
        buffer.reset(0);
        assertTrue(buffer.grow(8192), "no ring yet: only the capacity changes");
        assertEquals(0, memory.inUse());
        buffer.offer(1, bytes(10), 0, 10);
        assertEquals(8192, memory.inUse());
        assertFalse(buffer.grow(16384), "a larger ring would pass the limit");
        assertEquals(8192, buffer.capacity());
        final SendBuffer send = new SendBuffer(4096, new BufferMemory(4096));
        send.reset(0);
        send.write(bytes(10), 0, 10);
        assertFalse(send.grow(8192));
        assertEquals(4096, send.capacity());
    }
}
