package io.flowstack.tap.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the process may do: TAP devices and network namespaces need root (CAP_NET_ADMIN and CAP_SYS_ADMIN).
 */
public final class Privileges
{
    private Privileges()
    {
    }

    /**
     * @return true when the effective user id is 0.
     */
    public static boolean isRoot()
    {
        // /proc first: it needs no native library, which may be what is missing.
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("Uid:"))
                {
                    final String[] fields = line.substring(4).trim().split("\\s+");
                    return fields.length > 1 && "0".equals(fields[1]);
                }
            }
        }
        catch (final IOException | RuntimeException ignored)
        {
            // fall through to libc
        }
        try
        {
            return Native.LIBC.geteuid() == 0;
        }
        catch (final RuntimeException | LinkageError e)
        {
            return false;
        }
    }
}
