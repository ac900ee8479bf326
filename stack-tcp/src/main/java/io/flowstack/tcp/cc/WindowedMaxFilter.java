package io.flowstack.tcp.cc;

/**
 * The running maximum of a series of samples over a sliding window of time (Kathleen Nichols' algorithm, as
 * draft-ietf-ccwg-bbr 5.5.5 and Linux's win_minmax use it): three samples are kept, the best of the window and the
 * best of its later quarter and later half, so that when the best one ages out a good successor is at hand, in
 * constant space and time. "Time" is whatever the caller counts in: round trips, ProbeBW cycles, nanoseconds.
 */
public final class WindowedMaxFilter
{
    private final long[] value = new long[3];
    private final long[] time = new long[3];

    /**
     * Forgets every sample but this one.
     *
     * @param t the sample's time.
     * @param v its value.
     * @return the maximum: {@code v}.
     */
    public long reset(final long t, final long v)
    {
        for (int i = 0; i < 3; i++)
        {
            value[i] = v;
            time[i] = t;
        }
        return v;
    }

    /** @return the maximum over the window. */
    public long get()
    {
        return value[0];
    }

    /**
     * Takes a sample.
     *
     * @param t      its time (never earlier than the last sample's).
     * @param v      its value.
     * @param window samples older than {@code t - window} no longer count.
     * @return the maximum over the window.
     */
    public long update(final long t, final long v, final long window)
    {
        if (v >= value[0] || t - time[2] > window)
        {
            // A new maximum, or nothing left in the window: start over with this sample.
            return reset(t, v);
        }
        if (v >= value[1])
        {
            value[1] = v;
            time[1] = t;
            value[2] = v;
            time[2] = t;
        }
        else if (v >= value[2])
        {
            value[2] = v;
            time[2] = t;
        }
        final long age = t - time[0];
        if (age > window)
        {
            // The best aged out: the second and third move up, this sample comes third.
            shift(t, v);
            if (t - time[0] > window)
            {
                shift(t, v);
            }
        }
        else if (time[1] == time[0] && age > window / 4)
        {
            // A quarter of the window passed with no second choice: take this one.
            value[1] = v;
            time[1] = t;
            value[2] = v;
            time[2] = t;
        }
        else if (time[2] == time[1] && age > window / 2)
        {
            // Half the window passed with no third choice: take this one.
            value[2] = v;
            time[2] = t;
        }
        return value[0];
    }

    private void shift(final long t, final long v)
    {
        value[0] = value[1];
        time[0] = time[1];
        value[1] = value[2];
        time[1] = time[2];
        value[2] = v;
        time[2] = t;
    }
}
