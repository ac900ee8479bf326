package io.flowstack.tcp.cc;

/**
 * The ACK-train test of hybrid slow start (Ha and Rhee, "Taming the elephants", 2011; Linux's tcp_cubic HyStart,
 * named by RFC 9438 4.10 as the slow start CUBIC implementations have used for a decade): a flight sent faster than
 * the bottleneck comes back as a train of ACKs spaced by the bottleneck, so the train of a round lasts as long as
 * the bottleneck needs for the window. Once it lasts longer than half the minimum RTT, the window of the round is
 * at least half the path's bandwidth-delay product and the window, grown by that train meanwhile, has reached it:
 * slow start is over before any queue builds (the delay signal comes only once the queue holds milliseconds).
 * <p>
 * The train is the ACKs from the round's first on, each at most {@value #ACK_DELTA_NS} ns or an eighth of the
 * minimum RTT after the one before, whichever is longer; a longer gap (the idle time between the trains of a window
 * below the path's BDP, a delayed ACK's timer) ends it for the round. Linux allows 2 ms; live, through
 * lossy-path.sh's userspace relay on a loaded 2-core machine, the ACKs of one train at 100 ms came 2-6 ms apart
 * often enough that no train lasted 50 ms: replayed on a capture of that run, a 2 ms limit ended slow start only
 * after the queue had overflowed, 6.25 ms or more (up to 20 ms tried) at the ACK that saw 1.25 MB in flight, the
 * path's BDP (the kernel's CUBIC overflowed the queue in its own first run of the set as well). The eighth is RFC
 * 9406's MIN_RTT_DIVISOR, the RTT change it takes for a queue; a gap of that size between trains means the window
 * is below 7/8 of the BDP, where no train lasts half the RTT anyway.
 * <p>
 * A paced flight is spread over half an RTT by the sender itself (pacing at twice cwnd per SRTT in slow start), so then the train must outlast a
 * whole minimum RTT, as Linux does when the socket is paced. The test allows for ACKs the receiver aggregates
 * (GRO, delayed ACKs) with {@value #ACK_CUSHION_NS} ns more, Linux's cap of that cushion.
 */
final class AckTrain
{
    /** Linux's hystart_ack_delta_us: ACKs this far apart may still be one train. */
    static final long ACK_DELTA_NS = 2_000_000L;
    /** A gap of this fraction of the minimum RTT is jitter within a train too (RFC 9406's MIN_RTT_DIVISOR). */
    static final int GAP_DIVISOR = 8;
    /** Linux's hystart_ack_delay cap: allowance for receive aggregation. */
    static final long ACK_CUSHION_NS = 1_000_000L;

    private final boolean paced;
    private long roundStartNs = -1;
    private long lastAckNs;

    /**
     * @param paced the sender paces its flights (the train must last a whole minimum RTT, not half of it).
     */
    AckTrain(final boolean paced)
    {
        this.paced = paced;
    }

    /** Forgets the round in progress. */
    void reset()
    {
        roundStartNs = -1;
    }

    /**
     * @param nowNs      when the ACK arrived.
     * @param roundStart it began a round.
     * @param minRttNs   the smallest RTT measured so far, 0 for none.
     * @return whether the round's train has outlasted its limit with this ACK.
     */
    boolean onAck(final long nowNs, final boolean roundStart, final long minRttNs)
    {
        if (roundStart)
        {
            roundStartNs = nowNs;
            lastAckNs = nowNs;
            return false;
        }
        if (roundStartNs < 0 || minRttNs <= 0 || nowNs - lastAckNs > Math.max(ACK_DELTA_NS, minRttNs / GAP_DIVISOR))
        {
            return false;
        }
        lastAckNs = nowNs;
        final long limit = paced ? minRttNs + ACK_CUSHION_NS : (minRttNs + ACK_CUSHION_NS) / 2;
        return nowNs - roundStartNs > limit;
    }
}
