package io.flowstack.tcp.tcb;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The core's timer wheel against a model: random deadlines set, moved and cancelled on a few connections' tables,
 * the clock advanced in steps from microseconds to seconds. Every wheel timer fires at the first poll at or after
 * its deadline, none before, and the earliest deadline the core would block until is exact, however the polls
 * that {@link TcpTimers} skips fall.
 */
class TcpTimersTest
{
    private static final int TABLES = 6;

    @Property(tries = 300)
    void everyTimerFiresAtTheFirstPollAtOrAfterItsDeadlineAndNeverBefore(@ForAll final long seed)
    {
        final Random random = new Random(seed);
        long now = 5_000_000_000L;
        final TcpTimers timers = new TcpTimers(now);
        final TimerTable[] tables = new TimerTable[TABLES];
        for (int i = 0; i < TABLES; i++)
        {
            tables[i] = new TimerTable(null);
        }
        for (int step = 0; step < 3_000; step++)
        {
            final TimerTable t = tables[random.nextInt(TABLES)];
            final int kind = random.nextInt(TimerTable.KINDS);
            final int op = random.nextInt(20);
            if (op < 6)
            {
                t.set(kind, now + delay(random));
                timers.sync(t);
            }
            else if (op < 8)
            {
                t.cancel(kind);
                timers.sync(t);
            }
            else if (op < 9)
            {
                t.clear();
                timers.cancel(t);
            }
            else if (op < 10)
            {
                assertEquals(earliestWheelDeadline(tables), timers.nextDeadline(now), "step " + step);
            }
            else
            {
                now += advance(random);
                final Set<TimerTable> due = new HashSet<>();
                for (final TimerTable table : tables)
                {
                    if (table.wheelDeadline <= now)
                    {
                        due.add(table);
                    }
                }
                final int n = timers.poll(now);
                final Set<TimerTable> fired = new HashSet<>();
                for (int i = 0; i < n; i++)
                {
                    fired.add(timers.fired(i));
                }
                assertEquals(due, fired, "step " + step + " at " + now);
                for (final TimerTable table : fired)
                {
                    // As the layer's timeouts do: what is due is handled, the table goes back on the wheel.
                    for (int k = 0; k < TimerTable.KINDS; k++)
                    {
                        table.expire(k, now);
                    }
                    timers.sync(table);
                }
            }
        }
    }

    private static long delay(final Random random)
    {
        switch (random.nextInt(4))
        {
            case 0:
                return random.nextInt(20_000);
            case 1:
                return random.nextInt(3_000_000);
            case 2:
                return random.nextInt(300_000_000);
            default:
                return random.nextInt(3) == 0 ? 60_000_000_000L : 2_500_000_000L;
        }
    }

    private static long advance(final Random random)
    {
        switch (random.nextInt(10))
        {
            case 0:
                return random.nextInt(5_000_000);
            case 1:
                return random.nextInt(100) == 0 ? random.nextInt(2_000_000_000) : random.nextInt(200_000);
            default:
                return random.nextInt(3_000);
        }
    }

    private static long earliestWheelDeadline(final TimerTable[] tables)
    {
        long earliest = Long.MAX_VALUE;
        for (final TimerTable t : tables)
        {
            earliest = Math.min(earliest, t.wheelDeadline);
        }
        return earliest;
    }
}
