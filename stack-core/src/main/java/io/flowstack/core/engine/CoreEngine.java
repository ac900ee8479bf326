package io.flowstack.core.engine;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.pcap.PcapWriter;
import io.flowstack.core.time.Clock;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.status.AtomicCounter;
import org.jctools.queues.MpscArrayQueue;

/**
 * The duty cycle of one core, as an Agrona {@link Agent}: read the clock once, poll each driver queue for a
 * bounded batch and run every frame to completion through the {@link CoreStack}, drain a bounded number of
 * commands from other threads, run due timers, flush transmit batches. Everything a core does happens here,
 * on one thread, without locks.
 * <p>
 * The engine is also the stack's {@link FrameSink}: it routes each frame to the driver of its interface and
 * copies it to the pcap file when one is set.
 */
public final class CoreEngine implements Agent, FrameSink, FrameHandler
{
    /** Frames read per driver per cycle. */
    public static final int RECEIVE_BATCH = 64;
    /** Commands run per cycle, so that applications cannot starve the network. */
    public static final int COMMAND_BATCH = 64;

    private final int coreId;
    private final Clock clock;
    private final BufferPool pool;
    private final NetworkDriver[] driversByIf;
    private final NetworkDriver[] receiveQueues;
    private final MpscArrayQueue<Command> commands;
    private final Waiter waiter;
    private final AtomicCounter framesIn;
    private final AtomicCounter framesOut;
    private final AtomicCounter commandsRun;
    private CoreStack stack;
    private PcapWriter pcap;
    private long wallClockOffsetNs;
    private long now;
    private boolean started;

    /**
     * @param coreId        this core's index.
     * @param clock         time source, read once per cycle.
     * @param pool          this core's buffers.
     * @param driversByIf   the transmit queue of each interface this core sends on, indexed by ifIndex.
     * @param receiveQueues the queues this core reads.
     * @param waiter        what the core blocks on when idle; rung when a command arrives.
     * @param counters      the core's counters.
     * @param commandQueueCapacity bound of the cross-thread command queue.
     */
    public CoreEngine(
        final int coreId,
        final Clock clock,
        final BufferPool pool,
        final NetworkDriver[] driversByIf,
        final NetworkDriver[] receiveQueues,
        final Waiter waiter,
        final CounterSet counters,
        final int commandQueueCapacity)
    {
        this.coreId = coreId;
        this.clock = clock;
        this.pool = pool;
        this.driversByIf = driversByIf.clone();
        this.receiveQueues = receiveQueues.clone();
        this.waiter = waiter;
        this.commands = new MpscArrayQueue<>(commandQueueCapacity);
        this.framesIn = counters.counter("engine.frames_in");
        this.framesOut = counters.counter("engine.frames_out");
        this.commandsRun = counters.counter("engine.commands");
    }

    /**
     * Sets the stack this engine drives. Done once, before the agent starts, because the stack is built with
     * this engine as its {@link FrameSink}.
     *
     * @param stack the core's stack.
     */
    public void stack(final CoreStack stack)
    {
        this.stack = stack;
    }

    /**
     * Copies every frame received and sent to a pcap file. Set before the agent starts.
     *
     * @param pcap the writer, or null for none.
     */
    public void pcap(final PcapWriter pcap)
    {
        this.pcap = pcap;
        this.wallClockOffsetNs = System.currentTimeMillis() * 1_000_000L - clock.nanoTime();
    }

    @Override
    public void onStart()
    {
        start();
    }

    /**
     * Lets the stack announce itself. Called by {@link #onStart()} on the core's thread, or by a test driving
     * {@link #doWork()} by hand.
     */
    public void start()
    {
        if (!started)
        {
            started = true;
            now = clock.nanoTime();
            stack.onStart(now);
            flush();
        }
    }

    @Override
    public int doWork()
    {
        now = clock.nanoTime();
        int work = 0;
        for (final NetworkDriver queue : receiveQueues)
        {
            work += queue.receive(pool, this, RECEIVE_BATCH);
        }
        work += runCommands();
        work += stack.onTime(now);
        work += flush();
        return work;
    }

    @Override
    public void onFrame(final PacketBuffer frame)
    {
        framesIn.incrementOrdered();
        if (pcap != null)
        {
            pcap.write(now + wallClockOffsetNs, frame.buffer(), frame.offset(), frame.length());
        }
        stack.onFrame(frame, now);
    }

    @Override
    public void transmit(final PacketBuffer frame)
    {
        final int ifIndex = frame.ifIndex();
        if (ifIndex < 0 || ifIndex >= driversByIf.length || driversByIf[ifIndex] == null)
        {
            frame.release();
            return;
        }
        framesOut.incrementOrdered();
        if (pcap != null)
        {
            pcap.write(now + wallClockOffsetNs, frame.buffer(), frame.offset(), frame.length());
        }
        driversByIf[ifIndex].transmit(frame);
    }

    /**
     * Queues a command for this core and wakes it. Safe from any thread.
     *
     * @param command the work.
     * @return false when the queue is full (the caller reports back-pressure).
     */
    public boolean submit(final Command command)
    {
        if (!commands.offer(command))
        {
            return false;
        }
        waiter.wake();
        return true;
    }

    private int runCommands()
    {
        int n = 0;
        Command c;
        while (n < COMMAND_BATCH && (c = commands.poll()) != null)
        {
            c.execute(now);
            n++;
        }
        if (n > 0)
        {
            commandsRun.getAndAddOrdered(n);
        }
        return n;
    }

    private int flush()
    {
        int work = 0;
        for (final NetworkDriver driver : driversByIf)
        {
            if (driver != null)
            {
                work += driver.flush();
            }
        }
        return work;
    }

    /**
     * @return the time the current cycle started.
     */
    public long now()
    {
        return now;
    }

    /**
     * @return the earliest timer deadline of the stack.
     */
    public long nextDeadline()
    {
        return stack.nextDeadline();
    }

    /**
     * @return this core's pool.
     */
    public BufferPool pool()
    {
        return pool;
    }

    /**
     * @return the waiter this core idles on.
     */
    public Waiter waiter()
    {
        return waiter;
    }

    /**
     * @return the clock of this core.
     */
    public Clock clock()
    {
        return clock;
    }

    /**
     * @return this core's index.
     */
    public int coreId()
    {
        return coreId;
    }

    @Override
    public void onClose()
    {
        if (pcap != null)
        {
            try
            {
                pcap.flush();
            }
            catch (final java.io.IOException e)
            {
                throw new java.io.UncheckedIOException("pcap flush failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String roleName()
    {
        return "flowstack-core-" + coreId;
    }
}
