package io.flowstack.examples.apps.iperf3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's CPU time as iperf3 reports it: user and system time over wall time, in percent of one CPU, from
 * {@code /proc/self/stat} (utime and stime, fields 14 and 15, in USER_HZ ticks of 10 ms; proc(5)).
 */
final class ProcessCpu
{
    private static final Path STAT = Path.of("/proc/self/stat");
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final long wallNs;
    private final long userNs;
    private final long systemNs;

    private ProcessCpu(final long wallNs, final long userNs, final long systemNs)
    {
        this.wallNs = wallNs;
        this.userNs = userNs;
        this.systemNs = systemNs;
    }

    /**
     * @return the CPU times now (zeros where /proc cannot be read).
     */
    static ProcessCpu now()
    {
        final long wall = System.nanoTime();
        try
        {
            final String stat = Files.readString(STAT);
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new ProcessCpu(wall, Long.parseLong(f[11]) * NANOS_PER_TICK, Long.parseLong(f[12]) * NANOS_PER_TICK);
        }
        catch (final IOException | RuntimeException e)
        {
            return new ProcessCpu(wall, 0, 0);
        }
    }

    /**
     * @param start an earlier sample.
     * @return total, user and system CPU since then, in percent of one CPU.
     */
    double[] since(final ProcessCpu start)
    {
        final double wall = Math.max(1, wallNs - start.wallNs);
        final double user = 100.0 * (userNs - start.userNs) / wall;
        final double system = 100.0 * (systemNs - start.systemNs) / wall;
        return new double[]{user + system, user, system};
    }
}
