package io.flowstack.core.pcap;

import com.sun.management.ThreadMXBean;
import io.flowstack.core.testing.ToolRequirement;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Round trips through {@link PcapWriter} and {@link PcapReader}, and a check that Wireshark reads the files.
 */
class PcapWriterTest
{
    private static final long BASE_NANOS = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    /**
     * A broadcast ARP request "who has 192.168.1.1? tell 192.168.1.100", padded to the 60-byte Ethernet minimum.
     */
    private static byte[] arpRequest()
    {
        final byte[] frame = new byte[60];
        final int[] header = {
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0xa8, 0x01, 0x64,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x01};
        for (int i = 0; i < header.length; i++)
        {
            frame[i] = (byte)header[i];
        }
        return frame;
    }

    private static List<byte[]> frames()
    {
        final Random random = new Random(42);
        final List<byte[]> frames = new ArrayList<>();
        for (final int length : new int[] {60, 14, 1514, 9000, 0, 61, 1})
        {
            final byte[] frame = new byte[length];
            random.nextBytes(frame);
            frames.add(frame);
        }
        frames.add(arpRequest());
        return frames;
    }

    private static void writeAll(final PcapWriter writer, final List<byte[]> frames)
    {
        long nanos = BASE_NANOS;
        for (final byte[] frame : frames)
        {
            // Place the frame at an odd offset of a larger buffer to check offset handling.
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frame.length + 3]);
            buffer.putBytes(3, frame);
            writer.write(nanos, buffer, 3, frame.length);
            nanos += 1_001_000L;
        }
    }

    private static void assertReadBack(final Path file, final List<byte[]> frames) throws IOException
    {
        final PcapReader reader = new PcapReader(file);
        assertEquals(PcapWriter.LINKTYPE_ETHERNET, reader.linkType());
        assertEquals(PcapWriter.SNAPLEN, reader.snaplen());
        final List<PcapReader.Record> records = PcapReader.readAll(file);
        assertEquals(frames.size(), records.size());
        long nanos = BASE_NANOS;
        for (int i = 0; i < frames.size(); i++)
        {
            assertArrayEquals(frames.get(i), records.get(i).data(), "frame " + i);
            assertEquals(frames.get(i).length, records.get(i).originalLength());
            // Microsecond resolution: the nanoseconds below a microsecond are dropped.
            assertEquals(nanos / 1_000L * 1_000L, records.get(i).epochNanos());
            nanos += 1_001_000L;
        }
    }

    @Test
    void shouldWriteClassicLittleEndianFileHeader() throws IOException
    {
        final Path file = dir.resolve("empty.pcap");
        new PcapWriter(file).close();

        final ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file));
        assertEquals(24, header.capacity());
        assertArrayEquals(new byte[] {(byte)0xd4, (byte)0xc3, (byte)0xb2, (byte)0xa1, 2, 0, 4, 0},
            Arrays.copyOf(header.array(), 8));
        header.order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, header.getInt(8));
        assertEquals(0, header.getInt(12));
        assertEquals(65535, header.getInt(16));
        assertEquals(1, header.getInt(20));
    }

    @Test
    void shouldReadBackWrittenFrames() throws IOException
    {
        final Path file = dir.resolve("frames.pcap");
        final List<byte[]> frames = frames();
        try (PcapWriter writer = new PcapWriter(file))
        {
            writeAll(writer, frames);
        }
        assertReadBack(file, frames);
    }

    @Test
    void shouldStreamFramesLargerThanStagingSpace() throws IOException
    {
        final Path file = dir.resolve("small-staging.pcap");
        final List<byte[]> frames = frames();
        try (PcapWriter writer = new PcapWriter(file, 100))
        {
            writeAll(writer, frames);
            writer.flush();
            writeAll(writer, List.of());
        }
        assertReadBack(file, frames);
    }

    @Test
    void shouldTruncateFramesLongerThanSnaplen() throws IOException
    {
        final Path file = dir.resolve("jumbo.pcap");
        final byte[] frame = new byte[70_000];
        new Random(7).nextBytes(frame);
        try (PcapWriter writer = new PcapWriter(file))
        {
            writer.write(BASE_NANOS, new UnsafeBuffer(frame), 0, frame.length);
        }
        final List<PcapReader.Record> records = PcapReader.readAll(file);
        assertEquals(1, records.size());
        assertEquals(70_000, records.get(0).originalLength());
        assertArrayEquals(Arrays.copyOf(frame, PcapWriter.SNAPLEN), records.get(0).data());
    }

    @Test
    void shouldRejectWriteAfterClose() throws IOException
    {
        final PcapWriter writer = new PcapWriter(dir.resolve("closed.pcap"));
        writer.close();
        writer.close();
        assertThrows(IllegalStateException.class, () -> writer.write(0, new UnsafeBuffer(new byte[1]), 0, 1));
    }

    @Test
    void shouldNotAllocatePerWrite() throws IOException
    {
        final Object bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof ThreadMXBean, "no allocation counter");
        final ThreadMXBean threads = (ThreadMXBean)bean;
        final long threadId = Thread.currentThread().getId();

        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1514]);
        try (PcapWriter writer = new PcapWriter(dir.resolve("alloc.pcap")))
        {
            for (int i = 0; i < 20_000; i++)
            {
                writer.write(BASE_NANOS + i, frame, 0, 1514);
            }
            final long before = threads.getThreadAllocatedBytes(threadId);
            // About 30 MB: the staging buffer fills and goes to the file about 30 times.
            for (int i = 0; i < 20_000; i++)
            {
                writer.write(BASE_NANOS + i, frame, 0, 1514);
            }
            final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
            assertTrue(allocated < 1024, "allocated " + allocated + " bytes");
        }
    }

    @Test
    void shouldBeReadableByTshark() throws Exception
    {
        ToolRequirement.require("tshark");

        final Path file = dir.resolve("tshark.pcap");
        final List<byte[]> frames = frames();
        try (PcapWriter writer = new PcapWriter(file))
        {
            writeAll(writer, frames);
        }

        final Process process = new ProcessBuilder(
            "tshark", "-n", "-r", file.toString(), "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "tshark timed out");
        assertEquals(0, process.exitValue(), out);

        final String[] lines = out.strip().split("\n");
        assertEquals(frames.size(), lines.length, out);
        for (int i = 0; i < frames.size(); i++)
        {
            final String length = Integer.toString(frames.get(i).length);
            assertEquals(length + "\t" + length, lines[i], "frame " + i);
        }

        final Process summary = new ProcessBuilder("tshark", "-n", "-r", file.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        final String listing = new String(summary.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(summary.waitFor(60, TimeUnit.SECONDS), "tshark timed out");
        assertEquals(0, summary.exitValue(), listing);
        assertEquals(frames.size(), listing.strip().split("\n").length, listing);
        assertTrue(listing.contains("Who has 192.168.1.1? Tell 192.168.1.100"), listing);
    }
}
