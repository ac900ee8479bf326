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
    /** The round-trip time this ACK measured (timestamps or an unambiguous segment), or -1. */
    public long rttNs;
    /** The peer echoed a timestamp (RFC 7323): {@link #tsEcr} is valid. */
    public boolean hasTsEcr;
    /** The echoed timestamp. */
    public int tsEcr;
    /** This ACK ended a round trip: it covers what was the highest sequence sent when the round began. */
    public boolean roundStart;

    /** Clears every field for the next ACK. */
    public void clear()
    {
        ack = 0;
        ackedBytes = 0;
        sackedBytes = 0;
        duplicate = false;
        dsack = false;
        inFlightBefore = 0;
        rttNs = -1;
        hasTsEcr = false;
        tsEcr = 0;
        roundStart = false;
    }

    /** @return bytes delivered to the peer by this ACK, acknowledged or SACKed (PRR's DeliveredData). */
    public int deliveredBytes()
    {
        return ackedBytes + sackedBytes;
    }
}
