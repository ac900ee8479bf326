package io.flowstack.tap.bpf;

import io.flowstack.tap.sys.Native;
import jnr.ffi.Platform;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The {@code bpf(2)} system call through JNR-FFI: each method fills a {@code union bpf_attr} in direct memory and
 * makes one call. Layouts and numbers from include/uapi/linux/bpf.h; the attribute is passed zero-padded, as the
 * kernel requires of bytes it does not know.
 * <p>
 * Setup code: each call allocates its attribute buffer. Thread-safe.
 */
public final class Bpf
{
    /** bpf's system call number: 321 on x86_64, 280 on aarch64 (asm/unistd*.h). */
    public static final long SYS_BPF = Platform.getNativePlatform().getCPU() == Platform.CPU.X86_64 ? 321 : 280;

    /** Command: create a map. */
    static final int MAP_CREATE = 0;
    /** Command: read a map element. */
    static final int MAP_LOOKUP_ELEM = 1;
    /** Command: write a map element. */
    static final int MAP_UPDATE_ELEM = 2;
    /** Command: delete a map element. */
    static final int MAP_DELETE_ELEM = 3;
    /** Command: verify and load a program. */
    static final int PROG_LOAD = 5;
    /** Command: run a loaded program on given input. */
    static final int PROG_TEST_RUN = 10;

    /** Map type: hash table. */
    public static final int MAP_TYPE_HASH = 1;
    /** Map type: array indexed by a 32-bit key. */
    public static final int MAP_TYPE_ARRAY = 2;
    /** Map flag: allocate hash elements on update rather than all at creation. */
    public static final int MAP_F_NO_PREALLOC = 1;

    /** Program type taken by {@code SO_ATTACH_BPF}, {@code PACKET_FANOUT_EBPF} and {@code TUNSETSTEERINGEBPF}. */
    public static final int PROG_TYPE_SOCKET_FILTER = 1;

    /** Bytes of {@code union bpf_attr} passed (zeroes beyond the fields used). */
    private static final int ATTR_SIZE = 128;
    /** Verifier log kept when a program is refused. */
    private static final int LOG_SIZE = 1 << 20;
    private static final int OBJ_NAME_LEN = 16;
    /** errno: no such element. */
    private static final int ENOENT = 2;

    private Bpf()
    {
    }

    /**
     * BPF_MAP_CREATE.
     *
     * @param type       {@link #MAP_TYPE_HASH} or {@link #MAP_TYPE_ARRAY}.
     * @param keySize    bytes per key (4 for arrays).
     * @param valueSize  bytes per value.
     * @param maxEntries capacity.
     * @param flags      {@code BPF_F_*} map flags.
     * @param name       name shown by bpftool (up to 15 ASCII characters).
     * @return the map's descriptor.
     * @throws BpfException when the kernel refuses.
     */
    public static int createMap(final int type, final int keySize, final int valueSize, final int maxEntries,
        final int flags, final String name) throws BpfException
    {
        final UnsafeBuffer attr = attr();
        attr.putInt(0, type);
        attr.putInt(4, keySize);
        attr.putInt(8, valueSize);
        attr.putInt(12, maxEntries);
        attr.putInt(16, flags);
        putName(attr, 28, name);
        return (int)call(MAP_CREATE, attr, "BPF_MAP_CREATE " + name);
    }

    /**
     * BPF_MAP_UPDATE_ELEM.
     *
     * @param mapFd        the map.
     * @param keyAddress   native address of the key.
     * @param valueAddress native address of the value.
     * @throws BpfException when the kernel refuses (E2BIG: a hash map is full).
     */
    public static void update(final int mapFd, final long keyAddress, final long valueAddress) throws BpfException
    {
        final UnsafeBuffer attr = attr();
        attr.putInt(0, mapFd);
        attr.putLong(8, keyAddress);
        attr.putLong(16, valueAddress);
        call(MAP_UPDATE_ELEM, attr, "BPF_MAP_UPDATE_ELEM");
    }

    /**
     * BPF_MAP_LOOKUP_ELEM.
     *
     * @param mapFd        the map.
     * @param keyAddress   native address of the key.
     * @param valueAddress where the value is copied.
     * @return false when there is no such key.
     * @throws BpfException when the kernel refuses for another reason.
     */
    public static boolean lookup(final int mapFd, final long keyAddress, final long valueAddress) throws BpfException
    {
        final UnsafeBuffer attr = attr();
        attr.putInt(0, mapFd);
        attr.putLong(8, keyAddress);
        attr.putLong(16, valueAddress);
        return callUnlessMissing(MAP_LOOKUP_ELEM, attr, "BPF_MAP_LOOKUP_ELEM");
    }

    /**
     * BPF_MAP_DELETE_ELEM.
     *
     * @param mapFd      the map.
     * @param keyAddress native address of the key.
     * @return false when there was no such key.
     * @throws BpfException when the kernel refuses for another reason.
     */
    public static boolean delete(final int mapFd, final long keyAddress) throws BpfException
    {
        final UnsafeBuffer attr = attr();
        attr.putInt(0, mapFd);
        attr.putLong(8, keyAddress);
        return callUnlessMissing(MAP_DELETE_ELEM, attr, "BPF_MAP_DELETE_ELEM");
    }

    /**
     * BPF_PROG_LOAD: the verifier checks the program; when it refuses, its log is in the exception.
     *
     * @param type         program type, e.g. {@link #PROG_TYPE_SOCKET_FILTER}.
     * @param instructions encoded instructions ({@link EbpfAssembler#assemble()}).
     * @param name         name shown by bpftool (up to 15 characters).
     * @return the program's descriptor.
     * @throws BpfException when the kernel refuses (EPERM without CAP_BPF where unprivileged BPF is disabled).
     */
    public static int loadProgram(final int type, final byte[] instructions, final String name) throws BpfException
    {
        final UnsafeBuffer insns = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            Math.max(Ebpf.INSN_SIZE, instructions.length), 64));
        insns.putBytes(0, instructions);
        final UnsafeBuffer license = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        license.putBytes(0, "GPL\0".getBytes(StandardCharsets.US_ASCII));
        final UnsafeBuffer attr = attr();
        attr.putInt(0, type);
        attr.putInt(4, instructions.length / Ebpf.INSN_SIZE);
        attr.putLong(8, insns.addressOffset());
        attr.putLong(16, license.addressOffset());
        putName(attr, 48, name);
        final long fd = Native.LIBC.syscall(SYS_BPF, PROG_LOAD, attr.addressOffset(), ATTR_SIZE, 0, 0, 0);
        if (fd >= 0)
        {
            return (int)fd;
        }
        final int errno = Native.errno();
        // Load again with the log on: the first attempt stays cheap, the refusal gets its reason.
        final UnsafeBuffer log = new UnsafeBuffer(BufferUtil.allocateDirectAligned(LOG_SIZE, 64));
        attr.putInt(24, 1);
        attr.putInt(28, LOG_SIZE);
        attr.putLong(32, log.addressOffset());
        final long again = Native.LIBC.syscall(SYS_BPF, PROG_LOAD, attr.addressOffset(), ATTR_SIZE, 0, 0, 0);
        if (again >= 0)
        {
            return (int)again;
        }
        throw new BpfException("BPF_PROG_LOAD " + name, errno, cString(log, LOG_SIZE));
    }

    /**
     * BPF_PROG_TEST_RUN on a socket filter: the kernel builds a frame from {@code data} (an Ethernet frame; its
     * header sets the protocol and is pulled, as on receive) and runs the program once.
     *
     * @param progFd      the program.
     * @param dataAddress native address of the frame.
     * @param length      its length, at least 14.
     * @param attr        a 128-byte attribute buffer to reuse ({@link #newAttribute()}).
     * @return the program's return value.
     * @throws BpfException when the kernel refuses the run.
     */
    public static int testRun(final int progFd, final long dataAddress, final int length, final UnsafeBuffer attr)
        throws BpfException
    {
        attr.setMemory(0, ATTR_SIZE, (byte)0);
        attr.putInt(0, progFd);
        attr.putInt(8, length);
        attr.putLong(16, dataAddress);
        attr.putInt(32, 1);
        call(PROG_TEST_RUN, attr, "BPF_PROG_TEST_RUN");
        return attr.getInt(4);
    }

    /**
     * @return a zeroed attribute buffer for repeated calls such as {@link #testRun}.
     */
    public static UnsafeBuffer newAttribute()
    {
        return attr();
    }

    private static UnsafeBuffer attr()
    {
        final UnsafeBuffer attr = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ATTR_SIZE, 64));
        attr.setMemory(0, ATTR_SIZE, (byte)0);
        return attr;
    }

    private static void putName(final UnsafeBuffer attr, final int offset, final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        // Object names allow letters, digits, '_' and '.'; longer ones are cut.
        for (int i = 0; i < Math.min(bytes.length, OBJ_NAME_LEN - 1); i++)
        {
            final byte c = bytes[i];
            attr.putByte(offset + i, Character.isLetterOrDigit(c) || c == '.' ? c : (byte)'_');
        }
    }

    private static long call(final int command, final UnsafeBuffer attr, final String what) throws BpfException
    {
        final long result = Native.LIBC.syscall(SYS_BPF, command, attr.addressOffset(), ATTR_SIZE, 0, 0, 0);
        if (result < 0)
        {
            throw new BpfException(what, Native.errno(), "");
        }
        return result;
    }

    private static boolean callUnlessMissing(final int command, final UnsafeBuffer attr, final String what)
        throws BpfException
    {
        final long result = Native.LIBC.syscall(SYS_BPF, command, attr.addressOffset(), ATTR_SIZE, 0, 0, 0);
        if (result >= 0)
        {
            return true;
        }
        final int errno = Native.errno();
        if (errno == ENOENT)
        {
            return false;
        }
        throw new BpfException(what, errno, "");
    }

    private static String cString(final UnsafeBuffer buffer, final int capacity)
    {
        int length = 0;
        while (length < capacity && buffer.getByte(length) != 0)
        {
            length++;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
