package io.flowstack.tap.sys;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;

/**
 * The loaded libc binding, errno access and error helpers for setup code.
 */
public final class Native
{
    /** The libc binding, loaded once. */
    public static final LibC LIBC =
        LibraryLoader.create(LibC.class).load(Platform.getNativePlatform().getStandardCLibraryName());
    /** JNR runtime of {@link #LIBC}, used to read errno. */
    public static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    /** True where {@code struct epoll_event} is packed (12 bytes), which glibc does only on x86_64. */
    public static final boolean EPOLL_EVENT_PACKED = Platform.getNativePlatform().getCPU() == Platform.CPU.X86_64;

    /** mmap's system call number: 9 on x86_64, 222 on aarch64 (asm/unistd*.h). */
    public static final long SYS_MMAP = Platform.getNativePlatform().getCPU() == Platform.CPU.X86_64 ? 9 : 222;

    private Native()
    {
    }

    /**
     * mmap(2) through {@link LibC#syscall}. Setup only.
     *
     * @param addr   preferred address, 0 to let the kernel choose.
     * @param length bytes to map.
     * @param prot   {@code PROT_*}.
     * @param flags  {@code MAP_*}.
     * @param fd     descriptor to map (such as a packet socket with a ring).
     * @param offset offset in the object, page aligned.
     * @return the mapping's address, or -1 ({@code MAP_FAILED}) with errno.
     */
    public static long mmap(final long addr, final long length, final int prot, final int flags, final int fd,
        final long offset)
    {
        return LIBC.syscall(SYS_MMAP, addr, length, prot, flags, fd, offset);
    }

    /**
     * Reads errno saved by the last libc call of this thread. Allocation-free.
     *
     * @return the errno value.
     */
    public static int errno()
    {
        return LastError.getLastError(RUNTIME);
    }

    /**
     * @param errno an errno value.
     * @return "Description (errno N)".
     */
    public static String describe(final int errno)
    {
        final String text = LIBC.strerror(errno);
        return (text == null ? "error" : text) + " (errno " + errno + ")";
    }

    /**
     * Throws if a libc call failed. Reads errno, so call it straight after the call.
     *
     * @param result    the call's result.
     * @param operation what was attempted, for the message.
     * @return {@code result} when it is not negative.
     * @throws ErrnoException when {@code result < 0}.
     */
    public static int check(final int result, final String operation) throws ErrnoException
    {
        if (result < 0)
        {
            throw new ErrnoException(operation, errno());
        }
        return result;
    }

    /**
     * Closes a descriptor, ignoring errors (for cleanup paths).
     *
     * @param fd descriptor, ignored when negative.
     */
    public static void closeQuietly(final int fd)
    {
        if (fd >= 0)
        {
            LIBC.close(fd);
        }
    }
}
