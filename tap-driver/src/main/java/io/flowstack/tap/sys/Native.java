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

    private Native()
    {
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
