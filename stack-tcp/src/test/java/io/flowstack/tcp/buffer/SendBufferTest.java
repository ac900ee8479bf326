package io.flowstack.tcp.buffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Send buffer: back-pressure, acknowledgment and (re)transmission copies, across the 2^31 and 2^32 wraps.
 */
class SendBufferTest
{
    private static final int CAPACITY = 1024;

    private final SendBuffer buffer = new SendBuffer(CAPACITY);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[2 * CAPACITY]);

    private static UnsafeBuffer pattern(final int length, final int first)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(first + i);
        }
        return new UnsafeBuffer(bytes);
    }

    private byte[] copied(final int seq, final int length)
    {
        final int n = buffer.copy(seq, out, 0, length);
        final byte[] bytes = new byte[n];
        out.getBytes(0, bytes);
        return bytes;
    }

    @Test
    void shouldStartAfterTheSyn()
    {
        buffer.reset(41);
        assertEquals(42, buffer.firstSeq());
        assertEquals(42, buffer.endSeq());
        assertEquals(0, buffer.size());
        assertEquals(CAPACITY, buffer.free());
        assertTrue(buffer.isEmpty());
        assertEquals(0, buffer.copy(42, out, 0, 10), "nothing to send yet");
    }

    @Test
    void shouldTakeOnlyWhatFits()
    {
        buffer.reset(0);
        assertEquals(1000, buffer.write(pattern(1000, 0), 0, 1000));
        assertEquals(24, buffer.write(pattern(100, 0), 0, 100), "back-pressure: 24 bytes were free");
        assertEquals(0, buffer.free());
        assertEquals(0, buffer.write(pattern(1, 0), 0, 1));
        assertEquals(CAPACITY, buffer.unacked());
        assertEquals(1 + CAPACITY, buffer.endSeq());

        assertEquals(100, buffer.acknowledge(101));
        assertEquals(100, buffer.free());
        assertEquals(100, buffer.write(pattern(300, 0), 0, 300), "space freed by the ACK is reused");
    }

    @Test
    void shouldOfferRoomInPlaceUpToTheRingsEndThenFromItsStart()
    {
        buffer.reset(-1);
        buffer.write(pattern(1000, 0), 0, 1000);
        buffer.acknowledge(900);
        assertEquals(24, buffer.contiguousFree(), "room before the ring wraps");
        assertEquals(1000, buffer.writeIndex());
        buffer.ring().putBytes(buffer.writeIndex(), pattern(24, 1000), 0, 24);
        buffer.commit(24);
        assertEquals(900, buffer.contiguousFree(), "then the freed start of the ring");
        assertEquals(0, buffer.writeIndex());
        buffer.ring().putBytes(0, pattern(76, 1024), 0, 76);
        buffer.commit(76);
        assertArrayEquals(pattern(200, 900).byteArray(), copied(900, 200), "bytes written in place, in order");
        assertThrows(IllegalArgumentException.class, () -> buffer.commit(825), "more than the room");
    }

    @Test
    void shouldCopyForRetransmissionAcrossTheRing()
    {
        buffer.reset(0);
        buffer.write(pattern(1000, 0), 0, 1000);
        buffer.acknowledge(1 + 900);
        // 900 freed: the next 600 bytes wrap inside the ring.
        assertEquals(600, buffer.write(pattern(600, 1000), 0, 600));
        assertEquals(700, buffer.size());

        assertArrayEquals(pattern(700, 900).byteArray(), copied(901, 2000), "copy stops at the end");
        assertArrayEquals(pattern(10, 1019).byteArray(), copied(1020, 10), "a range across the ring edge");
        assertEquals(0, buffer.copy(900, out, 0, 10), "already acknowledged");
        assertEquals(0, buffer.copy(1 + 1600, out, 0, 10), "not written yet");
        assertEquals(0, buffer.copy(901, out, 0, 0));
        assertEquals(700, buffer.available(901));
        assertEquals(1, buffer.available(1600));
        assertEquals(0, buffer.available(1601));
    }

    @Test
    void shouldIgnoreOldAcknowledgmentsAndCoverFin()
    {
        buffer.reset(99);
        buffer.write(pattern(50, 0), 0, 50);
        assertEquals(0, buffer.acknowledge(100), "ACK of the SYN only");
        assertEquals(0, buffer.acknowledge(50), "old");
        assertEquals(20, buffer.acknowledge(120));
        assertEquals(0, buffer.acknowledge(110), "older than SND.UNA");
        assertEquals(30, buffer.acknowledge(151), "ACK of the FIN after the data frees the rest");
        assertEquals(150, buffer.firstSeq(), "the FIN's number is the TCB's, not the buffer's");
        assertEquals(150, buffer.endSeq());
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

    private void shouldWorkAcrossBoundary(final int iss)
    {
        buffer.reset(iss);
        assertEquals(1000, buffer.write(pattern(1000, 7), 0, 1000));
        final int boundary = iss + 0x100;
        assertEquals(iss + 1001, buffer.endSeq());

        assertArrayEquals(pattern(20, 7 + 0xFF - 10).byteArray(), copied(boundary - 10, 20), "across the wrap");
        assertEquals(0xFF - 10, buffer.acknowledge(boundary - 10));
        assertEquals(20, buffer.acknowledge(boundary + 10));
        assertEquals(0, buffer.acknowledge(boundary - 5), "behind SND.UNA across the wrap");
        assertEquals(boundary + 10, buffer.firstSeq());
        assertEquals(1000 - 0xFF - 10, buffer.size());
        assertArrayEquals(pattern(5, 7 + 0xFF + 10).byteArray(), copied(boundary + 10, 5));
        assertEquals(1000 - 0xFF - 10, buffer.acknowledge(iss + 1001));
        assertTrue(buffer.isEmpty());
    }

    @Test
    void shouldRefuseCapacityThatIsNotAPowerOfTwo()
    {
        assertThrows(IllegalArgumentException.class, () -> new SendBuffer(1000));
        assertThrows(IllegalArgumentException.class, () -> new SendBuffer(0));
        assertThrows(IllegalArgumentException.class, () -> new SendBuffer(1 << 31));
        assertEquals(1, new SendBuffer(1).capacity());
    }

    @Test
    void shouldKeepItsBytesWhenItGrows()
    {
        buffer.reset(-700);
        assertEquals(CAPACITY, buffer.write(pattern(CAPACITY, 0), 0, CAPACITY));
        buffer.acknowledge(-699 + 800);
        assertEquals(600, buffer.write(pattern(600, CAPACITY), 0, 600), "the held bytes now wrap the ring's end");
        buffer.grow(4 * CAPACITY);
        assertEquals(4 * CAPACITY - 824, buffer.free());
        assertArrayEquals(pattern(824, 800).byteArray(), copied(-699 + 800, 824));
        assertThrows(IllegalArgumentException.class, () -> buffer.grow(CAPACITY));
    }
}
