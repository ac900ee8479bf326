package io.flowstack.core.counter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A counters file written by one {@link CountersFile} and read through another mapping, the way
 * {@code flowstack stat} reads a running stack; bad files give one clear line; crash leftovers are removed.
 */
class CountersFileTest
{
    @TempDir
    Path dir;

    private static void assertOneLine(final Exception e, final String expected)
    {
        final String msg = e.getMessage();
        assertFalse(msg.contains("\n"), "one line: " + msg);
        assertTrue(msg.contains(expected), "expected '" + expected + "' in: " + msg);
    }

    @Test
    void shouldShowEachCoresCountersToAReadOnlyMapping() throws IOException
    {
        final Path file = dir.resolve("sub/dir/stack.counters");
        try (CountersFile writer = CountersFile.create(file, 64, "serve --tap fst0 --ip 198.18.0.2/24"))
        {
            final CounterSet core0 = new CounterSet(0, writer.manager());
            final CounterSet core1 = new CounterSet(1, writer.manager());
            core0.counter("engine.frames_in").set(7);
            core0.counter("ipv4.rx.bad_checksum").set(2);
            core1.counter("engine.frames_in").set(11);
            core1.counter("udp.rx.datagrams").set(5);

            try (CountersFile reader = CountersFile.openReadOnly(file))
            {
                assertFalse(reader.isWriter());
                assertEquals(ProcessHandle.current().pid(), reader.pid());
                assertEquals(writer.startTimeMs(), reader.startTimeMs());
                assertEquals("serve --tap fst0 --ip 198.18.0.2/24", reader.description());
                assertEquals(file, reader.path());

                final CounterSnapshot seen = CounterSnapshot.of(reader.reader());
                assertEquals(CounterSnapshot.of(writer.reader()), seen);
                assertEquals(Set.of(0, 1), seen.cores());
                assertEquals(Map.of("engine.frames_in", 7L, "ipv4.rx.bad_checksum", 2L), seen.core(0));
                assertEquals(Map.of("engine.frames_in", 11L, "udp.rx.datagrams", 5L), seen.core(1));
                assertEquals(18, seen.total("engine.frames_in"));
                assertEquals(5, seen.value(1, "udp.rx.datagrams"));
                assertEquals(0, seen.value(0, "udp.rx.datagrams"));
                assertFalse(seen.has(0, "udp.rx.datagrams"));
                assertEquals(List.of("engine.frames_in", "ipv4.rx.bad_checksum", "udp.rx.datagrams"),
                    List.copyOf(seen.labels()));

                // The mapping is shared: later updates and later counters show without reopening.
                core1.counter("engine.frames_in").increment();
                core0.counter("rx.drops").set(3);
                final CounterSnapshot later = CounterSnapshot.of(reader.reader());
                assertEquals(12, later.value(1, "engine.frames_in"));
                assertEquals(3, later.value(0, "rx.drops"));
            }
            assertTrue(Files.exists(file), "a reader's close leaves the file");
            assertThrows(IllegalStateException.class, () ->
            {
                try (CountersFile r = CountersFile.openReadOnly(file))
                {
                    r.manager();
                }
            });
        }
        assertFalse(Files.exists(file), "the writer's close deletes the file");
        try (var left = Files.list(file.getParent()))
        {
            assertEquals(0, left.count(), "no temporary file left");
        }
    }

    @Test
    void shouldCutALongDescription() throws IOException
    {
        final Path file = dir.resolve("long.counters");
        try (CountersFile writer = CountersFile.create(file, 4, "x".repeat(1000));
            CountersFile reader = CountersFile.openReadOnly(file))
        {
            assertEquals("x".repeat(CountersFile.MAX_DESCRIPTION_LENGTH), reader.description());
            assertEquals(writer.description(), reader.description());
        }
    }

    @Test
    void shouldRefuseAMissingFile()
    {
        final IOException e = assertThrows(NoSuchFileException.class,
            () -> CountersFile.openReadOnly(dir.resolve("none.counters")));
        assertOneLine(e, "no such counters file");
    }

    @Test
    void shouldRefuseAShortFile() throws IOException
    {
        final Path file = Files.write(dir.resolve("short.counters"), new byte[10]);
        assertOneLine(assertThrows(IOException.class, () -> CountersFile.openReadOnly(file)), "too short");
    }

    @Test
    void shouldRefuseAFileWithoutTheMagic() throws IOException
    {
        final Path file = Files.write(dir.resolve("other.counters"), "not ours ".repeat(200).getBytes());
        assertOneLine(assertThrows(IOException.class, () -> CountersFile.openReadOnly(file)),
            "not a flowstack counters file");
    }

    @Test
    void shouldRefuseATruncatedFile() throws IOException
    {
        final Path file = dir.resolve("full.counters");
        final Path cut = dir.resolve("cut.counters");
        try (CountersFile writer = CountersFile.create(file, 16, "t"))
        {
            final byte[] all = Files.readAllBytes(writer.path());
            Files.write(cut, Arrays.copyOf(all, all.length - 1));
        }
        assertOneLine(assertThrows(IOException.class, () -> CountersFile.openReadOnly(cut)), "truncated");
    }

    @Test
    void shouldRefuseAnotherLayoutVersionAndAnIncompleteHeader() throws IOException
    {
        final Path v2 = copyWithInt(CountersFile.VERSION_OFFSET, 2, "v2.counters");
        assertOneLine(assertThrows(IOException.class, () -> CountersFile.openReadOnly(v2)), "layout version 2");
        final Path v0 = copyWithInt(CountersFile.VERSION_OFFSET, 0, "v0.counters");
        assertOneLine(assertThrows(IllegalStateException.class, () -> CountersFile.openReadOnly(v0)),
            "not initialised");
        final Path badLength = copyWithInt(CountersFile.METADATA_LENGTH_OFFSET, 12345, "len.counters");
        assertOneLine(assertThrows(IOException.class, () -> CountersFile.openReadOnly(badLength)), "corrupt");
    }

    @Test
    void shouldRefuseToTakeOverTheFileOfARunningProcess() throws IOException
    {
        // A file that says it belongs to our parent (alive, and started before the file was made).
        final long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);
        final Path file = copyWithLong(CountersFile.PID_OFFSET, parent, dir.resolve("taken.counters"));
        assertOneLine(assertThrows(IOException.class, () -> CountersFile.create(file, 4, "")),
            "belongs to running process " + parent);
    }

    @Test
    void shouldListLiveFilesAndDeleteThoseOfDeadProcesses() throws IOException
    {
        final Path own = CountersFile.defaultFile(ProcessHandle.current().pid());
        // No process has pid Integer.MAX_VALUE: pid_max is at most 2^22 on Linux.
        final Path dead = CountersFile.defaultFile(Integer.MAX_VALUE);
        final Path foreign = CountersFile.defaultDirectory().resolve("junk-" + ProcessHandle.current().pid()
            + CountersFile.SUFFIX);
        try (CountersFile writer = CountersFile.create(own, 8, "live test"))
        {
            copyWithLong(CountersFile.PID_OFFSET, Integer.MAX_VALUE, dead);
            Files.write(foreign, new byte[3]);

            final List<Path> live = CountersFile.live();
            assertTrue(live.contains(writer.path()), "own file listed: " + live);
            assertFalse(live.contains(dead), "dead writer's file not listed: " + live);
            assertFalse(Files.exists(dead), "dead writer's file deleted");
            assertFalse(live.contains(foreign), "a file that is not a counters file is not listed");
            assertTrue(Files.exists(foreign), "and not deleted either");
        }
        finally
        {
            Files.deleteIfExists(foreign);
            Files.deleteIfExists(dead);
        }
        assertFalse(CountersFile.live().contains(own));
    }

    @Test
    void shouldTellAReusedPidFromTheWriter()
    {
        final long self = ProcessHandle.current().pid();
        assertTrue(CountersFile.isAlive(self, System.currentTimeMillis()));
        assertFalse(CountersFile.isAlive(self, 0), "a process that started after the file is not its writer");
        assertFalse(CountersFile.isAlive(Integer.MAX_VALUE, System.currentTimeMillis()));
    }

    @Test
    void shouldDefaultToSharedMemory()
    {
        if (Files.isDirectory(Path.of("/dev/shm")))
        {
            assertEquals(Path.of("/dev/shm/flowstack/42.counters"), CountersFile.defaultFile(42));
        }
        else
        {
            assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "flowstack", "42.counters"),
                CountersFile.defaultFile(42));
        }
    }

    /** A valid counters file, copied to a path of our choice with one int of the header changed. */
    private Path copyWithInt(final int offset, final int value, final String name) throws IOException
    {
        final Path target = dir.resolve(name);
        copyValid(target);
        patch(target, offset, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value));
        return target;
    }

    private Path copyWithLong(final int offset, final long value, final Path target) throws IOException
    {
        copyValid(target);
        patch(target, offset, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value));
        return target;
    }

    private void copyValid(final Path target) throws IOException
    {
        final Path source = dir.resolve("source-" + System.nanoTime() + ".counters");
        try (CountersFile writer = CountersFile.create(source, 8, "copied"))
        {
            new CounterSet(0, writer.manager()).counter("engine.frames_in").set(1);
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.write(target, Files.readAllBytes(source));
        }
    }

    private static void patch(final Path file, final int offset, final ByteBuffer bytes) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            ch.write(bytes, offset);
        }
    }
}
