package io.flowstack.core.time;

/**
 * A token bucket on explicit time, for what a stack must not send without bound: ICMP errors (RFC 1812 4.3.2.8;
 * Linux's icmp_ratelimit works the same way), TCP challenge ACKs (RFC 5961 7) and resets to closed ports.
 */
public final class RateLimiter
{
    private final long nanosPerToken;
    private final long capacityNs;
    private long filledUntil;

    /**
     * @param perSecond sustained rate.
     * @param burst     tokens available at once.
     */
    public RateLimiter(final int perSecond, final int burst)
    {
        if (perSecond <= 0 || burst <= 0)
        {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.nanosPerToken = 1_000_000_000L / perSecond;
        this.capacityNs = nanosPerToken * burst;
        this.filledUntil = Long.MIN_VALUE / 2;
    }

    /**
     * @param nowNs current time.
     * @return true if a token was taken.
     */
    public boolean tryAcquire(final long nowNs)
    {
        // The bucket is a time: tokens = (now - filledUntil) / nanosPerToken, capped at burst.
        long start = filledUntil;
        if (nowNs - start > capacityNs)
        {
            start = nowNs - capacityNs;
        }
        final long next = start + nanosPerToken;
        if (next - nowNs > 0)
        {
            return false;
        }
        filledUntil = next;
        return true;
    }
}
