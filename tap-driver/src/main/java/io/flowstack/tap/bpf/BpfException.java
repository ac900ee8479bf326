package io.flowstack.tap.bpf;

import io.flowstack.tap.sys.Native;

import java.io.IOException;

/**
 * The kernel refused a {@code bpf(2)} request: the errno, and for a refused program the verifier's log, whose last
 * lines say why.
 */
public final class BpfException extends IOException
{
    private final int errno;
    private final String verifierLog;

    /**
     * @param operation   what was asked, e.g. "BPF_PROG_LOAD socket filter".
     * @param errno       the errno left by the call.
     * @param verifierLog the verifier's log, or "" when there is none.
     */
    public BpfException(final String operation, final int errno, final String verifierLog)
    {
        super(operation + ": " + Native.describe(errno) + lastLine(verifierLog));
        this.errno = errno;
        this.verifierLog = verifierLog;
    }

    /**
     * @return the errno value.
     */
    public int errno()
    {
        return errno;
    }

    /**
     * @return the verifier's whole log ("" when there is none).
     */
    public String verifierLog()
    {
        return verifierLog;
    }

    private static String lastLine(final String log)
    {
        final String trimmed = log.strip();
        if (trimmed.isEmpty())
        {
            return "";
        }
        final int cut = trimmed.lastIndexOf('\n');
        return "; verifier: " + trimmed.substring(cut + 1);
    }
}
