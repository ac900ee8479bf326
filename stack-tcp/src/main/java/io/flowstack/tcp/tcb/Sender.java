package io.flowstack.tcp.tcb;

import io.flowstack.core.driver.Offloads;
import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.buffer.SendBuffer;
import io.flowstack.tcp.cc.CongestionControl;
import io.flowstack.tcp.recovery.LossRecovery;
import io.flowstack.tcp.recovery.NewRenoRecovery;
import io.flowstack.tcp.recovery.RecoverySender;
import io.flowstack.tcp.rtt.RttEstimator;

/**
 * The sending half of a connection: the send sequence variables of RFC 9293 3.3.1, the send buffer, the record
 * of segments in flight, the RTT estimator, congestion control and loss recovery.
 */
final class Sender implements RecoverySender
{
    /** Maximum segment size assumed when the peer sends none (RFC 9293 3.7.1). */
    static final int DEFAULT_MSS = 536;

    private final Tcb tcb;
    final SendBuffer buffer;
    final TransmitRecord record;
    final RttEstimator rtt;
    final CongestionControl cc;
    final LossRecovery recovery;

    int iss;
    int una;
    int nxt;
    int wnd;
    int wl1;
    int wl2;
    /** Largest window the peer offered (sender silly-window avoidance, RFC 9293 3.8.6.2.1). */
    int maxWnd;
    /** Window scale the peer announced (RFC 7323). */
    int wndShift;
    /** Largest segment we send. */
    int mss;
    /** Highest sequence number sent: SND.NXT goes back on a retransmission timeout, this does not. */
    int max;
    /** What the interface's device does for us: partial checksums, segments cut at {@link #mss} (TSO). */
    Offloads offloads = Offloads.NONE;
    /** Smallest RTT measured, for segment sizing; {@link Long#MAX_VALUE} before the first sample. */
    long minRttNs = Long.MAX_VALUE;

    boolean outputShutdown;
    boolean finSent;
    int finSeq;
    boolean noDelay;

    /** Consecutive retransmission timeouts (the connection fails after too many). */
    int backoffs;
    long retransmits;
    long timeouts;
    long bytesAcked;

    Sender(final Tcb tcb, final int bufferBytes, final RttEstimator rtt, final CongestionControl cc)
    {
        this.tcb = tcb;
        this.buffer = new SendBuffer(bufferBytes);
        // One record per segment of a full buffer of the smallest common MSS; beyond that records merge.
        this.record = new TransmitRecord(bufferBytes / DEFAULT_MSS + 2);
        this.rtt = rtt;
        this.cc = cc;
        this.recovery = new NewRenoRecovery(this);
    }

    /** Starts the sequence space at ISS. */
    void reset(final int isn)
    {
        iss = isn;
        una = isn;
        nxt = isn;
        max = isn;
        buffer.reset(isn);
        record.clear();
        recovery.reset();
    }

    /** @return SND.NXT - SND.UNA: bytes (and SYN, FIN) in flight. */
    @Override
    public int inFlight()
    {
        return nxt - una;
    }

    /** @return bytes written by the application and not sent yet. */
    int unsent()
    {
        return Math.max(0, buffer.endSeq() - nxt);
    }

    /** @return the window the sender may fill now: the peer's window and the congestion window. */
    int window()
    {
        final int congestion = Math.max(mss, cc.cwnd() + recovery.windowAdjustment());
        return Math.min(wnd, congestion);
    }

    /**
     * How much one segment may carry: the MSS, or with TCP segmentation offload a multiple of it sized as Linux's
     * tcp_tso_autosize does, so that one segment holds about a millisecond of data at the pacing rate Linux would
     * use (2 x cwnd / SRTT in slow start, 1.2 x in congestion avoidance, tcp_update_pacing_rate), plus the whole
     * offload size shifted right by one per 512 us of minimum RTT (full-sized on a fast local link); at least 2
     * and at most what fits the device's limit (IP total length), and at most half the largest window the peer
     * offered (tcp_bound_to_half_wnd). So a small window never gets one large burst, and a fast link gets 64 KB.
     *
     * @return bytes of payload one segment may carry.
     */
    int sizeGoal()
    {
        final int maxBytes = offloads.maxSegmentBytes();
        if (maxBytes == 0)
        {
            return mss;
        }
        // IPv4 header and the largest TCP header in front of the payload.
        final int maxSegs = Math.max(1, (Math.min(maxBytes, 65_535) - 20 - 60) / mss);
        long bytes = (long)maxSegs * mss;
        final long srtt = rtt.srtt();
        if (srtt > 0)
        {
            final int cwnd = cc.cwnd();
            final long ratePerSecond = (cwnd < cc.ssthresh() ? 2_000_000_000L : 1_200_000_000L) * cwnd / srtt;
            final long minRttUs = Math.min(minRttNs, srtt) / 1000;
            bytes = (ratePerSecond >> 10) + (minRttUs >> 9 >= 63 ? 0 : maxBytes >> (minRttUs >> 9));
        }
        int segs = (int)Math.min(maxSegs, Math.max(2, bytes / mss));
        if (maxWnd > Sender.DEFAULT_MSS)
        {
            segs = Math.min(segs, Math.max(1, (maxWnd >> 1) / mss));
        }
        return segs * mss;
    }

    /** @return true once our FIN is acknowledged. */
    boolean finAcked()
    {
        return finSent && Seq.ge(una, finSeq + 1);
    }

    @Override
    public int sndUna()
    {
        return una;
    }

    @Override
    public int sndMax()
    {
        return max;
    }

    @Override
    public int mss()
    {
        return mss;
    }

    @Override
    public CongestionControl congestionControl()
    {
        return cc;
    }

    @Override
    public void retransmitFirst(final long nowNs)
    {
        Transmitter.retransmitFirst(tcb, nowNs);
    }

    @Override
    public void countFastRetransmit()
    {
        tcb.layer.counters.fastRetransmits.incrementOrdered();
    }
}
