package io.flowstack.tcp;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.counter.CountersFactory;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.engine.BlockingIdleStrategy;
import io.flowstack.core.engine.CoreEngine;
import io.flowstack.core.engine.ParkingWaiter;
import io.flowstack.core.engine.Waiter;
import io.flowstack.core.pcap.PcapWriter;
import io.flowstack.core.time.Clock;
import io.flowstack.core.time.SystemClock;
import io.flowstack.ip.IpInterface;
import io.flowstack.ip.IpStack;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * A running flowstack: interfaces, cores and applications assembled by a {@link Builder}. Each core is a
 * {@link CoreEngine} driving its own {@link IpStack} on its own thread.
 */
public final class FlowStack implements AutoCloseable
{
    private final List<CoreEngine> engines;
    private final List<IpStack> stacks;
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<NetworkDriver> drivers;
    private final List<Waiter> waiters;
    private final PcapWriter pcap;
    private final ThreadFactory threadFactory;
    private final ErrorHandler errorHandler;
    private final int idleSpins;
    private boolean started;
    private boolean closed;

    private FlowStack(final Builder b, final List<CoreEngine> engines, final List<IpStack> stacks,
        final List<Waiter> waiters, final PcapWriter pcap)
    {
        this.engines = engines;
        this.stacks = stacks;
        this.drivers = b.drivers;
        this.waiters = waiters;
        this.pcap = pcap;
        this.threadFactory = b.threadFactory;
        this.errorHandler = b.errorHandler;
        this.idleSpins = b.idleSpins;
    }

    /**
     * @return a builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Starts one thread per core.
     *
     * @return this
     */
    public synchronized FlowStack start()
    {
        if (started)
        {
            return this;
        }
        started = true;
        for (final CoreEngine engine : engines)
        {
            final AgentRunner runner = new AgentRunner(
                new BlockingIdleStrategy(engine, idleSpins), errorHandler, null, engine);
            runners.add(runner);
            AgentRunner.startOnThread(runner, threadFactory);
        }
        return this;
    }

    /**
     * @param core a core index.
     * @return its engine.
     */
    public CoreEngine engine(final int core)
    {
        return engines.get(core);
    }

    /**
     * @param core a core index.
     * @return its IP stack; touch it only from that core's thread (or before {@link #start()}).
     */
    public IpStack ip(final int core)
    {
        return stacks.get(core);
    }

    /**
     * @return number of cores.
     */
    public int cores()
    {
        return engines.size();
    }

    /**
     * Stops the cores, then closes the drivers and the pcap file. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final AgentRunner runner : runners)
        {
            runner.close();
        }
        for (final Waiter w : waiters)
        {
            w.close();
        }
        for (final NetworkDriver d : drivers)
        {
            d.close();
        }
        if (pcap != null)
        {
            try
            {
                pcap.close();
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot finish pcap file: " + e.getMessage(), e);
            }
        }
    }

    /** Builds a {@link FlowStack}. */
    public static final class Builder
    {
        /** Makes the waiter a core blocks on, from the wait handles (file descriptors) of its queues. */
        @FunctionalInterface
        public interface WaiterFactory
        {
            /**
             * @param handles the queues' {@link NetworkDriver#waitHandle()}s; -1 entries have none.
             * @return a waiter.
             */
            Waiter create(int[] handles);
        }

        private final List<NetworkDriver> drivers = new ArrayList<>();
        private final List<IpInterface> interfaces = new ArrayList<>();
        private final List<CoreSetup> setups = new ArrayList<>();
        private Clock clock = SystemClock.INSTANCE;
        private WaiterFactory waiterFactory = handles -> new ParkingWaiter();
        private CountersManager countersManager;
        private Path pcapFile;
        private int poolSlots = BufferPool.DEFAULT_SLOT_COUNT;
        private int idleSpins = 100;
        private ThreadFactory threadFactory = r -> new Thread(r);
        private ErrorHandler errorHandler = Throwable::printStackTrace;

        private Builder()
        {
        }

        /**
         * Adds an interface served through one driver queue.
         *
         * @param driver  the device queue.
         * @param address the interface's IP configuration; its ifIndex must be the number of interfaces added
         *                before it.
         * @return this
         */
        public Builder addInterface(final NetworkDriver driver, final IpInterface address)
        {
            if (address.ifIndex() != interfaces.size())
            {
                throw new IllegalArgumentException("interface index " + address.ifIndex() + " should be " + interfaces.size());
            }
            drivers.add(driver);
            interfaces.add(address);
            return this;
        }

        /**
         * @param setup installs applications on each core.
         * @return this
         */
        public Builder onEachCore(final CoreSetup setup)
        {
            setups.add(setup);
            return this;
        }

        /**
         * @param clock time source (virtual in tests).
         * @return this
         */
        public Builder clock(final Clock clock)
        {
            this.clock = clock;
            return this;
        }

        /**
         * @param factory makes each core's idle waiter (an epoll waiter for devices with descriptors).
         * @return this
         */
        public Builder waiterFactory(final WaiterFactory factory)
        {
            this.waiterFactory = factory;
            return this;
        }

        /**
         * @param manager where counters live (for example a memory-mapped file another process reads).
         * @return this
         */
        public Builder counters(final CountersManager manager)
        {
            this.countersManager = manager;
            return this;
        }

        /**
         * @param file write every frame in and out to this pcap file.
         * @return this
         */
        public Builder pcap(final Path file)
        {
            this.pcapFile = file;
            return this;
        }

        /**
         * @param slots buffers per core.
         * @return this
         */
        public Builder poolSlots(final int slots)
        {
            this.poolSlots = slots;
            return this;
        }

        /**
         * @param spins empty duty cycles before a core blocks.
         * @return this
         */
        public Builder idleSpins(final int spins)
        {
            this.idleSpins = spins;
            return this;
        }

        /**
         * @param factory makes the core threads (for example pinned ones).
         * @return this
         */
        public Builder threadFactory(final ThreadFactory factory)
        {
            this.threadFactory = factory;
            return this;
        }

        /**
         * @param handler receives exceptions that escape a core's duty cycle (a bug: input never throws).
         * @return this
         */
        public Builder errorHandler(final ErrorHandler handler)
        {
            this.errorHandler = handler;
            return this;
        }

        /**
         * Builds the cores and runs the setups; call {@link FlowStack#start()} to run them.
         *
         * @return the stack.
         */
        public FlowStack build()
        {
            if (drivers.isEmpty())
            {
                throw new IllegalStateException("no interface added");
            }
            final CountersManager manager = countersManager != null ? countersManager : CountersFactory.inMemory(4096);
            final PcapWriter pcap;
            try
            {
                pcap = pcapFile == null ? null : new PcapWriter(pcapFile);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot write pcap file " + pcapFile + ": " + e.getMessage(), e);
            }
            final NetworkDriver[] byIf = drivers.toArray(new NetworkDriver[0]);
            final IpInterface[] ifs = interfaces.toArray(new IpInterface[0]);
            final int[] handles = new int[byIf.length];
            for (int i = 0; i < byIf.length; i++)
            {
                handles[i] = byIf[i].waitHandle();
            }
            final Waiter waiter = waiterFactory.create(handles);
            for (final NetworkDriver d : byIf)
            {
                d.wakeOnReceive(waiter);
            }
            final int coreId = 0;
            final CounterSet counters = new CounterSet(coreId, manager);
            final BufferPool pool = new BufferPool(coreId, poolSlots, BufferPool.DEFAULT_SLOT_SIZE, BufferPool.DEFAULT_HEADROOM);
            final CoreEngine engine = new CoreEngine(coreId, clock, pool, byIf, byIf, waiter, counters, 4096);
            final IpStack ip = new IpStack(coreId, 1, ifs, pool, engine, counters);
            engine.stack(ip);
            if (pcap != null)
            {
                engine.pcap(pcap);
            }
            final CoreContext ctx = new CoreContext(coreId, engine, ip);
            for (final CoreSetup s : setups)
            {
                s.setup(ctx);
            }
            return new FlowStack(this, List.of(engine), List.of(ip), List.of(waiter), pcap);
        }
    }
}
