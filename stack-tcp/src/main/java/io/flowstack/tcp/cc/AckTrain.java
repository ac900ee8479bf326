package io.flowstack.tcp.cc;

/**
 * The ACK-train test of hybrid slow start (Ha and Rhee, "Taming the elephants", 2011; Linux's tcp_cubic HyStart,
 * named by RFC 9438 4.10 as the slow start CUBIC implementations have used for a decade): a flight sent faster than
 * the bottleneck comes back as a train of ACKs spaced by the bottleneck, so the train of a round lasts as long as
 * the bottleneck needs for the window. Once it lasts longer than half the minimum RTT, the window of the round is
 * at least half the path's bandwidth-delay product and the window, grown by that train meanwhile, has reached it:
 * slow start is over before any queue builds (the delay signal comes only once the queue holds milliseconds).
 * <p>
 * The train is the ACKs from the round's first on, each at most {@value #ACK_DELTA_NS} ns after the one before;
 * a longer gap (a delayed ACK's timer, an idle sender) ends it for the round. A paced flight is spread over half
 * an RTT by the sender itself (pacing at twice cwnd per SRTT in slow start), so then the train must outlast a
 * whole minimum RTT, as Linux does when the socket is paced. The test allows for ACKs the receiver aggregates
 * (GRO, delayed ACKs) with {@value #ACK_CUSHION_NS} ns more, Linux's cap of that cushion.
 */
final class AckTrain
{
    /** Linux's hystart_ack_delta_us: ACKs further apart are not one train. */
    static final long ACK_DELTA_NS = 2_000_000L;
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
        if (roundStartNs < 0 || minRttNs <= 0 || nowNs - lastAckNs > ACK_DELTA_NS)
        {
            return false;
        }
        lastAckNs = nowNs;
        final long limit = paced ? minRttNs + ACK_CUSHION_NS : (minRttNs + ACK_CUSHION_NS) / 2;
        return nowNs - roundStartNs > limit;
    }
}
