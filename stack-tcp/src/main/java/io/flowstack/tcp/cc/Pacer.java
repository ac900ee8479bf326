package io.flowstack.tcp.cc;

/**
 * Pacing of one connection's data (draft-ietf-ccwg-bbr 5.6.2 and 5.6.3; Linux's internal pacing with its
 * departure times): segments leave no faster than the pacing rate, in bursts of at most one send quantum per
 * wake-up. After each segment the next departure time moves on by its length over the rate. A burst that starts
 * late (the core wakes for its timer, or for the next ACK, after the departure time) gets up to half the quantum's
 * time back: Linux credits OS jitter the same way, up to half of each TSO burst it sends
 * (tcp_update_skb_after_send), and its bursts are a quantum long too. A credit of half a segment per burst, which
 * this pacer gave before, lost most of the lateness: live, a sender woken about 0.1 ms late per 1 ms burst reached
 * 2-6% less than its pacing rate, and BBR's ProbeBW cruise left the bottleneck idle.
 * <p>
 * The quantum is the data of {@value #QUANTUM_NS} ns at the pacing rate, at least two segments and at most
 * {@value #MAX_QUANTUM} bytes (the draft's send quantum, Linux's TSO autosizing, both 1 ms). A core that idles
 * blocks in epoll until the departure time, to the nanosecond where the kernel has epoll_pwait2; with epoll_wait's
 * milliseconds it wakes up to a millisecond late, more than the credit covers.
 * <p>
 * The rate comes from the congestion control ({@link CongestionControl#pacingRate()}, BBR); for a window-based one
 * (CUBIC, Reno) and when switched on, from the window as Linux's fq pacing computes it: twice cwnd per SRTT in
 * slow start, 1.2 times in congestion avoidance.
 */
public final class Pacer
{
    /** The time whose worth of data one wake-up may send. */
    public static final long QUANTUM_NS = 1_000_000L;
    /** The largest burst (a TSO frame's worth, as the draft caps C.send_quantum). */
    public static final int MAX_QUANTUM = 64 * 1024;
    /** Linux's tcp_pacing_ss_ratio and tcp_pacing_ca_ratio, in percent. */
    static final int SLOW_START_RATIO = 200;
    static final int AVOIDANCE_RATIO = 120;

    private boolean fromWindow;
    private long nextSendNs;

    /**
     * @param on pace window-based congestion controls at a rate derived from cwnd and SRTT.
     */
    public void paceWindow(final boolean on)
    {
        fromWindow = on;
    }

    /**
     * @param cc     the connection's congestion control.
     * @param srttNs the smoothed round-trip time, 0 before a sample.
     * @return the pacing rate in bytes per second, 0 for none.
     */
    public long rate(final CongestionControl cc, final long srttNs)
    {
        final long rate = cc.pacingRate();
        if (rate > 0 || !fromWindow || srttNs <= 0)
        {
            return rate;
        }
        // Linux's tcp_update_pacing_rate: "slow start" while cwnd is below half of ssthresh.
        final long ratio = cc.cwnd() < cc.ssthresh() / 2 ? SLOW_START_RATIO : AVOIDANCE_RATIO;
        return cc.cwnd() * ratio * 10_000_000L / srttNs;
    }

    /**
     * @param nowNs current time.
     * @param rate  the pacing rate, 0 for none.
     * @param mss   the sender's maximum segment size.
     * @return bytes that may leave now: a quantum once the departure time has come, 0 before it, unlimited unpaced.
     */
    public int budget(final long nowNs, final long rate, final int mss)
    {
        if (rate <= 0)
        {
            return Integer.MAX_VALUE;
        }
        if (nowNs < nextSendNs)
        {
            return 0;
        }
        final int quantum = quantum(rate, mss);
        // The burst starts late: up to half of its own time is credited, so the next departure comes that much sooner.
        final long credit = Math.min(nowNs - nextSendNs, quantum * 1_000_000_000L / rate / 2);
        nextSendNs = nowNs - credit;
        return quantum;
    }

    /**
     * @param rate the pacing rate.
     * @param mss  the sender's maximum segment size.
     * @return C.send_quantum: the data of {@link #QUANTUM_NS} at the rate, within two segments and 64 KiB.
     */
    public static int quantum(final long rate, final int mss)
    {
        final long q = rate * QUANTUM_NS / 1_000_000_000L;
        return (int)Math.max(2L * mss, Math.min(q, MAX_QUANTUM));
    }

    /**
     * A segment left: the next departure time moves on.
     *
     * @param bytes its length.
     * @param rate  the pacing rate it left at.
     */
    public void sent(final int bytes, final long rate)
    {
        nextSendNs += bytes * 1_000_000_000L / rate;
    }

    /** @return C.next_send_time: when the next segment may leave. */
    public long nextSendNs()
    {
        return nextSendNs;
    }
}
