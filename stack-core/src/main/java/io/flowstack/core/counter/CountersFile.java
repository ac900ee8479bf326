package io.flowstack.core.counter;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A memory-mapped file holding a {@link CountersManager}'s buffers, so that another process (for example
 * {@code flowstack stat}) can read a running stack's counters, in the style of Aeron's CnC file.
 * <p>
 * Layout: a {@link #HEADER_LENGTH}-byte header, then the metadata buffer, then the values buffer. Every field is
 * in the machine's byte order (writer and reader share the machine). The writer fills the header and publishes
 * it by writing {@link #LAYOUT_VERSION} last with a release store; the file only appears under its final name
 * once that is done (it is written under a temporary name and renamed), so a reader never sees half a header.
 * <p>
 * The writer deletes the file on {@link #close()}; a file whose writer died without closing is removed by the
 * next {@link #live()}.
 */
public final class CountersFile implements AutoCloseable
{
    /** "FLOWSTAK" in ASCII, as the first 8 bytes of the file. */
    public static final byte[] MAGIC = "FLOWSTAK".getBytes(StandardCharsets.US_ASCII);
    /** Version of this layout; a reader refuses any other. */
    public static final int LAYOUT_VERSION = 1;
    /** Offset of the 8 magic bytes. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the int layout version, written last: 0 means the header is not complete. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the int length in bytes of the UTF-8 description at {@link #DESCRIPTION_OFFSET}. */
    public static final int DESCRIPTION_LENGTH_OFFSET = 12;
    /** Offset of the long pid of the writing process. */
    public static final int PID_OFFSET = 16;
    /** Offset of the long epoch milliseconds at which the writer created the file. */
    public static final int START_TIME_OFFSET = 24;
    /** Offset of the int length of the metadata buffer. */
    public static final int METADATA_LENGTH_OFFSET = 32;
    /** Offset of the int length of the values buffer. */
    public static final int VALUES_LENGTH_OFFSET = 36;
    /** Offset of the description's UTF-8 bytes. */
    public static final int DESCRIPTION_OFFSET = 40;
    /** Most bytes of description kept; longer ones are cut. */
    public static final int MAX_DESCRIPTION_LENGTH = 256;
    /** Length of the header; the metadata buffer starts here, aligned like the buffers that follow. */
    public static final int HEADER_LENGTH = 512;
    /** System property that overrides {@link #defaultDirectory()} (for tests, or to keep several apart). */
    public static final String DIRECTORY_PROP_NAME = "flowstack.counters.dir";
    /** Name suffix of counters files in {@link #defaultDirectory()}. */
    public static final String SUFFIX = ".counters";

    private final Path path;
    private final MappedByteBuffer mapped;
    private final boolean writer;
    private final long pid;
    private final long startTimeMs;
    private final String description;
    private final CountersReader reader;
    private final CountersManager manager;
    private boolean closed;

    private CountersFile(
        final Path path,
        final MappedByteBuffer mapped,
        final boolean writer,
        final long pid,
        final long startTimeMs,
        final String description,
        final CountersReader reader,
        final CountersManager manager)
    {
        this.path = path;
        this.mapped = mapped;
        this.writer = writer;
        this.pid = pid;
        this.startTimeMs = startTimeMs;
        this.description = description;
        this.reader = reader;
        this.manager = manager;
    }

    /**
     * Creates (or replaces a stale) counters file owned by this process and maps it read-write.
     *
     * @param file        where to create it; parent directories are created.
     * @param maxCounters how many counters fit.
     * @param description free-form text shown by readers, e.g. the command line; cut to 256 bytes of UTF-8.
     * @return the file, whose {@link #manager()} allocates counters in it.
     * @throws IOException if the file cannot be written, or belongs to another running process.
     */
    public static CountersFile create(final Path file, final int maxCounters, final String description)
        throws IOException
    {
        if (maxCounters <= 0 || maxCounters > (Integer.MAX_VALUE - HEADER_LENGTH) / CountersReader.METADATA_LENGTH / 2)
        {
            throw new IllegalArgumentException("maxCounters out of range: " + maxCounters);
        }
        final long pid = ProcessHandle.current().pid();
        refuseIfOwnedByAnother(file, pid);
        final Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        final int metaLength = maxCounters * CountersReader.METADATA_LENGTH;
        final int valuesLength = maxCounters * CountersReader.COUNTER_LENGTH;
        final long total = (long)HEADER_LENGTH + metaLength + valuesLength;

        // Written under a temporary name and renamed, so a reader sees a complete header or no file at all.
        final Path tmp = parent.resolve(file.getFileName() + ".tmp" + pid);
        final MappedByteBuffer mapped;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            // Mapping past the end grows the file; on tmpfs the pages stay unallocated until touched.
            mapped = ch.map(FileChannel.MapMode.READ_WRITE, 0, total);
        }
        catch (final IOException | RuntimeException e)
        {
            Files.deleteIfExists(tmp);
            throw e;
        }
        final long startTimeMs = System.currentTimeMillis();
        final String desc = cut(description == null ? "" : description);
        final byte[] descBytes = desc.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        header.putBytes(MAGIC_OFFSET, MAGIC);
        header.putInt(METADATA_LENGTH_OFFSET, metaLength);
        header.putLong(PID_OFFSET, pid);
        header.putLong(START_TIME_OFFSET, startTimeMs);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putInt(DESCRIPTION_LENGTH_OFFSET, descBytes.length);
        header.putBytes(DESCRIPTION_OFFSET, descBytes);
        header.putIntVolatile(VERSION_OFFSET, LAYOUT_VERSION);
        try
        {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException e)
        {
            IoUtil.unmap(mapped);
            Files.deleteIfExists(tmp);
            throw e;
        }
        final UnsafeBuffer meta = new UnsafeBuffer(mapped, HEADER_LENGTH, metaLength);
        final UnsafeBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + metaLength, valuesLength);
        final CountersManager manager = new CountersManager(meta, values, StandardCharsets.US_ASCII);
        return new CountersFile(file, mapped, true, pid, startTimeMs, desc, manager, manager);
    }

    /**
     * Maps an existing counters file read-only, after checking its header.
     *
     * @param file a file made by {@link #create}.
     * @return the file, whose {@link #reader()} reads the counters while the writer updates them.
     * @throws IOException           if the file is missing, unreadable, or not a counters file.
     * @throws IllegalStateException if the header is not complete yet.
     */
    public static CountersFile openReadOnly(final Path file) throws IOException
    {
        final long size;
        try
        {
            size = Files.size(file);
        }
        catch (final NoSuchFileException e)
        {
            throw new NoSuchFileException(file.toString(), null, "no such counters file");
        }
        if (size < HEADER_LENGTH)
        {
            throw new IOException("not a flowstack counters file: " + file + " (" + size + " bytes, too short)");
        }
        final MappedByteBuffer mapped;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ))
        {
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        try
        {
            return validated(file, mapped, size);
        }
        catch (final IOException | RuntimeException e)
        {
            IoUtil.unmap(mapped);
            throw e;
        }
    }

    private static CountersFile validated(final Path file, final MappedByteBuffer mapped, final long size)
        throws IOException
    {
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final byte[] magic = new byte[MAGIC.length];
        header.getBytes(MAGIC_OFFSET, magic);
        if (!Arrays.equals(magic, MAGIC))
        {
            throw new IOException("not a flowstack counters file: " + file + " (bad magic)");
        }
        final int version = header.getIntVolatile(VERSION_OFFSET);
        if (version == 0)
        {
            throw new IllegalStateException("counters file " + file + " is not initialised yet");
        }
        if (version != LAYOUT_VERSION)
        {
            throw new IOException("counters file " + file + " has layout version " + version
                + ", this flowstack reads version " + LAYOUT_VERSION);
        }
        final int metaLength = header.getInt(METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
        final int descLength = header.getInt(DESCRIPTION_LENGTH_OFFSET);
        final long maxCounters = valuesLength / CountersReader.COUNTER_LENGTH;
        if (valuesLength <= 0 || valuesLength % CountersReader.COUNTER_LENGTH != 0
            || metaLength != maxCounters * CountersReader.METADATA_LENGTH)
        {
            throw new IOException("counters file " + file + " is corrupt (metadata length " + metaLength
                + ", values length " + valuesLength + ")");
        }
        if ((long)HEADER_LENGTH + metaLength + valuesLength > size)
        {
            throw new IOException("counters file " + file + " is truncated (" + size + " bytes, header says "
                + ((long)HEADER_LENGTH + metaLength + valuesLength) + ")");
        }
        if (descLength < 0 || descLength > MAX_DESCRIPTION_LENGTH)
        {
            throw new IOException("counters file " + file + " is corrupt (description length " + descLength + ")");
        }
        final byte[] desc = new byte[descLength];
        header.getBytes(DESCRIPTION_OFFSET, desc);
        final UnsafeBuffer meta = new UnsafeBuffer(mapped, HEADER_LENGTH, metaLength);
        final UnsafeBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + metaLength, valuesLength);
        final CountersReader reader = new CountersReader(meta, values, StandardCharsets.US_ASCII);
        return new CountersFile(file, mapped, false, header.getLong(PID_OFFSET), header.getLong(START_TIME_OFFSET),
            new String(desc, StandardCharsets.UTF_8), reader, null);
    }

    /**
     * @return the directory named by the system property {@value #DIRECTORY_PROP_NAME} if set, else
     * {@code /dev/shm/flowstack} where {@code /dev/shm} exists (memory, not disk), else {@code flowstack} under
     * {@code java.io.tmpdir}.
     */
    public static Path defaultDirectory()
    {
        final String configured = System.getProperty(DIRECTORY_PROP_NAME);
        if (configured != null && !configured.isBlank())
        {
            return Path.of(configured);
        }
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? shm.resolve("flowstack")
            : Path.of(System.getProperty("java.io.tmpdir"), "flowstack");
    }

    /**
     * @param pid a process id.
     * @return where that process publishes its counters by default: {@code defaultDirectory()/<pid>.counters}.
     */
    public static Path defaultFile(final long pid)
    {
        return defaultDirectory().resolve(pid + SUFFIX);
    }

    /**
     * Lists the counters files in {@link #defaultDirectory()} whose writer is running, and deletes those whose
     * writer is gone (left behind by a crash or a kill). Files that are not counters files are left alone.
     *
     * @return paths of live counters files, sorted.
     * @throws IOException if the directory cannot be listed.
     */
    public static List<Path> live() throws IOException
    {
        final Path dir = defaultDirectory();
        final List<Path> result = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return result;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX))
        {
            for (final Path f : files)
            {
                final long pid;
                final long startTimeMs;
                try (CountersFile cf = openReadOnly(f))
                {
                    pid = cf.pid();
                    startTimeMs = cf.startTimeMs();
                }
                catch (final IOException | IllegalStateException e)
                {
                    continue;
                }
                if (isAlive(pid, startTimeMs))
                {
                    result.add(f);
                }
                else
                {
                    deleteQuietly(f);
                }
            }
        }
        result.sort(null);
        return result;
    }

    /**
     * @param pid         a writer's pid.
     * @param startTimeMs when it created its file.
     * @return whether that process still runs: the pid exists and did not start after the file was made (a pid
     * reused by a newer process does not count).
     */
    static boolean isAlive(final long pid, final long startTimeMs)
    {
        final Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive())
        {
            return false;
        }
        // The start instant derives from boot time in whole seconds: allow for that before calling it reused.
        return p.get().info().startInstant().map(s -> s.toEpochMilli() <= startTimeMs + 2_000).orElse(true);
    }

    private static void deleteQuietly(final Path f)
    {
        try
        {
            Files.deleteIfExists(f);
        }
        catch (final IOException ignored)
        {
            // Another user's leftover: not ours to remove, and not live either.
        }
    }

    private static void refuseIfOwnedByAnother(final Path file, final long ownPid) throws IOException
    {
        if (!Files.exists(file))
        {
            return;
        }
        final long pid;
        final long startTimeMs;
        try (CountersFile existing = openReadOnly(file))
        {
            pid = existing.pid();
            startTimeMs = existing.startTimeMs();
        }
        catch (final IOException | IllegalStateException e)
        {
            return; // not a valid counters file: a leftover, replaced
        }
        if (pid != ownPid && isAlive(pid, startTimeMs))
        {
            throw new IOException("counters file " + file + " belongs to running process " + pid);
        }
    }

    private static String cut(final String s)
    {
        String t = s;
        while (t.getBytes(StandardCharsets.UTF_8).length > MAX_DESCRIPTION_LENGTH)
        {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    /**
     * @return the manager that allocates counters in this file.
     * @throws IllegalStateException on a file opened read-only.
     */
    public CountersManager manager()
    {
        if (manager == null)
        {
            throw new IllegalStateException("counters file " + path + " is open read-only");
        }
        return manager;
    }

    /**
     * @return a reader of the counters (for the writer, its manager).
     */
    public CountersReader reader()
    {
        return reader;
    }

    /**
     * @return pid of the process that created the file.
     */
    public long pid()
    {
        return pid;
    }

    /**
     * @return epoch milliseconds at which the file was created.
     */
    public long startTimeMs()
    {
        return startTimeMs;
    }

    /**
     * @return the writer's free-form description, possibly empty.
     */
    public String description()
    {
        return description;
    }

    /**
     * @return the file's path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * @return whether the process that created the file still runs.
     */
    public boolean isWriterAlive()
    {
        return isAlive(pid, startTimeMs);
    }

    /**
     * @return whether this process created the file (and deletes it on close).
     */
    public boolean isWriter()
    {
        return writer;
    }

    /**
     * Unmaps the file; the writer also deletes it. Close the stack that updates the counters first. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (writer)
        {
            try
            {
                Files.deleteIfExists(path);
            }
            catch (final IOException ignored)
            {
                // Best effort: a leftover is removed by the next live() once this process is gone.
            }
        }
        IoUtil.unmap(mapped);
    }
}
