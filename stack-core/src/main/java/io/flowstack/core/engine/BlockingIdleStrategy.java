package io.flowstack.core.engine;

import io.flowstack.core.driver.Waiter;
import org.agrona.concurrent.IdleStrategy;

/**
 * Spins a little after the last work, then blocks on the core's {@link Waiter} until a device is readable, a
 * command's doorbell rings, or the stack's next timer is due. A 2-core machine must not be eaten by idle cores,
 * so blocking is the default; busy polling is a separate strategy.
 */
public final class BlockingIdleStrategy implements IdleStrategy
{
    /** Longest block when no timer is pending: bounds how late a missed wake-up could be noticed. */
    public static final long MAX_BLOCK_NS = 1_000_000_000L;

    private final CoreEngine engine;
    private final int maxSpins;
    private int spins;

    /**
     * @param engine   the engine whose waiter, clock and deadlines are used.
     * @param maxSpins empty cycles to spin before blocking.
     */
    public BlockingIdleStrategy(final CoreEngine engine, final int maxSpins)
    {
        this.engine = engine;
        this.maxSpins = maxSpins;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            spins = 0;
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (spins < maxSpins || engine.isStopping())
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        final long deadline = engine.nextDeadline();
        final long now = engine.clock().nanoTime();
        final long timeout = deadline == Long.MAX_VALUE ? MAX_BLOCK_NS : Math.min(MAX_BLOCK_NS, deadline - now);
        if (timeout > 0)
        {
            engine.waiter().await(timeout);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
    }

    @Override
    public String alias()
    {
        return "blocking";
    }
}
