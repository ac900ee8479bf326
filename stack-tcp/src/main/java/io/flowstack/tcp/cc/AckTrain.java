package io.flowstack.tcp.cc;

/**
 * The ACK-train test of hybrid slow start (Ha and Rhee, "Taming the elephants", 2011; Linux's tcp_cubic HyStart,
 * named by RFC 9438 4.10 as the slow start CUBIC implementations have used for a decade): a flight sent faster than
 * the bottleneck comes back as a train of ACKs spaced by the bottleneck, so the train of a round lasts as long as
 * the bottleneck needs for the window. Once it lasts longer than half the minimum RTT, the window of the round is
 * at least half the path's bandwidth-delay product and the window, grown by that train meanwhile, has reached it:
 * slow start is over before any queue builds (the delay signal comes only once the queue holds milliseconds).
 * <p>
 * The train is the ACKs from the round's first on, and its length the sum of the gaps between them of at most
 * {@value #ACK_DELTA_NS} ns (Linux's limit: ACKs the bottleneck spaces). A gap of up to an eighth of the minimum RTT
 * (RFC 9406's MIN_RTT_DIVISOR) adds nothing but does not end the train; a longer one (the idle time between the
 * trains of a window below 7/8 of the BDP, a delayed ACK's timer) ends it for the round. Why: live, through
 * lossy-path.sh's userspace relay on a loaded 2-core machine, the ACKs of one train at 100 ms came 2-6 ms apart
 * often enough that no train of Linux's kind lasted 50 ms and the queue overflowed (the kernel's CUBIC overflowed it
 * in its own first run of a set too); letting such gaps count, on the other hand, ended slow start at 0.6 BDP in
 * the next run, since ACK-clocked slow start carries one round's gaps into the next round's flight. Replayed on the
 * captures of both runs, counting only the dense spacing ended slow start at 1.2 BDP in flight in the first and
 * not early in the second.
 * <p>
 * A paced flight is spread over half an RTT by the sender itself (pacing at twice cwnd per SRTT in slow start), so
 * then the train must outlast a whole minimum RTT, as Linux does when the socket is paced. The test allows for ACKs
 * the receiver aggregates (GRO, delayed ACKs) with {@value #ACK_CUSHION_NS} ns more, Linux's cap of that cushion.
 */
final class AckTrain
{
    /** Linux's hystart_ack_delta_us: ACKs this close were spaced by the bottleneck; their gaps make the train. */
    static final long ACK_DELTA_NS = 2_000_000L;
    /** A gap up to this fraction of the minimum RTT is jitter: it does not end the train (RFC 9406's divisor). */
    static final int GAP_DIVISOR = 8;
    /** Linux's hystart_ack_delay cap: allowance for receive aggregation. */
    static final long ACK_CUSHION_NS = 1_000_000L;

    private final boolean paced;
    private boolean inTrain;
    private long lastAckNs;
    private long lengthNs;

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
        inTrain = false;
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
            inTrain = true;
            lastAckNs = nowNs;
            lengthNs = 0;
            return false;
        }
        if (!inTrain || minRttNs <= 0)
        {
            return false;
        }
        final long gap = nowNs - lastAckNs;
        if (gap > ACK_DELTA_NS && gap > minRttNs / GAP_DIVISOR)
        {
            inTrain = false;
            return false;
        }
        lastAckNs = nowNs;
        if (gap <= ACK_DELTA_NS)
        {
            lengthNs += gap;
        }
        final long limit = paced ? minRttNs + ACK_CUSHION_NS : (minRttNs + ACK_CUSHION_NS) / 2;
        return lengthNs > limit;
    }
}
