package io.flowstack.tcp.tcb;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static io.flowstack.ip.wire.TcpFlyweight.ACK;
import static io.flowstack.ip.wire.TcpFlyweight.PSH;
import static io.flowstack.tcp.tcb.TcpScript.IRS;
import static io.flowstack.test.TcpScript.Seg.seg;

/**
 * The peer of a packet script behind a bottleneck, for congestion control scripts: the stack's data segments queue
 * at a link of a given rate (no loss, no queue limit), reach the peer after a one-way delay, and the peer's ACK of
 * each segment comes back after the same delay. The application keeps the send buffer full. Every segment the
 * stack sends is matched strictly: the next full-sized data segment in sequence, with PSH when it ends what was
 * written. Virtual time moves from event to event (an ACK arriving, the stack's next timer).
 */
final class BottleneckPath
{
    /** What the stack sent, when. */
    record Departure(long atNs, int seq, int length)
    {
    }

    private final TcpScript t;
    private final Tcb tcb;
    private final int mss;
    private long oneWayNs;
    private final UnsafeBuffer data = new UnsafeBuffer(new byte[1 << 16]);
    private final ArrayDeque<long[]> acks = new ArrayDeque<>();
    private final List<Departure> departures = new ArrayList<>();
    private long rate;
    private long linkFreeNs;
    private int expectedSeq;
    private int writtenEnd;

    /**
     * @param t         the script.
     * @param tcb       an ESTABLISHED connection with nothing sent.
     * @param mss       its segment size.
     * @param rate      the bottleneck's rate in bytes per second.
     * @param oneWayNs  the delay each way.
     */
    BottleneckPath(final TcpScript t, final Tcb tcb, final int mss, final long rate, final long oneWayNs)
    {
        this.t = t;
        this.tcb = tcb;
        this.mss = mss;
        this.rate = rate;
        this.oneWayNs = oneWayNs;
        this.expectedSeq = tcb.snd.nxt;
        this.writtenEnd = tcb.snd.buffer.endSeq();
        fill();
    }

    /** @param bytesPerSecond the bottleneck's new rate. */
    void rate(final long bytesPerSecond)
    {
        rate = bytesPerSecond;
    }

    /** @param ns the new delay each way, for segments sent from now on (no shorter than before: ACKs stay in order). */
    void delay(final long ns)
    {
        oneWayNs = ns;
    }

    /** @return every data segment the stack sent so far. */
    List<Departure> departures()
    {
        return departures;
    }

    private void fill()
    {
        int n;
        while ((n = tcb.write(data, 0, data.capacity())) > 0)
        {
            writtenEnd += n;
        }
    }

    /**
     * Runs the path until virtual time {@code untilNs} (script time), calling {@code each} after every event.
     */
    void runUntil(final long untilNs, final Runnable each)
    {
        while (true)
        {
            collect();
            final long now = t.elapsedNs();
            final long deadline = t.tcp.nextDeadline();
            long next = acks.isEmpty() ? Long.MAX_VALUE : acks.peekFirst()[0];
            if (deadline != Long.MAX_VALUE)
            {
                final long d = deadline - (t.clock.nanoTime() - now);
                next = Math.min(next, d <= now ? now + 1_000 : d);
            }
            if (next > untilNs)
            {
                t.advanceNs(untilNs - now);
                collect();
                each.run();
                return;
            }
            t.advanceNs(next - now);
            while (!acks.isEmpty() && acks.peekFirst()[0] <= t.elapsedNs())
            {
                final int ack = (int)acks.pollFirst()[1];
                t.send(seg(ACK).seq(IRS + 1).ack(ack));
            }
            fill();
            each.run();
        }
    }

    /** Takes the segments the stack sent now onto the link. */
    private void collect()
    {
        for (final TcpScript.Sent s : t.sent())
        {
            final int len = s.tcp().payloadLength();
            final boolean push = expectedSeq + len == writtenEnd;
            seg(push ? ACK | PSH : ACK).seq(expectedSeq).ack(IRS + 1).len(mss).assertMatches(s);
            final long now = t.elapsedNs();
            departures.add(new Departure(now, expectedSeq, len));
            final long leaves = Math.max(now, linkFreeNs) + len * 1_000_000_000L / rate;
            linkFreeNs = leaves;
            acks.addLast(new long[]{leaves + 2 * oneWayNs, expectedSeq + len});
            expectedSeq += len;
        }
    }
}
