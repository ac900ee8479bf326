package io.flowstack.core.pcap;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes Ethernet frames to a classic libpcap file (magic 0xa1b2c3d4, version 2.4, microsecond timestamps,
 * {@link #LINKTYPE_ETHERNET}).
 * <p>
 * Records are staged in a preallocated direct buffer and written to the file when it fills, so
 * {@link #write(long, DirectBuffer, int, int)} allocates nothing. A record larger than the staging space is
 * streamed through it in chunks. The file is little-endian; readers detect the order from the magic number.
 * Not thread-safe: one writer per thread.
 */
public final class PcapWriter implements AutoCloseable
{
    /** Magic number of a classic pcap file with microsecond timestamps. */
    public static final int MAGIC = 0xa1b2c3d4;

    /** Major version of the file format. */
    public static final int VERSION_MAJOR = 2;

    /** Minor version of the file format. */
    public static final int VERSION_MINOR = 4;

    /** Largest number of bytes stored per frame; longer frames are truncated and keep their original length. */
    public static final int SNAPLEN = 65535;

    /** Link type of IEEE 802.3 Ethernet frames. */
    public static final int LINKTYPE_ETHERNET = 1;

    /** Length of the file header. */
    public static final int FILE_HEADER_LENGTH = 24;

    /** Length of each record header: seconds, microseconds, stored length, original length. */
    public static final int RECORD_HEADER_LENGTH = 16;

    /** Default size of the staging buffer. */
    public static final int DEFAULT_STAGING_CAPACITY = 1024 * 1024;

    private final FileChannel channel;
    private final ByteBuffer staging;
    private final UnsafeBuffer stagingView;
    private boolean closed;

    /**
     * Creates or truncates {@code file} and writes the file header.
     *
     * @param file where to write.
     * @throws IOException if the file cannot be opened or written.
     */
    public PcapWriter(final Path file) throws IOException
    {
        this(file, DEFAULT_STAGING_CAPACITY);
    }

    /**
     * Creates or truncates {@code file} and writes the file header.
     *
     * @param file            where to write.
     * @param stagingCapacity bytes of the staging buffer; at least {@link #FILE_HEADER_LENGTH}.
     * @throws IOException if the file cannot be opened or written.
     */
    public PcapWriter(final Path file, final int stagingCapacity) throws IOException
    {
        if (stagingCapacity < FILE_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("staging capacity too small: " + stagingCapacity);
        }
        staging = ByteBuffer.allocateDirect(stagingCapacity).order(ByteOrder.LITTLE_ENDIAN);
        stagingView = new UnsafeBuffer(staging);
        channel = FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        try
        {
            stagingView.putInt(0, MAGIC, ByteOrder.LITTLE_ENDIAN);
            stagingView.putShort(4, (short)VERSION_MAJOR, ByteOrder.LITTLE_ENDIAN);
            stagingView.putShort(6, (short)VERSION_MINOR, ByteOrder.LITTLE_ENDIAN);
            stagingView.putInt(8, 0, ByteOrder.LITTLE_ENDIAN); // thiszone: timestamps are UTC
            stagingView.putInt(12, 0, ByteOrder.LITTLE_ENDIAN); // sigfigs: always 0
            stagingView.putInt(16, SNAPLEN, ByteOrder.LITTLE_ENDIAN);
            stagingView.putInt(20, LINKTYPE_ETHERNET, ByteOrder.LITTLE_ENDIAN);
            staging.position(FILE_HEADER_LENGTH);
            flush();
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Appends one frame. Frames longer than {@link #SNAPLEN} are truncated; the record keeps the original length.
     *
     * @param epochNanos capture time in nanoseconds since the Unix epoch; stored with microsecond resolution.
     * @param buffer     bytes of the frame.
     * @param offset     first byte of the frame.
     * @param length     length of the frame.
     * @throws UncheckedIOException if the file cannot be written.
     */
    public void write(final long epochNanos, final DirectBuffer buffer, final int offset, final int length)
    {
        ensureOpen();
        final int storedLength = Math.min(length, SNAPLEN);
        final long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
        final long micros = Math.floorMod(epochNanos, 1_000_000_000L) / 1_000L;

        if (staging.remaining() < RECORD_HEADER_LENGTH + storedLength)
        {
            flushQuietly();
        }
        int position = staging.position();
        stagingView.putInt(position, (int)seconds, ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(position + 4, (int)micros, ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(position + 8, storedLength, ByteOrder.LITTLE_ENDIAN);
        stagingView.putInt(position + 12, length, ByteOrder.LITTLE_ENDIAN);
        position += RECORD_HEADER_LENGTH;
        staging.position(position);

        int copied = 0;
        while (copied < storedLength)
        {
            // Only a frame larger than the staging space loops: it goes out in staging-sized chunks.
            if (!staging.hasRemaining())
            {
                flushQuietly();
            }
            final int chunk = Math.min(staging.remaining(), storedLength - copied);
            stagingView.putBytes(staging.position(), buffer, offset + copied, chunk);
            staging.position(staging.position() + chunk);
            copied += chunk;
        }
    }

    /**
     * Writes all staged records to the file (without forcing them to the storage device).
     *
     * @throws IOException if the file cannot be written.
     */
    public void flush() throws IOException
    {
        ensureOpen();
        staging.flip();
        try
        {
            while (staging.hasRemaining())
            {
                channel.write(staging);
            }
        }
        finally
        {
            staging.clear();
        }
    }

    /**
     * Flushes staged records and closes the file. Calling it again does nothing.
     *
     * @throws IOException if the file cannot be written or closed.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        try
        {
            flush();
        }
        finally
        {
            closed = true;
            channel.close();
        }
    }

    private void flushQuietly()
    {
        try
        {
            flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("pcap writer is closed");
        }
    }
}
