package io.flowstack.tap.netns;

import java.io.IOException;
import java.util.List;

/**
 * Outcome of a finished command.
 *
 * @param command  the command line that ran.
 * @param exitCode its exit status.
 * @param stdout   captured standard output.
 * @param stderr   captured standard error.
 */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr)
{
    /**
     * @return true when the exit status is 0.
     */
    public boolean ok()
    {
        return exitCode == 0;
    }

    /**
     * @return this, when the command succeeded.
     * @throws IOException with the command, status and first line of stderr, when it failed.
     */
    public ExecResult checkOk() throws IOException
    {
        if (exitCode != 0)
        {
            final String err = stderr.strip();
            final int nl = err.indexOf('\n');
            throw new IOException("'" + String.join(" ", command) + "' failed with status " + exitCode
                + (err.isEmpty() ? "" : ": " + (nl < 0 ? err : err.substring(0, nl))));
        }
        return this;
    }
}
