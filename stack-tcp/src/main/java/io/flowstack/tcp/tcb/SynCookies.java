package io.flowstack.tcp.tcb;

import io.flowstack.core.seq.Seq;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * SYN cookies (RFC 4987 3.6) as Linux encodes them: when a listener's SYN queue is full, the SYN,ACK's sequence
 * number carries what the connection needs and nothing is kept; the ACK that returns it rebuilds the connection.
 * <pre>
 *   ISN = H(tuple) + client ISN + (count &lt;&lt; 24) + ((H(tuple, count) + MSS index) mod 2^24)
 * </pre>
 * count is a minute counter of the core's clock, and a cookie is good for two minutes; H is MD5 keyed with a secret
 * chosen at random per core (a SYN and its ACK hash to the same core). The MSS is one of four (536, 1300, 1440,
 * 1460), the largest not above the peer's. Only with timestamps can the rest of the SYN survive: the SYN,ACK's
 * TSval then carries the peer's window scale and SACK-permitted in its low six bits (the clock's value rounded
 * down, so never ahead of it), and the ACK echoes them back. Without timestamps the connection has neither.
 * Cookies are checked only while the queue overflowed in the last two minutes, so a stray ACK to a listener
 * costs no hashing. Called on the core's thread; it reuses its digest and arrays.
 */
final class SynCookies
{
    /** The MSS values a cookie can carry (Linux's msstab for IPv4). */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    /** Low bits of TSval holding the options: window scale in 4 bits (15: none), SACK-permitted in the fifth. */
    static final int TS_OPTION_BITS = 6;
    static final int TS_OPTION_MASK = (1 << TS_OPTION_BITS) - 1;
    static final int NO_WINDOW_SCALE = 0xF;
    static final int SACK_BIT = 0x10;
    private static final int COUNT_SHIFT = 24;
    private static final int DATA_MASK = (1 << COUNT_SHIFT) - 1;
    private static final long MINUTE_NS = 60_000_000_000L;
    /** Cookies older than this many minutes are refused (Linux's MAX_SYNCOOKIE_AGE). */
    private static final int MAX_AGE = 2;

    private final MessageDigest md5;
    /** Bytes hashed before the secret: both addresses (128 bits each), the ports, the counter and the salt. */
    private static final int HASHED = 41;
    private final byte[] input = new byte[HASHED + 16];
    private final byte[] output = new byte[16];
    private long lastOverflowNs = Long.MIN_VALUE;

    /**
     * @param secret 16 bytes of secret key.
     */
    SynCookies(final byte[] secret)
    {
        try
        {
            md5 = MessageDigest.getInstance("MD5");
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("MD5 is required by every Java platform", e);
        }
        System.arraycopy(secret, 0, input, HASHED, 16);
    }

    /** @return cookies with a random secret. */
    static SynCookies random()
    {
        final byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        return new SynCookies(secret);
    }

    /**
     * The ISN of a cookie SYN,ACK for this SYN; notes that the queue overflowed now.
     *
     * @param s        the SYN.
     * @param mssIndex index in {@link #MSS_TABLE}.
     * @param nowNs    current time.
     * @return the cookie.
     */
    int encode(final Segment s, final int mssIndex, final long nowNs)
    {
        lastOverflowNs = nowNs;
        final int count = count(nowNs);
        return hash(s, 0, 0) + s.seq + (count << COUNT_SHIFT) + ((hash(s, count, 1) + mssIndex) & DATA_MASK);
    }

    /**
     * @param s     an ACK to a listener (no SYN, no RST).
     * @param nowNs current time.
     * @return the MSS index the cookie carries, or -1 if it is no valid cookie, or -2 if no cookie was sent lately.
     */
    int check(final Segment s, final long nowNs)
    {
        if (lastOverflowNs == Long.MIN_VALUE || nowNs - lastOverflowNs > MAX_AGE * MINUTE_NS)
        {
            return -2;
        }
        final int cookie = s.ack - 1;
        final int clientIsn = s.seq - 1;
        final int rest = cookie - hash(s, 0, 0) - clientIsn;
        final int count = rest >>> COUNT_SHIFT;
        final int age = (count(nowNs) - count) & 0xFF;
        if (age >= MAX_AGE)
        {
            return -1;
        }
        final int mssIndex = (rest - hash(s, count, 1)) & DATA_MASK;
        return mssIndex < MSS_TABLE.length ? mssIndex : -1;
    }

    /**
     * @param peerMss the MSS the SYN offered (0 if none).
     * @return the index of the largest table MSS not above it.
     */
    static int mssIndex(final int peerMss)
    {
        int i = MSS_TABLE.length - 1;
        while (i > 0 && MSS_TABLE[i] > (peerMss > 0 ? peerMss : 536))
        {
            i--;
        }
        return i;
    }

    /**
     * @param tsNow        our timestamp clock.
     * @param peerWindowShift the SYN's window scale, or -1 if it had none.
     * @param sackPermitted whether the SYN permitted SACK.
     * @return a TSval at or before the clock carrying both in its low bits.
     */
    static int timestamp(final int tsNow, final int peerWindowShift, final boolean sackPermitted)
    {
        final int options = (peerWindowShift < 0 ? NO_WINDOW_SCALE : peerWindowShift) | (sackPermitted ? SACK_BIT : 0);
        int ts = tsNow & ~TS_OPTION_MASK | options;
        if (Seq.gt(ts, tsNow))
        {
            ts -= TS_OPTION_MASK + 1;
        }
        return ts;
    }

    private int count(final long nowNs)
    {
        return (int)Math.floorDiv(nowNs, MINUTE_NS) & 0xFF;
    }

    private int hash(final Segment s, final int count, final int salt)
    {
        putLong(0, s.destinationHigh);
        putLong(8, s.destinationLow);
        putLong(16, s.sourceHigh);
        putLong(24, s.sourceLow);
        putInt(32, s.destinationPort << 16 | s.sourcePort & 0xFFFF);
        putInt(36, count);
        input[40] = (byte)salt;
        md5.update(input, 0, input.length);
        try
        {
            md5.digest(output, 0, output.length);
        }
        catch (final DigestException e)
        {
            throw new IllegalStateException(e);
        }
        return (output[0] & 0xFF) << 24 | (output[1] & 0xFF) << 16 | (output[2] & 0xFF) << 8 | output[3] & 0xFF;
    }

    private void putLong(final int at, final long v)
    {
        putInt(at, (int)(v >>> 32));
        putInt(at + 4, (int)v);
    }

    private void putInt(final int at, final int v)
    {
        input[at] = (byte)(v >>> 24);
        input[at + 1] = (byte)(v >>> 16);
        input[at + 2] = (byte)(v >>> 8);
        input[at + 3] = (byte)v;
    }
}
