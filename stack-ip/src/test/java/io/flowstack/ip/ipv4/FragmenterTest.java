package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.flowstack.ip.ipv4.Datagrams.DESTINATION;
import static io.flowstack.ip.ipv4.Datagrams.SOURCE;
import static io.flowstack.ip.ipv4.Datagrams.UDP;
import static io.flowstack.ip.ipv4.Datagrams.buffer;
import static io.flowstack.ip.ipv4.Datagrams.bytes;
import static io.flowstack.ip.ipv4.Datagrams.datagram;
import static io.flowstack.ip.ipv4.Datagrams.drain;
import static io.flowstack.ip.ipv4.Datagrams.fragmentOffset;
import static io.flowstack.ip.ipv4.Datagrams.headerChecksumVerifies;
import static io.flowstack.ip.ipv4.Datagrams.headerLength;
import static io.flowstack.ip.ipv4.Datagrams.more;
import static io.flowstack.ip.ipv4.Datagrams.randomBytes;
import static io.flowstack.ip.ipv4.Datagrams.slice;
import static io.flowstack.ip.ipv4.Datagrams.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FragmenterTest
{
    private static final int ID = 0xBEEF;

    private final BufferPool bigPool = new BufferPool(0, 2, BufferPool.DEFAULT_SLOT_SIZE, BufferPool.DEFAULT_HEADROOM);
    private final BufferPool fragmentPool = new BufferPool(1, 16, 2048, BufferPool.DEFAULT_HEADROOM);
    private final List<PacketBuffer> sent = new ArrayList<>();
    private final FragmentSink sink = sent::add;

    @AfterEach
    void shouldLeakNoBuffer()
    {
        sent.forEach(PacketBuffer::release);
        assertEquals(bigPool.capacity(), bigPool.available(), "datagram pool leak");
        assertEquals(fragmentPool.capacity(), fragmentPool.available(), "fragment pool leak");
    }

    @Test
    void shouldCutDataIntoMultiplesOfEightThatFitTheMtu()
    {
        final byte[] data = randomBytes(7, 1480);
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, ID, 0, new byte[0], data);

        // MTU 576: 556 data bytes fit, 552 is the largest multiple of 8.
        assertEquals(3, Fragmenter.fragment(buffer(bigPool, original), 576, fragmentPool, sink));
        for (final PacketBuffer f : sent)
        {
            assertEquals(fragmentPool.headroom(), f.offset(), "same headroom as a fresh buffer");
        }
        final List<byte[]> fragments = drain(sent);
        final int[] offsets = {0, 552, 1104};
        final int[] lengths = {572, 572, 396};
        for (int i = 0; i < 3; i++)
        {
            final byte[] f = fragments.get(i);
            assertEquals(lengths[i], f.length);
            assertEquals(lengths[i], u16(f, 2), "total length");
            assertEquals(ID, u16(f, 4));
            assertEquals(offsets[i], fragmentOffset(f));
            assertEquals(i < 2, more(f));
            assertTrue(headerChecksumVerifies(f));
            assertArrayEquals(slice(original, 8, 10), slice(f, 8, 10), "TTL, protocol");
            assertArrayEquals(slice(original, 12, 20), slice(f, 12, 20), "addresses");
            assertArrayEquals(slice(data, offsets[i], offsets[i] + lengths[i] - 20), slice(f, 20, f.length));
        }
    }

    @Test
    void shouldRefuseWhenDontFragmentIsSetAndLeaveTheDatagramToTheCaller()
    {
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, ID, 0x4000, new byte[0], new byte[600]);
        final PacketBuffer datagram = buffer(bigPool, original);
        assertEquals(Fragmenter.FRAGMENTATION_NEEDED, Fragmenter.fragment(datagram, 576, fragmentPool, sink));
        assertTrue(sent.isEmpty());
        assertArrayEquals(original, bytes(datagram), "untouched, for the ICMP quote");
        datagram.release();
    }

    @Test
    void shouldPassDatagramThatFitsUnchanged()
    {
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, ID, 0x4000, new byte[0], new byte[556]);
        final PacketBuffer datagram = buffer(bigPool, original);
        assertEquals(1, Fragmenter.fragment(datagram, 576, fragmentPool, sink));
        assertSame(datagram, sent.get(0));
    }

    @Test
    void shouldCarryOnlyCopiedOptionsAfterFragmentZero()
    {
        // NOP, record route (not copied, 7 bytes), router alert (copied, 4 bytes), EOOL padding: 12 option bytes.
        final byte[] options = {1, 7, 7, 4, 0, 0, 0, 0, (byte)0x94, 4, 0, 0};
        final byte[] data = randomBytes(3, 250);
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, ID, 0, options, data);

        // MTU 128. First: 32-byte header, 96 data bytes. Later: 24-byte header, 104 data bytes (more than the first).
        assertEquals(3, Fragmenter.fragment(buffer(bigPool, original), 128, fragmentPool, sink));
        final List<byte[]> fragments = drain(sent);

        assertEquals(32, headerLength(fragments.get(0)));
        assertArrayEquals(slice(original, 20, 32), slice(fragments.get(0), 20, 32));
        final byte[] copiedOnly = {(byte)0x94, 4, 0, 0};
        for (int i = 1; i < 3; i++)
        {
            final byte[] f = fragments.get(i);
            assertEquals(24, headerLength(f));
            assertArrayEquals(copiedOnly, slice(f, 20, 24));
            assertTrue(headerChecksumVerifies(f));
        }
        assertEquals(96, fragmentOffset(fragments.get(1)));
        assertEquals(128, fragments.get(1).length);
        assertEquals(200, fragmentOffset(fragments.get(2)));
        assertEquals(24 + 50, fragments.get(2).length);
        assertArrayEquals(slice(data, 200, 250), slice(fragments.get(2), 24, 74));
    }

    @Test
    void shouldPadCopiedOptionsToAWordBoundary()
    {
        // A copied 3-byte option (type 0x83, LSRR-shaped) then EOOL: later headers are 24 bytes, padded with 0.
        final byte[] options = {(byte)0x83, 3, 4, 0};
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, ID, 0, options, new byte[100]);
        assertEquals(2, Fragmenter.fragment(buffer(bigPool, original), 100, fragmentPool, sink));
        final List<byte[]> fragments = drain(sent);
        assertArrayEquals(new byte[]{(byte)0x83, 3, 4, 0}, slice(fragments.get(1), 20, 24));
    }

    @Test
    void shouldKeepOffsetAndMoreFragmentsWhenRefragmentingAFragment()
    {
        // A middle fragment at offset 800 with MF set: every piece keeps MF, offsets continue from 800.
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, ID, 0x2000 | (800 >> 3), new byte[0], new byte[160]);
        assertEquals(3, Fragmenter.fragment(buffer(bigPool, original), 84, fragmentPool, sink));
        final List<byte[]> fragments = drain(sent);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(800 + i * 64, fragmentOffset(fragments.get(i)));
            assertTrue(more(fragments.get(i)));
        }

        // The last piece of a last fragment has MF clear.
        final byte[] tail = datagram(SOURCE, DESTINATION, UDP, ID, 800 >> 3, new byte[0], new byte[160]);
        assertEquals(3, Fragmenter.fragment(buffer(bigPool, tail), 84, fragmentPool, sink));
        final List<byte[]> pieces = drain(sent);
        assertTrue(more(pieces.get(1)));
        assertFalse(more(pieces.get(2)));
    }

    @Test
    void shouldReleaseDatagramAndMakeNothingWhenPoolIsTooSmall()
    {
        // 1480 data bytes at MTU 68 need 31 fragments; the pool has 16.
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, ID, 0, new byte[0], new byte[1480]);
        assertEquals(Fragmenter.NO_BUFFER, Fragmenter.fragment(buffer(bigPool, original), 68, fragmentPool, sink));
        assertTrue(sent.isEmpty());
    }

    @Test
    void shouldReleaseDatagramWithMalformedOptions()
    {
        final byte[] options = {(byte)0x83, 9, 0, 0}; // length runs past the header
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, ID, 0, options, new byte[200]);
        assertEquals(Fragmenter.MALFORMED, Fragmenter.fragment(buffer(bigPool, original), 100, fragmentPool, sink));
        assertTrue(sent.isEmpty());
    }

    @Test
    void shouldRejectMtuBelowSixtyEight()
    {
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, ID, 0, new byte[0], new byte[100]);
        final PacketBuffer datagram = buffer(bigPool, original);
        assertThrows(IllegalArgumentException.class, () -> Fragmenter.fragment(datagram, 67, fragmentPool, sink));
        datagram.release();
    }
}
