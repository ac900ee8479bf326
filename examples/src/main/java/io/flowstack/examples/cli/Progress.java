package io.flowstack.examples.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * A transfer's progress on one terminal line, redrawn a few times a second from a thread of its own (as curl's
 * meter): bytes so far, of how many when known, and the average rate.
 */
final class Progress implements AutoCloseable
{
    private static final long PERIOD_MS = 250;

    private final PrintStream out;
    private final LongSupplier bytes;
    private final LongSupplier total;
    private final long startNs = System.nanoTime();
    private final Thread thread;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private int lastLength;

    private Progress(final PrintStream out, final LongSupplier bytes, final LongSupplier total)
    {
        this.out = out;
        this.bytes = bytes;
        this.total = total;
        this.thread = new Thread(this::run, "flowstack-progress");
        this.thread.setDaemon(true);
    }

    /**
     * @param out   the terminal (stderr).
     * @param bytes bytes transferred so far.
     * @param total bytes expected, or a negative number while unknown.
     * @return the running meter.
     */
    static Progress start(final PrintStream out, final LongSupplier bytes, final LongSupplier total)
    {
        final Progress p = new Progress(out, bytes, total);
        p.thread.start();
        return p;
    }

    private void run()
    {
        while (!stopped.get())
        {
            draw();
            try
            {
                Thread.sleep(PERIOD_MS);
            }
            catch (final InterruptedException e)
            {
                return;
            }
        }
    }

    private synchronized void draw()
    {
        final String line = line(bytes.getAsLong(), total.getAsLong(), (System.nanoTime() - startNs) / 1e9);
        // Carriage return, the line, and spaces over whatever is left of a longer previous line.
        out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        out.flush();
        lastLength = line.length();
    }

    /**
     * @param bytes   bytes so far.
     * @param total   bytes expected, negative if unknown.
     * @param seconds time since the start.
     * @return e.g. {@code "  12.0 MiB / 20.0 MiB  60%  1.61 Gbit/s"}.
     */
    static String line(final long bytes, final long total, final double seconds)
    {
        final double rate = seconds > 0 ? bytes * 8 / seconds : 0;
        final String rateText = rate >= 1e9 ? String.format(Locale.ROOT, "%.2f Gbit/s", rate / 1e9)
            : String.format(Locale.ROOT, "%.1f Mbit/s", rate / 1e6);
        if (total >= 0)
        {
            final long percent = total == 0 ? 100 : Math.min(100, bytes * 100 / total);
            return "  " + size(bytes) + " / " + size(total) + "  " + percent + "%  " + rateText;
        }
        return "  " + size(bytes) + "  " + rateText;
    }

    /**
     * @param bytes a size.
     * @return it in B, KiB, MiB or GiB with one decimal.
     */
    static String size(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes / 1024.0;
        int u = 0;
        while (v >= 1024 && u < units.length - 1)
        {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /**
     * Draws the last state and ends the line.
     */
    @Override
    public void close()
    {
        if (!stopped.compareAndSet(false, true))
        {
            return; // closed by the main thread and by the shutdown hook: once
        }
        thread.interrupt();
        try
        {
            thread.join(1000);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        draw();
        out.println();
        out.flush();
    }
}
