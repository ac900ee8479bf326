package io.flowstack.tcp.cc;

/**
 * What one arriving acknowledgment told the sender, once the transmission record took its cumulative ACK and
 * SACK blocks: the input of loss recovery and of congestion control. One instance per connection, filled anew
 * for every ACK.
 */
public final class AckSample
{
    /** SEG.ACK. */
    public int ack;
    /** Sequence space newly acknowledged cumulatively (SND.UNA moved by this much). */
    public int ackedBytes;
    /** Bytes newly SACKed. */
    public int sackedBytes;
    /** RFC 5681 2: a duplicate acknowledgment. */
    public boolean duplicate;
    /** The ACK carried a D-SACK block (RFC 2883): the peer got something twice. */
    public boolean dsack;
    /** The D-SACK block's range, when {@link #dsack}. */
    public int dsackLeft;
    /** The D-SACK block's right edge. */
    public int dsackRight;
    /** Bytes outstanding before this ACK. */
    public int inFlightBefore;
    /** SND.NXT when the ACK arrived, before anything it lets the sender send. */
    public int sndNxt;
    /** The round-trip time this ACK measured (timestamps or an unambiguous segment), or -1. */
    public long rttNs;
    /** The peer echoed a timestamp (RFC 7323): {@link #tsEcr} is valid. */
    public boolean hasTsEcr;
    /** The echoed timestamp. */
    public int tsEcr;
    /** This ACK ended a round trip: it covers what was the highest sequence sent when the round began. */
    public boolean roundStart;
    /** How many ACKs {@link #ackedBytes} stand for (large segments the peer acknowledged whole); 1 otherwise. */
    public int stretch = 1;

    // The delivery rate sample (draft-ietf-ccwg-bbr 4.1, "RS."), from the most recently sent segment delivered.
    /** C.delivered after this ACK: bytes delivered over the connection's life. */
    public long delivered;
    /** RS.prior_delivered: C.delivered when that segment was sent, or -1 when the ACK delivered nothing. */
    public long priorDelivered = -1;
    /** RS.delivered: bytes delivered over the sampling interval. */
    public long rateDelivered;
    /** RS.interval: the sampling interval, the longer of its send and ACK phases. */
    public long rateIntervalNs;
    /** RS.delivery_rate in bytes per second, 0 when the sample is not valid. */
    public long deliveryRate;
    /** RS.is_app_limited: the segment was sent while the application left the window unused. */
    public boolean rateAppLimited;
    /** RS.rtt: round-trip time of that segment, -1 if it was retransmitted (ambiguous) or nothing was delivered. */
    public long rateRttNs = -1;
    /** RS.tx_in_flight: bytes in flight just after that segment was sent. */
    public int txInFlight;
    /** RS.lost: bytes judged lost between that segment's transmission and this ACK. */
    public long lostSinceSend;
    /** C.inflight after the ACK and loss detection processed it (RFC 6675 pipe). */
    public int pipe;

    /** Clears every field for the next ACK. */
    public void clear()
    {
        ack = 0;
        ackedBytes = 0;
        sackedBytes = 0;
        duplicate = false;
        dsack = false;
        dsackLeft = 0;
        dsackRight = 0;
        inFlightBefore = 0;
        sndNxt = 0;
        rttNs = -1;
        hasTsEcr = false;
        tsEcr = 0;
        roundStart = false;
        stretch = 1;
        delivered = 0;
        priorDelivered = -1;
        rateDelivered = 0;
        rateIntervalNs = 0;
        deliveryRate = 0;
        rateAppLimited = false;
        rateRttNs = -1;
        txInFlight = 0;
        lostSinceSend = 0;
        pipe = 0;
    }

    /** @return bytes delivered to the peer by this ACK, acknowledged or SACKed (PRR's DeliveredData). */
    public int deliveredBytes()
    {
        return ackedBytes + sackedBytes;
    }
}
