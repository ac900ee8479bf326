package io.flowstack.tcp.buffer;

import io.flowstack.core.seq.Seq;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the send and receive buffers against simple models, with initial sequence numbers anywhere and
 * especially just before 2^31 and 2^32. Each case draws a seed; a failure reports it.
 */
class BufferProperties
{
    /**
     * Initial sequence numbers: any int, or one at most 4 KiB before 2^31 or 2^32 so that the stream crosses it.
     */
    @Provide
    Arbitrary<Integer> initialSequence()
    {
        return Arbitraries.oneOf(
            Arbitraries.integers(),
            Arbitraries.of(0xFFFF_FF00, 0x7FFF_FF00, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0),
            Arbitraries.integers().between(-4096, 0),
            Arbitraries.integers().between(-4096, 0).map(x -> Integer.MIN_VALUE + x));
    }

    private static byte[] randomBytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A segment of the stream: [from, from + length). */
    private record Segment(int from, int length)
    {
    }

    @Property(tries = 400)
    void shouldDeliverAnyArrivalOrderAsTheOriginalStream(
        @ForAll("initialSequence") final int irs,
        @ForAll @IntRange(min = 1, max = 3000) final int streamLength,
        @ForAll @IntRange(min = 4, max = 10) final int capacityLog2,
        @ForAll @IntRange(max = 6) final int maxOooRanges,
        @ForAll final long seed)
    {
        final Random random = new Random(seed);
        final int capacity = 1 << capacityLog2;
        final byte[] stream = randomBytes(random, streamLength);
        final UnsafeBuffer source = new UnsafeBuffer(stream);

        // Cut the stream into segments, then add duplicates and segments overlapping the cuts; shuffle them all.
        final List<Segment> segments = new ArrayList<>();
        for (int at = 0; at < streamLength; )
        {
            final int length = Math.min(streamLength - at, 1 + random.nextInt(Math.min(capacity, 300)));
            segments.add(new Segment(at, length));
            at += length;
        }
        final int extras = random.nextInt(segments.size() + 1);
        for (int i = 0; i < extras; i++)
        {
            if (random.nextBoolean())
            {
                segments.add(segments.get(random.nextInt(segments.size())));
            }
            else
            {
                final int from = random.nextInt(streamLength);
                segments.add(new Segment(from, 1 + random.nextInt(Math.min(capacity, streamLength - from))));
            }
        }
        Collections.shuffle(segments, random);

        final int first = irs + 1;
        final ReceiveBuffer buffer = new ReceiveBuffer(capacity, maxOooRanges);
        buffer.reset(irs);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[capacity]);
        int delivered = 0;

        // Each pass offers every segment, as a sender retransmitting whatever is unacknowledged would; a pass
        // starts with an empty buffer, so the segment at RCV.NXT always gets in and every pass makes progress.
        for (int pass = 0; delivered < streamLength; pass++)
        {
            assertTrue(pass <= streamLength, "no progress");
            for (final Segment s : segments)
            {
                final int rcvNxt = buffer.rcvNxt();
                final int rightEdge = buffer.rightEdge();
                final int n = buffer.offer(first + s.from(), source, s.from(), s.length());

                assertEquals(rcvNxt + n, buffer.rcvNxt(), "offer returns how far RCV.NXT moved");
                assertEquals(rightEdge, buffer.rightEdge(), "RFC 9293 3.8.6: the right edge never moves left");
                assertTrue(buffer.window() >= 0 && buffer.window() <= capacity, "window " + buffer.window());
                assertEquals(buffer.rightEdge(), buffer.rcvNxt() + buffer.window());
                assertEquals(first + delivered + buffer.readable(), buffer.rcvNxt());
                assertTrue(buffer.outOfOrderRanges() <= maxOooRanges);
                assertEquals(buffer.outOfOrderRanges() > 0, buffer.hasOutOfOrder());

                for (int b = 0; b < buffer.outOfOrderRanges(); b++)
                {
                    final int left = buffer.rangeStart(b);
                    assertTrue(Seq.gt(left, buffer.rcvNxt()), "a hole precedes every SACK block");
                    assertTrue(Seq.lt(left, buffer.rangeEnd(b)));
                    assertTrue(Seq.le(buffer.rangeEnd(b), buffer.rightEdge()));
                    assertTrue(b == 0 || Seq.lt(buffer.rangeEnd(b - 1), left), "disjoint, not adjacent, in order");
                    assertEquals(b, buffer.rangeHolding(left));
                    assertEquals(b, buffer.rangeHolding(buffer.rangeEnd(b) - 1));
                }
                assertEquals(-1, buffer.rangeHolding(buffer.rcvNxt()));

                if (random.nextInt(4) == 0)
                {
                    delivered += readAndCompare(buffer, out, random.nextInt(capacity + 1), stream, delivered);
                }
            }
            delivered += readAndCompare(buffer, out, capacity, stream, delivered);
            assertEquals(capacity, buffer.window());
        }
        assertEquals(streamLength, delivered);
        assertEquals(first + streamLength, buffer.rcvNxt());
    }

    private static int readAndCompare(
        final ReceiveBuffer buffer, final UnsafeBuffer out, final int length, final byte[] stream, final int at)
    {
        final int rightEdge = buffer.rightEdge();
        final int readable = buffer.readable();
        final int n = buffer.read(out, 0, length);
        assertEquals(Math.min(length, readable), n);
        assertEquals(rightEdge + n, buffer.rightEdge(), "reading moves the right edge by what was read");
        for (int i = 0; i < n; i++)
        {
            assertEquals(stream[at + i], out.getByte(i), "stream byte " + (at + i));
        }
        return n;
    }

    @Property(tries = 300)
    void shouldMatchModelOfSendBuffer(
        @ForAll("initialSequence") final int iss,
        @ForAll @IntRange(min = 2, max = 10) final int capacityLog2,
        @ForAll final long seed)
    {
        final Random random = new Random(seed);
        final int capacity = 1 << capacityLog2;
        final SendBuffer buffer = new SendBuffer(capacity);
        buffer.reset(iss);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[capacity + 16]);

        // Model: every byte ever written, and the stream offset of SND.UNA.
        final byte[] written = new byte[300 * 2 * capacity];
        int writtenLength = 0;
        int unaOffset = 0;

        for (int op = 0; op < 300; op++)
        {
            final int size = writtenLength - unaOffset;
            switch (random.nextInt(3))
            {
                case 0:
                {
                    final byte[] data = randomBytes(random, random.nextInt(capacity * 3 / 2 + 1));
                    final int n = buffer.write(new UnsafeBuffer(data), 0, data.length);
                    assertEquals(Math.min(data.length, capacity - size), n, "takes what fits");
                    System.arraycopy(data, 0, written, writtenLength, n);
                    writtenLength += n;
                    break;
                }
                case 1:
                {
                    final int d = random.nextInt(size + 41) - 20;
                    final int n = buffer.acknowledge(iss + 1 + unaOffset + d);
                    assertEquals(d <= 0 ? 0 : Math.min(d, size), n, "ACK " + d + " past SND.UNA");
                    unaOffset += n;
                    break;
                }
                default:
                {
                    final int d = random.nextInt(size + 21) - 10;
                    final int length = random.nextInt(capacity + 1);
                    final int n = buffer.copy(iss + 1 + unaOffset + d, out, 0, length);
                    final int expected = d < 0 || d >= size ? 0 : Math.min(length, size - d);
                    assertEquals(expected, n, "copy at " + d + " past SND.UNA");
                    for (int i = 0; i < n; i++)
                    {
                        assertEquals(written[unaOffset + d + i], out.getByte(i));
                    }
                    break;
                }
            }
            assertEquals(writtenLength - unaOffset, buffer.size());
            assertEquals(capacity - buffer.size(), buffer.free());
            assertEquals(iss + 1 + unaOffset, buffer.firstSeq());
            assertEquals(iss + 1 + writtenLength, buffer.endSeq());
        }
    }
}
