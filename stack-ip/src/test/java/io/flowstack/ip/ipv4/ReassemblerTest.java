package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.flowstack.ip.ipv4.Datagrams.DESTINATION;
import static io.flowstack.ip.ipv4.Datagrams.SOURCE;
import static io.flowstack.ip.ipv4.Datagrams.UDP;
import static io.flowstack.ip.ipv4.Datagrams.buffer;
import static io.flowstack.ip.ipv4.Datagrams.bytes;
import static io.flowstack.ip.ipv4.Datagrams.counter;
import static io.flowstack.ip.ipv4.Datagrams.datagram;
import static io.flowstack.ip.ipv4.Datagrams.fragment;
import static io.flowstack.ip.ipv4.Datagrams.randomBytes;
import static io.flowstack.ip.ipv4.Datagrams.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReassemblerTest
{
    private static final long TIMEOUT = 1_000_000_000L;
    private static final int ID = 0x1234;

    private final BufferPool datagramPool =
        new BufferPool(0, 4, BufferPool.DEFAULT_SLOT_SIZE, BufferPool.DEFAULT_HEADROOM);
    private final BufferPool fragmentPool = new BufferPool(1, 64, 2048, BufferPool.DEFAULT_HEADROOM);
    private final CounterSet counters = CounterSet.inMemory(0);
    private final Reassembler reassembler = new Reassembler(datagramPool, 3, 8, TIMEOUT, counters);

    /** 24 data bytes in three fragments of 8: [0,8) [8,16) [16,24). */
    private final byte[] data = randomBytes(1, 24);
    private final byte[] whole = datagram(SOURCE, DESTINATION, UDP, ID, 0, new byte[0], data);
    private final byte[] first = fragment(ID, 0, true, slice(data, 0, 8));
    private final byte[] second = fragment(ID, 8, true, slice(data, 8, 16));
    private final byte[] last = fragment(ID, 16, false, slice(data, 16, 24));

    @AfterEach
    void shouldLeakNoBufferAndAccountForEveryFragment()
    {
        reassembler.expire(Long.MAX_VALUE / 2);
        assertEquals(0, reassembler.active());
        assertEquals(0, reassembler.heldFragments());
        // Found by the fuzzer: fragments given up were in no frame count and not in rx.drops.
        assertEquals(counter(counters, "ipv4.reasm.fragments"), counter(counters, "ipv4.reasm.fragments_dropped")
            + counter(counters, "ipv4.reasm.fragments_reassembled"), "every fragment dropped or reassembled");
        assertEquals(counter(counters, "ipv4.reasm.fragments_dropped"), counter(counters, "rx.drops"));
        assertEquals(datagramPool.capacity(), datagramPool.available(), "datagram pool leak");
        assertEquals(fragmentPool.capacity(), fragmentPool.available(), "fragment pool leak");
    }

    @Test
    void shouldCountTheFragmentsADatagramHeldWhenItIsGivenUp()
    {
        assertNull(offer(first, 0));
        assertNull(offer(second, 0));
        assertEquals(2, reassembler.heldFragments());
        assertEquals(1, reassembler.expire(TIMEOUT));
        assertEquals(2, counter(counters, "ipv4.reasm.fragments_dropped"), "both lost with their datagram");
        assertEquals(2, counter(counters, "rx.drops"));
        assertNull(offer(first, TIMEOUT));
        assertNull(offer(second, TIMEOUT));
        assertCompletes(offer(last, TIMEOUT));
        assertEquals(3, counter(counters, "ipv4.reasm.fragments_reassembled"));
    }

    @Test
    void shouldReassembleThreeFragmentsInOrder()
    {
        assertNull(offer(first, 0));
        assertNull(offer(second, 1));
        assertCompletes(offer(last, 2));
        assertEquals(3, counter(counters, "ipv4.reasm.fragments"));
        assertEquals(1, counter(counters, "ipv4.reasm.reassembled"));
        assertEquals(Long.MAX_VALUE, reassembler.nextDeadline());
    }

    @Test
    void shouldReassembleThreeFragmentsReversed()
    {
        assertNull(offer(last, 0));
        assertNull(offer(second, 1));
        assertCompletes(offer(first, 2));
    }

    @Test
    void shouldIgnoreExactDuplicate()
    {
        assertNull(offer(second, 0));
        assertNull(offer(first, 1));
        assertNull(offer(second, 2));
        assertNull(offer(first, 3));
        assertCompletes(offer(last, 4));
        assertEquals(2, counter(counters, "ipv4.reasm.duplicates"));
        assertEquals(0, counter(counters, "ipv4.reasm.overlaps"));
    }

    @Test
    void shouldDiscardDatagramOnPartialOverlap()
    {
        final byte[] overlapping = fragment(ID, 8, true, slice(data, 8, 24)); // [8,24) overlaps [16,24)
        assertNull(offer(first, 0));
        assertNull(offer(last, 1));
        assertNull(offer(overlapping, 2));
        assertEquals(1, counter(counters, "ipv4.reasm.overlaps"));
        assertEquals(0, reassembler.active(), "RFC 5722: nothing about the datagram is kept");
        assertEquals(datagramPool.capacity(), datagramPool.available());

        // The rest of the datagram starts afresh and can never complete.
        assertNull(offer(second, 3));
        assertEquals(1, reassembler.active());
        assertEquals(0, counter(counters, "ipv4.reasm.reassembled"));
    }

    @Test
    void shouldDiscardDatagramWhenFragmentStartsInsideAnEarlierOne()
    {
        final byte[] wide = fragment(ID, 0, true, slice(data, 0, 16)); // [0,16)
        final byte[] shifted = fragment(ID, 8, false, slice(data, 8, 24)); // [8,24) starts inside it
        assertNull(offer(wide, 0));
        assertNull(offer(shifted, 1));
        assertEquals(1, counter(counters, "ipv4.reasm.overlaps"));
        assertEquals(0, reassembler.active());
    }

    @Test
    void shouldTreatSameRangeWithDifferentBytesAsOverlap()
    {
        final byte[] forged = fragment(ID, 8, true, randomBytes(99, 8));
        assertNull(offer(second, 0));
        assertNull(offer(forged, 1));
        assertEquals(1, counter(counters, "ipv4.reasm.overlaps"));
        assertEquals(0, counter(counters, "ipv4.reasm.duplicates"));
        assertEquals(0, reassembler.active());
    }

    @Test
    void shouldDropOversizeFragment()
    {
        // Offset 65528 plus 20 header plus 16 data bytes ends beyond 65535: the "ping of death".
        final byte[] deadly = fragment(ID, 65_528, false, new byte[16]);
        assertNull(offer(first, 0));
        assertNull(offer(deadly, 1));
        assertEquals(1, counter(counters, "ipv4.reasm.oversize"));
        assertEquals(0, reassembler.active(), "the datagram it belonged to is gone too");
    }

    @Test
    void shouldDropOversizeWhenFragmentZeroHeaderMakesItTooLong()
    {
        // The last fragment alone fits (20 + 65504 + 8 = 65532), but fragment zero's 60-byte header does not.
        final byte[] tail = fragment(ID, 65_504, false, new byte[8]);
        final byte[] options = new byte[40];
        final byte[] head = datagram(SOURCE, DESTINATION, UDP, ID, 0x2000, options, new byte[8]);
        assertNull(offer(tail, 0));
        assertNull(offer(head, 1));
        assertEquals(1, counter(counters, "ipv4.reasm.oversize"));
        assertEquals(0, reassembler.active());
    }

    @Test
    void shouldDropNonLastFragmentWhoseDataIsNotMultipleOfEight()
    {
        assertNull(offer(first, 0));
        assertNull(offer(fragment(ID, 8, true, new byte[7]), 1));
        assertEquals(1, counter(counters, "ipv4.reasm.bad_fragment"));
        assertEquals(1, reassembler.active(), "the datagram survives a bad fragment that contradicts nothing");
        assertNull(offer(second, 2));
        assertCompletes(offer(last, 3));
    }

    @Test
    void shouldDiscardDatagramOnSecondLastFragmentWithDifferentEnd()
    {
        assertNull(offer(last, 0));
        assertNull(offer(fragment(ID, 24, false, new byte[8]), 1));
        assertEquals(1, counter(counters, "ipv4.reasm.bad_fragment"));
        assertEquals(0, reassembler.active());
    }

    @Test
    void shouldDiscardDatagramOnDataBeyondTheLastFragment()
    {
        assertNull(offer(last, 0));
        assertNull(offer(fragment(ID, 24, true, new byte[8]), 1));
        assertEquals(1, counter(counters, "ipv4.reasm.bad_fragment"));
        assertEquals(0, reassembler.active());
    }

    @Test
    void shouldDiscardDatagramWithTooManyFragments()
    {
        // The limit is 8 fragments; a ninth distinct one kills the datagram.
        for (int i = 0; i < 8; i++)
        {
            assertNull(offer(fragment(ID, i * 8, true, new byte[8]), i));
        }
        assertEquals(1, reassembler.active());
        assertNull(offer(fragment(ID, 64, false, new byte[8]), 8));
        assertEquals(1, counter(counters, "ipv4.reasm.bad_fragment"));
        assertEquals(0, reassembler.active());
    }

    @Test
    void shouldExpireAfterTimeoutAndReturnBufferToPool()
    {
        assertNull(offer(first, 100));
        assertNull(offer(second, 200));
        assertEquals(100 + TIMEOUT, reassembler.nextDeadline());
        assertEquals(datagramPool.capacity() - 1, datagramPool.available());

        final List<byte[]> quoted = new ArrayList<>();
        final ReassemblyTimeoutHandler handler = (buffer, offset, length) ->
        {
            final byte[] b = new byte[length];
            buffer.getBytes(offset, b);
            quoted.add(b);
        };
        assertEquals(0, reassembler.expire(100 + TIMEOUT - 1, handler));
        assertEquals(1, reassembler.expire(100 + TIMEOUT, handler));
        assertEquals(1, counter(counters, "ipv4.reasm.timeouts"));
        assertEquals(datagramPool.capacity(), datagramPool.available());
        assertEquals(Long.MAX_VALUE, reassembler.nextDeadline());

        // RFC 792: the ICMP message quotes fragment zero's header as received plus 8 data bytes.
        assertEquals(1, quoted.size());
        assertArrayEquals(first, quoted.get(0));

        // The late last fragment starts a new datagram, which is not completed by the old pieces.
        assertNull(offer(last, 300));
        assertEquals(1, reassembler.active());
    }

    @Test
    void shouldNotReportTimeoutWithoutFragmentZero()
    {
        assertNull(offer(second, 0));
        final int[] calls = new int[1];
        assertEquals(1, reassembler.expire(TIMEOUT, (buffer, offset, length) -> calls[0]++));
        assertEquals(0, calls[0], "RFC 1122 3.3.2: Time Exceeded only if fragment zero was received");
    }

    @Test
    void shouldEvictOldestDatagramWhenNoSlotIsFree()
    {
        assertNull(offer(fragment(1, 0, true, new byte[8]), 10));
        assertNull(offer(fragment(2, 0, true, new byte[8]), 20));
        assertNull(offer(fragment(3, 0, true, new byte[8]), 30));
        assertEquals(3, reassembler.active());

        assertNull(offer(first, 40));
        assertEquals(1, counter(counters, "ipv4.reasm.no_slot"));
        assertEquals(3, reassembler.active());
        assertEquals(20 + TIMEOUT, reassembler.nextDeadline(), "datagram 1, the oldest, was evicted");
        assertEquals(datagramPool.capacity() - 3, datagramPool.available(), "the evicted buffer was reused");

        assertNull(offer(second, 50));
        assertCompletes(offer(last, 60));
    }

    @Test
    void shouldDropFragmentWhenPoolIsExhausted()
    {
        final List<PacketBuffer> taken = new ArrayList<>();
        while (datagramPool.available() > 0)
        {
            taken.add(datagramPool.acquire());
        }
        assertNull(offer(first, 0));
        assertEquals(1, counter(counters, "ipv4.reasm.no_buffer"));
        assertEquals(0, reassembler.active());
        taken.forEach(PacketBuffer::release);
    }

    @Test
    void shouldPassUnfragmentedDatagramThroughAndFlushSameId()
    {
        assertNull(offer(first, 0));
        final PacketBuffer in = buffer(fragmentPool, whole);
        final PacketBuffer out = reassembler.offer(in, 1);
        assertSame(in, out);
        assertArrayEquals(whole, bytes(out));
        out.release();
        // RFC 791 3.2 step (4): a whole datagram flushes the reassembly under its buffer identifier.
        assertEquals(0, reassembler.active());
    }

    @Test
    void shouldKeepDfAndOptionsOfFragmentZero()
    {
        final byte[] options = {(byte)0x94, 4, 0, 0, 7, 3, 4, 0}; // router alert, record route (empty)
        final byte[] head = datagram(SOURCE, DESTINATION, UDP, ID, 0x4000 | 0x2000, options, slice(data, 0, 16));
        assertNull(offer(last, 0));
        final PacketBuffer result = offer(head, 1);
        assertNotNull(result);
        final byte[] expected = datagram(SOURCE, DESTINATION, UDP, ID, 0x4000, options, data);
        assertArrayEquals(expected, bytes(result));
        assertTrue(result.offset() >= datagramPool.headroom(), "room in front to forward it");
        result.release();
    }

    @Test
    void shouldKeepDatagramsWithDifferentKeysApart()
    {
        final byte[] otherProtocol = datagram(SOURCE, DESTINATION, 6, ID, 0x2000, new byte[0], slice(data, 0, 8));
        final byte[] otherSource = datagram(SOURCE + 1, DESTINATION, UDP, ID, 0x2000, new byte[0], slice(data, 0, 8));
        assertNull(offer(otherProtocol, 0));
        assertNull(offer(otherSource, 0));
        assertNull(offer(first, 0));
        assertNull(offer(second, 0));
        assertEquals(3, reassembler.active());
        assertCompletes(offer(last, 0));
        assertEquals(2, reassembler.active());
    }

    @Test
    void shouldDropMalformedFragmentsWithoutThrowing()
    {
        final byte[] shortHeader = slice(first, 0, 12);
        final byte[] badIhl = first.clone();
        badIhl[0] = 0x4F; // IHL 60 > length 28
        final byte[] empty = fragment(ID, 8, true, new byte[0]);
        assertNull(offer(shortHeader, 0));
        assertNull(offer(badIhl, 0));
        assertNull(offer(empty, 0));
        assertEquals(3, counter(counters, "ipv4.reasm.bad_fragment"));
        assertEquals(0, reassembler.active());
    }

    @Test
    void shouldReassembleLargestDatagramOverEthernetWithDefaults()
    {
        // 65515 data bytes at MTU 1500 make 45 fragments: within the default limit of 64.
        final Reassembler defaults = Reassembler.withDefaults(datagramPool, counters);
        final byte[] original = datagram(SOURCE, DESTINATION, UDP, 7, 0, new byte[0], randomBytes(5, 65_515));
        final List<PacketBuffer> fragments = new ArrayList<>();
        assertEquals(45, Fragmenter.fragment(buffer(datagramPool, original), 1500, fragmentPool, fragments::add));
        PacketBuffer result = null;
        for (int i = fragments.size() - 1; i >= 0; i--)
        {
            assertNull(result);
            result = defaults.offer(fragments.get(i), i);
        }
        assertNotNull(result);
        assertArrayEquals(original, bytes(result));
        result.release();
        assertEquals(0, defaults.active());
    }

    @Test
    void shouldReturnAllBuffersOnClear()
    {
        assertNull(offer(first, 0));
        assertNull(offer(fragment(2, 0, true, new byte[8]), 0));
        assertEquals(datagramPool.capacity() - 2, datagramPool.available());
        reassembler.clear();
        assertEquals(0, reassembler.active());
        assertEquals(datagramPool.capacity(), datagramPool.available());
    }

    @Test
    void shouldTellFragmentsFromWholeDatagrams()
    {
        assertFalse(Reassembler.isFragment(0));
        assertFalse(Reassembler.isFragment(0x4000));
        assertFalse(Reassembler.isFragment(0x8000));
        assertTrue(Reassembler.isFragment(0x2000));
        assertTrue(Reassembler.isFragment(0x0001));
        assertTrue(Reassembler.isFragment(0x4000 | 0x1FFF));
    }

    private PacketBuffer offer(final byte[] fragment, final long nowNs)
    {
        return reassembler.offer(buffer(fragmentPool, fragment), nowNs);
    }

    private void assertCompletes(final PacketBuffer result)
    {
        assertNotNull(result);
        assertArrayEquals(whole, bytes(result));
        assertSame(datagramPool, result.pool());
        result.release();
    }
}
