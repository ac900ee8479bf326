package io.flowstack.tcp.tcb;

/**
 * The deadlines of one connection, a slot per kind of timer, and the one wheel timer that stands for all of them
 * (at the earliest deadline). A deadline that moves later keeps the earlier wheel timer, which fires, finds
 * nothing due and is set again; a deadline that moves earlier replaces it. So restarting the retransmission timer
 * on every ACK costs no wheel operation.
 */
final class TimerTable
{
    /** No deadline. */
    static final long NONE = Long.MAX_VALUE;

    /** Retransmission of data, SYN or FIN (RFC 6298). */
    static final int RETRANSMIT = 0;
    /** Delayed acknowledgment (RFC 9293 3.8.6.3). */
    static final int DELAYED_ACK = 1;
    /** Zero-window probe (RFC 9293 3.8.6.1). */
    static final int PERSIST = 2;
    /** Keep-alive probe (RFC 9293 3.8.4). */
    static final int KEEPALIVE = 3;
    /** The end of a state: 2 MSL of TIME-WAIT, an unfinished passive open, FIN-WAIT-2 of a closed socket. */
    static final int STATE = 4;
    /** Loss recovery's own timer: RACK's reordering window, the tail loss probe (RFC 8985). */
    static final int RECOVERY = 5;
    /** The pacing departure time of the next segment (draft-ietf-ccwg-bbr 5.6.2): output runs again. */
    static final int PACING = 6;
    /** Number of kinds. */
    static final int KINDS = 7;

    private final long[] deadlines = new long[KINDS];
    /** The wheel's timer for this connection, or -1. */
    long wheelTimerId = -1;
    /** Deadline of the wheel's timer, {@link #NONE} without one. */
    long wheelDeadline = NONE;

    TimerTable()
    {
        clear();
    }

    long deadline(final int kind)
    {
        return deadlines[kind];
    }

    boolean armed(final int kind)
    {
        return deadlines[kind] != NONE;
    }

    void set(final int kind, final long deadline)
    {
        deadlines[kind] = deadline;
    }

    /** Sets the deadline unless one is already set. */
    void setIfUnset(final int kind, final long deadline)
    {
        if (deadlines[kind] == NONE)
        {
            deadlines[kind] = deadline;
        }
    }

    void cancel(final int kind)
    {
        deadlines[kind] = NONE;
    }

    /** @return true if the deadline of this kind has passed (and clears it). */
    boolean expire(final int kind, final long nowNs)
    {
        if (deadlines[kind] <= nowNs)
        {
            deadlines[kind] = NONE;
            return true;
        }
        return false;
    }

    void clear()
    {
        java.util.Arrays.fill(deadlines, NONE);
    }

    long earliest()
    {
        long d = NONE;
        for (final long deadline : deadlines)
        {
            d = Math.min(d, deadline);
        }
        return d;
    }
}
