package io.flowstack.tcp.tcb;

import io.flowstack.core.driver.Offloads;
import io.flowstack.core.seq.Seq;
import io.flowstack.tcp.buffer.SendBuffer;
import io.flowstack.tcp.cc.AckSample;
import io.flowstack.tcp.cc.CongestionControl;
import io.flowstack.tcp.cc.Pacer;
import io.flowstack.tcp.recovery.LossRecovery;
import io.flowstack.tcp.recovery.NewRenoRecovery;
import io.flowstack.tcp.recovery.RackRecovery;
import io.flowstack.tcp.recovery.RecoverySender;
import io.flowstack.tcp.recovery.TransmitRecord;
import io.flowstack.tcp.rtt.RttEstimator;

/**
 * The sending half of a connection: the send sequence variables of RFC 9293 3.3.1, the send buffer, the record
 * of segments in flight, the RTT estimator, congestion control and loss recovery (RACK-TLP when the peer
 * SACKs, NewReno when it does not).
 */
final class Sender implements RecoverySender
{
    /** Maximum segment size assumed when the peer sends none (RFC 9293 3.7.1). */
    static final int DEFAULT_MSS = 536;
    /** Transmission records a connection starts with (they double when a flight needs more). */
    static final int INITIAL_RECORDS = 8;

    private final Tcb tcb;
    final SendBuffer buffer;
    final TransmitRecord record;
    final RttEstimator rtt;
    final CongestionControl cc;
    final AckSample ackSample = new AckSample();
    final Pacer pacer = new Pacer();
    private final NewRenoRecovery newReno;
    private final RackRecovery rack;
    LossRecovery recovery;

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
    /** Highest sequence number sent: SND.NXT goes back on a NewReno retransmission timeout, this does not. */
    int max;
    /** The end of the current round trip: SND.MAX when it began (HyStart++, RACK). */
    int roundEnd;
    /** What the interface's device does for us: partial checksums, segments cut at {@link #mss} (TSO). */
    Offloads offloads = Offloads.NONE;
    /** Smallest RTT measured, for segment sizing; {@link Long#MAX_VALUE} before the first sample. */
    long minRttNs = Long.MAX_VALUE;
    /** Highest rate (bytes per second) a whole round trip delivered, for send-buffer tuning. */
    long maxRoundRate;
    /** {@link #bytesAcked} and the time when the current round trip began. */
    private long roundAcked;
    private long roundStartNs = -1;

    boolean outputShutdown;
    boolean finSent;
    int finSeq;
    boolean noDelay;

    /** Largest size the send buffer may grow to, 0 for a fixed buffer. */
    int maxBuffer;

    /** Consecutive retransmission timeouts (the connection fails after too many). */
    int backoffs;
    long retransmits;
    long timeouts;
    long bytesAcked;

    Sender(final Tcb tcb, final int bufferBytes, final RttEstimator rtt, final CongestionControl cc)
    {
        this.tcb = tcb;
        this.buffer = new SendBuffer(bufferBytes, tcb.layer.memory);
        // At most one record per segment of a full buffer of the smallest common MSS (beyond that records merge);
        // a few to start with, so that an idle or half-open connection holds little.
        this.record = new TransmitRecord(INITIAL_RECORDS, bufferBytes / DEFAULT_MSS + 2);
        this.rtt = rtt;
        this.cc = cc;
        this.newReno = new NewRenoRecovery(this);
        this.rack = new RackRecovery(this);
        this.recovery = newReno;
        record.rate().lossListener(cc);
    }

    /** Starts the sequence space at ISS. */
    void reset(final int isn)
    {
        iss = isn;
        una = isn;
        nxt = isn;
        max = isn;
        roundEnd = isn;
        buffer.reset(isn);
        record.clear();
        recovery.reset();
    }

    /** Chooses loss recovery once the handshake told whether the peer SACKs. */
    void useSack(final boolean sack)
    {
        recovery = sack ? rack : newReno;
        recovery.reset();
    }

    /**
     * Send-buffer auto-tuning. Linux's tcp_sndbuf_expand keeps twice the congestion window; we keep twice the
     * smaller of the window and twice the path's bandwidth-delay product (the highest rate a round trip delivered
     * times the smallest RTT; per round, since per-ACK samples of a bursty local path overestimate), up to
     * {@link #maxBuffer}; the record of segments grows with it. Why the product: when the flight is held up by
     * queueing, here usually our own (ACKs wait in the device while a duty cycle sends), the window grows with the
     * queue but the path holds no more; a buffer grown for the queue only puts the bytes the application writes
     * further from the core's caches before they are sent (4 MiB against 1 MiB: 8 against 10-14 Gbit/s to the
     * kernel over a TAP).
     */
    void tuneBuffer(final long nowNs)
    {
        if (maxBuffer == 0 || buffer.capacity() >= maxBuffer || !ackSample.roundStart)
        {
            return;
        }
        if (roundStartNs >= 0 && nowNs > roundStartNs)
        {
            maxRoundRate = Math.max(maxRoundRate, (long)((bytesAcked - roundAcked) * 1e9 / (nowNs - roundStartNs)));
        }
        roundAcked = bytesAcked;
        roundStartNs = nowNs;
        if (minRttNs == Long.MAX_VALUE)
        {
            return;
        }
        final long bdp = (long)((double)maxRoundRate * minRttNs / 1e9);
        final long wanted = 2L * Math.min(cc.cwnd(), 2L * bdp);
        if (wanted > buffer.capacity())
        {
            final int size = (int)Math.min(maxBuffer, Long.highestOneBit(wanted - 1) << 1);
            if (!buffer.grow(size))
            {
                // The core's buffer memory is at its bound: the buffer stays (and tries again later).
                return;
            }
            record.limit(size / DEFAULT_MSS + 2);
            if (tcb.wantWritable)
            {
                tcb.wantWritable = false;
                tcb.signal(Tcb.EV_WRITABLE);
            }
        }
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

    /**
     * @return the largest payload of the next segment: the MSS less the option bytes of the SACK blocks it will
     *         carry (RFC 6691: the MSS counts data and options beyond the fixed headers; timestamps are already
     *         taken off {@link #mss}).
     */
    int segmentSize()
    {
        return tcb.sack ? Math.max(64, mss - tcb.rcv.sackReport.optionBytes(tcb.rcv.buffer, tcb.timestamps)) : mss;
    }

    /** @return bytes the windows allow out now: congestion (as loss recovery counts it) and the peer's. */
    int allowance()
    {
        final int congestion = recovery.sendWindow(cc.cwnd()) - recovery.pipe();
        final int peer = una + wnd - nxt;
        return Math.min(congestion, peer);
    }

    /**
     * How much one segment may carry: one piece, or with TCP segmentation offload a multiple of it sized as
     * Linux's tcp_tso_autosize does, so that one segment holds about a millisecond of data at the pacing rate (the
     * congestion control's own, else Linux's 2 x cwnd / SRTT in slow start and 1.2 x after,
     * tcp_update_pacing_rate), plus the whole offload size shifted right by one per 512 us of minimum RTT
     * (full-sized on a fast local link); at least 2 pieces, at most what fits the device's limit (IP total
     * length), and at most half the largest window the peer offered (tcp_bound_to_half_wnd). So a small window
     * never gets one large burst, and a fast link gets 64 KB.
     *
     * @param piece the payload of one segment on the wire ({@link #segmentSize()}).
     * @return bytes of payload one segment may carry.
     */
    int sizeGoal(final int piece)
    {
        final int maxBytes = offloads.maxSegmentBytes();
        if (maxBytes == 0)
        {
            return piece;
        }
        // IPv4 header and the largest TCP header in front of the payload.
        final int maxSegs = Math.max(1, (Math.min(maxBytes, 65_535) - 20 - 60) / piece);
        long bytes = (long)maxSegs * piece;
        final long srtt = rtt.srtt();
        if (srtt > 0)
        {
            final int cwnd = cc.cwnd();
            final long paced = cc.pacingRate();
            final long ratePerSecond = paced > 0 ? paced
                : (cwnd < cc.ssthresh() ? 2_000_000_000L : 1_200_000_000L) * cwnd / srtt;
            final long minRttUs = Math.min(minRttNs, srtt) / 1000;
            bytes = (ratePerSecond >> 10) + (minRttUs >> 9 >= 63 ? 0 : maxBytes >> (minRttUs >> 9));
        }
        int segs = (int)Math.min(maxSegs, Math.max(2, bytes / piece));
        if (maxWnd > Sender.DEFAULT_MSS)
        {
            segs = Math.min(segs, Math.max(1, (maxWnd >> 1) / piece));
        }
        return segs * piece;
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
    public long srttNs()
    {
        return rtt.hasSample() ? rtt.srtt() : 0;
    }

    @Override
    public long rtoNs()
    {
        return rtt.rto();
    }

    @Override
    public int tsNow()
    {
        return tcb.timestamps ? tcb.layer.tsClock(tcb.layer.now()) : 0;
    }

    @Override
    public CongestionControl congestionControl()
    {
        return cc;
    }

    @Override
    public TransmitRecord record()
    {
        return record;
    }

    @Override
    public void retransmitFirst(final long nowNs)
    {
        Transmitter.retransmitFirst(tcb, nowNs);
    }

    @Override
    public void probe(final long nowNs)
    {
        Transmitter.probe(tcb, nowNs);
    }

    @Override
    public void countFastRetransmit()
    {
        tcb.layer.counters.fastRetransmits.incrementOrdered();
    }

    @Override
    public void countUndo()
    {
        tcb.layer.counters.undos.incrementOrdered();
    }
}
