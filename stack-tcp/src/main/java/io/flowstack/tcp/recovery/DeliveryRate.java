package io.flowstack.tcp.recovery;

import io.flowstack.tcp.cc.AckSample;
import io.flowstack.tcp.cc.CongestionControl;

/**
 * Delivery rate estimation (draft-cheng-iccrg-delivery-rate-estimation, as in draft-ietf-ccwg-bbr 4.1 and Linux's
 * tcp_rate.c): the connection's side of it ("C." in the drafts), the stamps of every record of the
 * {@link TransmitRecord} (its slots, "P."), and the sample one acknowledgment builds ("RS."), written into the
 * {@link AckSample} by {@link #generate}. Volumes are bytes of sequence space, times nanoseconds. Preallocated with
 * the record and grown with it.
 */
public final class DeliveryRate
{
    // C.: the connection.
    private long delivered;
    private long deliveredTime;
    private long firstSendTime;
    private long appLimited;
    private long lost;
    private long minRtt = Long.MAX_VALUE;
    private CongestionControl lossListener;

    // P.: per record slot, the connection's state when the record was last sent.
    private long[] pDelivered;
    private long[] pDeliveredTime;
    private long[] pFirstSendTime;
    private long[] pLost;
    private int[] pTxInFlight;
    private boolean[] pAppLimited;

    // RS.: the sample of the acknowledgment being processed, from the most recently sent segment it delivered.
    private boolean hasData;
    private long newestOrder;
    private long priorDelivered;
    private boolean sampleAppLimited;
    private long sendElapsed;
    private long ackElapsed;
    private int txInFlight;
    private long lostAtSend;
    private long rtt;

    DeliveryRate(final int slots)
    {
        allocate(slots);
    }

    private void allocate(final int n)
    {
        pDelivered = new long[n];
        pDeliveredTime = new long[n];
        pFirstSendTime = new long[n];
        pLost = new long[n];
        pTxInFlight = new int[n];
        pAppLimited = new boolean[n];
    }

    /** Moves the stamps of {@code count} records from {@code head} into new arrays of {@code n}, from slot 0. */
    void grow(final int n, final int head, final int count, final int mask)
    {
        final long[] d = pDelivered;
        final long[] dt = pDeliveredTime;
        final long[] fs = pFirstSendTime;
        final long[] l = pLost;
        final int[] tx = pTxInFlight;
        final boolean[] al = pAppLimited;
        allocate(n);
        for (int i = 0; i < count; i++)
        {
            final int at = (head + i) & mask;
            pDelivered[i] = d[at];
            pDeliveredTime[i] = dt[at];
            pFirstSendTime[i] = fs[at];
            pLost[i] = l[at];
            pTxInFlight[i] = tx[at];
            pAppLimited[i] = al[at];
        }
    }

    /**
     * @param listener told about every segment judged lost ({@link CongestionControl#onPacketLost}), or null.
     */
    public void lossListener(final CongestionControl listener)
    {
        this.lossListener = listener;
    }

    /** @return C.delivered: bytes delivered (acknowledged or SACKed) over the connection's life. */
    public long delivered()
    {
        return delivered;
    }

    /** @return C.lost: bytes judged lost over the connection's life (counted again when lost again). */
    public long lost()
    {
        return lost;
    }

    /** @return C.app_limited: the delivered count that ends the current application-limited bubble, or 0. */
    public long appLimited()
    {
        return appLimited;
    }

    /**
     * MarkConnectionAppLimited (draft-ietf-ccwg-bbr 4.1.2.4): the samples of everything sent from now until what is
     * in flight is delivered are application-limited.
     *
     * @param inFlight bytes in flight now.
     */
    public void markAppLimited(final int inFlight)
    {
        final long end = delivered + inFlight;
        appLimited = end > 0 ? end : 1;
    }

    /** Nothing is in flight and a segment goes: the sampling interval starts now (draft 4.1.2.2). */
    void idle(final long nowNs)
    {
        firstSendTime = nowNs;
        deliveredTime = nowNs;
    }

    /** OnPacketSent (draft 4.1.2.2): the delivery state a later rate sample of this record starts from. */
    void stamp(final int at, final int inFlight)
    {
        pDelivered[at] = delivered;
        pDeliveredTime[at] = deliveredTime;
        pFirstSendTime[at] = firstSendTime;
        pLost[at] = lost;
        pTxInFlight[at] = inFlight;
        pAppLimited[at] = appLimited != 0;
    }

    /** A record was judged lost. */
    void onLost(final int at, final int bytes)
    {
        lost += bytes;
        if (lossListener != null)
        {
            lossListener.onPacketLost(bytes, pTxInFlight[at], lost - pLost[at], pAppLimited[at]);
        }
    }

    /** InitRateSample: a new acknowledgment begins. */
    void begin()
    {
        hasData = false;
        rtt = -1;
    }

    /**
     * UpdateRateSample (draft 4.1.2.3) for a record, or the newly acknowledged part of one, that the acknowledgment
     * delivered; a record is reported once (a SACKed one is not again when the cumulative ACK covers it).
     */
    void onDelivered(final int at, final int bytes, final long sentAt, final long order, final boolean retransmitted,
        final long nowNs)
    {
        delivered += bytes;
        deliveredTime = nowNs;
        if (!hasData || order > newestOrder)
        {
            // The most recently sent segment delivered makes the sample: by transmission order, which unlike the send
            // time (one clock reading per frame or timer) never ties.
            hasData = true;
            newestOrder = order;
            priorDelivered = pDelivered[at];
            sampleAppLimited = pAppLimited[at];
            sendElapsed = sentAt - pFirstSendTime[at];
            ackElapsed = nowNs - pDeliveredTime[at];
            txInFlight = pTxInFlight[at];
            lostAtSend = pLost[at];
            firstSendTime = sentAt;
            // Karn: the RTT of a retransmitted segment is ambiguous (Linux's rate sample takes segments sent once).
            rtt = retransmitted ? -1 : nowNs - sentAt;
        }
    }

    /**
     * GenerateRateSample (draft 4.1.2.3): fills the rate fields of the acknowledgment's sample.
     *
     * @param ack the sample of the acknowledgment.
     */
    void generate(final AckSample ack)
    {
        // The bubble is gone once everything in flight when it began is delivered.
        if (appLimited != 0 && delivered > appLimited)
        {
            appLimited = 0;
        }
        ack.delivered = delivered;
        if (!hasData)
        {
            return;
        }
        if (rtt >= 0)
        {
            minRtt = Math.min(minRtt, rtt);
        }
        ack.rateRttNs = rtt;
        ack.priorDelivered = priorDelivered;
        ack.rateAppLimited = sampleAppLimited;
        ack.txInFlight = txInFlight;
        ack.lostSinceSend = lost - lostAtSend;
        ack.rateDelivered = delivered - priorDelivered;
        // The slower of sending and acknowledging the flight: ACK compression cannot make data look faster than it
        // was sent (draft 4.1.1.2.4).
        final long interval = Math.max(sendElapsed, ackElapsed);
        ack.rateIntervalNs = interval;
        // Shorter than the minimum RTT is implausible (a spurious retransmission acknowledged early): no rate.
        if (interval <= 0 || interval < minRtt && minRtt != Long.MAX_VALUE)
        {
            return;
        }
        ack.deliveryRate = ack.rateDelivered * 1_000_000_000L / interval;
    }
}
