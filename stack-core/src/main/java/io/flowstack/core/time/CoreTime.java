package io.flowstack.core.time;

import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.NanoClock;

/**
 * A core's time as its layers see it: the value its engine read last (Agrona's cached clock), so every layer of a
 * unit of work agrees on one time and none reads a clock of its own. The engine refreshes it as each frame is read
 * and as each stage of its duty cycle begins; a layer refreshes it once more right before it stamps what it
 * transmits, as Linux refreshes its TCP clock in tcp_write_xmit: a unit that ran slow code (an application's
 * callback, a first run through classes still loading) would otherwise stamp its segments with a time from before
 * it ran, and the round trip measured on them would grow by as much.
 */
public final class CoreTime implements NanoClock
{
    private final Clock source;
    private final CachedNanoClock cached = new CachedNanoClock();

    /**
     * @param source the clock read on each refresh.
     */
    public CoreTime(final Clock source)
    {
        this.source = source;
        cached.update(source.nanoTime());
    }

    /**
     * @return the time read last.
     */
    @Override
    public long nanoTime()
    {
        return cached.nanoTime();
    }

    /**
     * Reads the source and makes it the core's time.
     *
     * @return the new time.
     */
    public long refresh()
    {
        final long now = source.nanoTime();
        cached.update(now);
        return now;
    }
}
