package io.flowstack.tap.sys;

import java.io.IOException;

/**
 * A failed system call during setup, with its errno and the C library's text for it.
 */
public final class ErrnoException extends IOException
{
    /** The errno the call left. */
    private final int errno;

    /**
     * @param operation what was attempted, e.g. "TUNSETIFF fst1".
     * @param errno     the errno the call left.
     */
    public ErrnoException(final String operation, final int errno)
    {
        super(operation + ": " + Native.describe(errno));
        this.errno = errno;
    }

    /**
     * @return the errno value.
     */
    public int errno()
    {
        return errno;
    }
}
