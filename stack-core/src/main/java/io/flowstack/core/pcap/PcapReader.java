package io.flowstack.core.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads a classic libpcap file into memory, for tests and tools. Accepts either byte order and both the
 * microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magic numbers. Allocates freely: not for hot paths.
 */
public final class PcapReader
{
    /** Magic number of a classic pcap file with nanosecond timestamps. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;

    /**
     * One captured frame.
     *
     * @param epochNanos     capture time in nanoseconds since the Unix epoch.
     * @param data           stored bytes (at most the snapshot length).
     * @param originalLength length of the frame on the wire.
     */
    public record Record(long epochNanos, byte[] data, int originalLength)
    {
    }

    private final ByteBuffer file;
    private final int snaplen;
    private final int linkType;
    private final boolean nanos;

    /**
     * Reads the whole file and its header.
     *
     * @param path file to read.
     * @throws IOException if the file cannot be read or is not a classic pcap file.
     */
    public PcapReader(final Path path) throws IOException
    {
        file = ByteBuffer.wrap(Files.readAllBytes(path));
        if (file.remaining() < PcapWriter.FILE_HEADER_LENGTH)
        {
            throw new IOException("not a pcap file (too short): " + path);
        }
        file.order(ByteOrder.LITTLE_ENDIAN);
        final int magic = file.getInt(0);
        if (magic == Integer.reverseBytes(PcapWriter.MAGIC) || magic == Integer.reverseBytes(MAGIC_NANOS))
        {
            file.order(ByteOrder.BIG_ENDIAN);
        }
        final int ordered = file.getInt(0);
        if (ordered != PcapWriter.MAGIC && ordered != MAGIC_NANOS)
        {
            throw new IOException("not a classic pcap file, magic " + Integer.toHexString(magic) + ": " + path);
        }
        nanos = ordered == MAGIC_NANOS;
        snaplen = file.getInt(16);
        linkType = file.getInt(20);
        file.position(PcapWriter.FILE_HEADER_LENGTH);
    }

    /**
     * @return the snapshot length from the file header.
     */
    public int snaplen()
    {
        return snaplen;
    }

    /**
     * @return the link type from the file header, e.g. {@link PcapWriter#LINKTYPE_ETHERNET}.
     */
    public int linkType()
    {
        return linkType;
    }

    /**
     * @return true if another complete record follows.
     */
    public boolean hasNext()
    {
        if (file.remaining() < PcapWriter.RECORD_HEADER_LENGTH)
        {
            return false;
        }
        final long storedLength = file.getInt(file.position() + 8) & 0xFFFF_FFFFL;
        return file.remaining() - PcapWriter.RECORD_HEADER_LENGTH >= storedLength;
    }

    /**
     * @return the next record.
     * @throws NoSuchElementException if no complete record follows.
     */
    public Record next()
    {
        if (!hasNext())
        {
            throw new NoSuchElementException("no more complete records");
        }
        final long seconds = file.getInt() & 0xFFFF_FFFFL;
        final long fraction = file.getInt() & 0xFFFF_FFFFL;
        final int storedLength = file.getInt();
        final int originalLength = file.getInt();
        final byte[] data = new byte[storedLength];
        file.get(data);
        final long epochNanos = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1_000L);
        return new Record(epochNanos, data, originalLength);
    }

    /**
     * Reads every complete record of a file.
     *
     * @param path file to read.
     * @return the records in file order.
     * @throws IOException if the file cannot be read or is not a classic pcap file.
     */
    public static List<Record> readAll(final Path path) throws IOException
    {
        final PcapReader reader = new PcapReader(path);
        final List<Record> records = new ArrayList<>();
        while (reader.hasNext())
        {
            records.add(reader.next());
        }
        return records;
    }
}
