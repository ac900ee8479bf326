package io.flowstack.tcp;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.counter.CountersFactory;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.driver.SteeringRefusedException;
import io.flowstack.core.engine.BlockingIdleStrategy;
import io.flowstack.core.engine.CoreEngine;
import io.flowstack.core.engine.ParkingWaiter;
import io.flowstack.core.driver.Waiter;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.core.flow.SteeringRule;
import io.flowstack.core.flow.SteeringRules;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.pcap.PcapWriter;
import io.flowstack.core.time.Clock;
import io.flowstack.core.time.SystemClock;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.IpConfig;
import io.flowstack.ip.IpStack;
import io.flowstack.tcp.api.Configuration;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.IsnGenerator;
import io.flowstack.tcp.tcb.Rfc6528Isn;
import io.flowstack.tcp.tcb.TcpLayer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A running flowstack: interfaces, cores and applications assembled by a {@link Builder}. Each core is a
 * {@link CoreEngine} driving its own {@link IpStack} on its own thread; every core has its own pool, counters,
 * neighbor cache and flow tables, and a private copy of the ownership function.
 * <p>
 * Queues are spread as the devices allow: a single-queue device is read by one core (the others get their
 * frames through the forwarding rings) and every core transmits on it; a multi-queue device gives core i queue
 * i mod queues; an interface designated to one core is read by that core only. A device hashed over all cores with a
 * queue per core is offered the ownership function ({@link NetworkDevice#steerByOwner}): with a BPF program in the
 * kernel it then delivers every frame to its owner's queue, and nothing is forwarded.
 */
public final class FlowStack implements AutoCloseable
{
    private final List<CoreEngine> engines;
    private final List<IpStack> stacks;
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<NetworkDevice> devices;
    private final List<Waiter> waiters;
    private final PcapWriter pcap;
    private final ThreadFactory threadFactory;
    private final ErrorHandler errorHandler;
    private final int idleSpins;
    private final FlowOwnership ownership;
    private final List<CoreContext> contexts;
    private final InterfaceHealth health;
    private final List<OwnerSteering> steerings;
    private final OwnerSteering[] steeringByInterface;
    private final TcpLayer[] tcpLayers;
    private final AtomicCounter[][] steeringCounters;
    private final IpInterface[] interfaces;
    private TableHandover handover;
    private boolean started;
    private boolean closed;

    private FlowStack(final Builder b, final List<CoreEngine> engines, final List<IpStack> stacks,
        final List<Waiter> waiters, final PcapWriter pcap, final FlowOwnership ownership, final List<CoreContext> contexts,
        final OwnerSteering[] steeringByInterface, final TcpLayer[] tcpLayers, final CounterSet[] counterSets,
        final InterfaceHealth health)
    {
        this.health = health;
        this.contexts = contexts;
        this.steeringByInterface = steeringByInterface;
        final List<OwnerSteering> taken = new ArrayList<>();
        for (final OwnerSteering s : steeringByInterface)
        {
            if (s != null)
            {
                taken.add(s);
            }
        }
        this.steerings = List.copyOf(taken);
        this.tcpLayers = tcpLayers;
        // Allocated here, on the building thread: a counters manager is not for several threads at once.
        this.steeringCounters = new AtomicCounter[counterSets.length][];
        for (int c = 0; c < counterSets.length; c++)
        {
            steeringCounters[c] = new AtomicCounter[]{counterSets[c].counter(SteeringCounter.PINNED),
                counterSets[c].counter(SteeringCounter.LATE_PINS), counterSets[c].counter(SteeringCounter.KERNEL_REFUSED),
                counterSets[c].counter(SteeringCounter.HANDOVERS)};
        }
        this.interfaces = b.interfaces.toArray(new IpInterface[0]);
        this.engines = engines;
        this.stacks = stacks;
        this.devices = b.devices;
        this.waiters = waiters;
        this.pcap = pcap;
        this.threadFactory = b.threadFactory;
        this.errorHandler = b.errorHandler;
        this.idleSpins = b.idleSpins;
        this.ownership = ownership;
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
            engine.handedToRunner();
            final AgentRunner runner = new AgentRunner(
                new BlockingIdleStrategy(engine, idleSpins), errorHandler, null, engine);
            runners.add(runner);
            AgentRunner.startOnThread(runner, threadFactory);
        }
        return this;
    }

    /**
     * Internal: the stack's own modules, tools and tests reach a core's layers here; the type lives in a package
     * the modules do not export. Applications use {@link #core(int)}.
     *
     * @param core a core index.
     * @return its engine.
     */
    public CoreEngine engine(final int core)
    {
        return engines.get(core);
    }

    /**
     * Internal, as {@link #engine(int)}.
     *
     * @param core a core index.
     * @return its IP stack; touch it only from that core's thread (or before {@link #start()}).
     */
    public IpStack ip(final int core)
    {
        return stacks.get(core);
    }

    /**
     * Internal, as {@link #engine(int)}.
     *
     * @param core a core index.
     * @return its TCP, or null if the core does not run TCP.
     */
    public TcpLayer tcp(final int core)
    {
        return tcpLayers[core];
    }

    /**
     * @param core a core index.
     * @return what applications see of that core (listen, connect, UDP endpoints, counters, submit).
     */
    public CoreContext core(final int core)
    {
        return contexts.get(core);
    }

    /**
     * Runs one duty cycle of every core on the calling thread, for a stack that is driven by hand instead of
     * {@link #start()}ed (tests on a {@link io.flowstack.core.time.VirtualClock}); the first call makes the calling
     * thread the cores' thread.
     *
     * @return work done (0 when every core is idle).
     */
    public int doWork()
    {
        // Indexed, not for-each: a hand-driven cycle must allocate nothing (no iterator), as a core's does.
        int work = 0;
        for (int i = 0; i < engines.size(); i++)
        {
            final CoreEngine engine = engines.get(i);
            engine.start();
            work += engine.doWork();
        }
        return work;
    }

    /**
     * @return the earliest time a core driven by hand has a timer due ({@link Long#MAX_VALUE} for none).
     */
    public long nextDeadline()
    {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < engines.size(); i++)
        {
            next = Math.min(next, engines.get(i).nextDeadline());
        }
        return next;
    }

    /**
     * @return number of cores.
     */
    public int cores()
    {
        return engines.size();
    }

    /**
     * @return interfaces whose device is not known to be gone (see {@link Builder#onInterfaceGone}).
     */
    public int interfacesLeft()
    {
        return health.interfacesLeft();
    }

    /**
     * @return the stack's own copy of the ownership function (for tools and tests; each core has its own). It
     *         takes a new table and pins as a reprogramming finishes.
     */
    public FlowOwnership ownership()
    {
        return ownership;
    }

    /**
     * @param ifIndex an interface.
     * @return the kernel copy of the ownership function its device took (exact steering), or null.
     */
    public OwnerSteering kernelSteering(final int ifIndex)
    {
        return ifIndex >= 0 && ifIndex < steeringByInterface.length ? steeringByInterface[ifIndex] : null;
    }

    /**
     * Reprograms the indirection table while running, without moving a live connection: connections the new table
     * would move are pinned to the core that holds them, on every core and in the devices' kernel programs; then
     * every core switches, then the kernel (see {@link TableHandover}). Returns at once; the cores do the work
     * between frames. {@link #awaitReprogram} waits for it.
     *
     * @param table the new table, same size as the current one.
     * @return false when a reprogramming is still running or a core's command queue stayed full (try again).
     */
    public synchronized boolean reprogram(final IndirectionTable table)
    {
        if (handover != null && !handover.isDone())
        {
            return false;
        }
        final FlowOwnership[] cores = new FlowOwnership[stacks.size()];
        for (int c = 0; c < cores.length; c++)
        {
            cores[c] = stacks.get(c).classifier().ownership();
        }
        handover = new TableHandover(engines.toArray(new CoreEngine[0]), cores, tcpLayers, ownership, steerings,
            interfaces, steeringCounters, table);
        return handover.start();
    }

    /**
     * Waits for the last {@link #reprogram} to finish (the cores must be running, or driven by the caller).
     *
     * @param timeout how long to wait.
     * @param unit    its unit.
     * @return what it did, or null if it did not finish in time (or none was started).
     * @throws InterruptedException when interrupted.
     */
    public HandoverReport awaitReprogram(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final TableHandover h;
        synchronized (this)
        {
            h = handover;
        }
        return h == null ? null : h.await(timeout, unit);
    }

    /**
     * @return what the last {@link #reprogram} did, or null while it runs (or when none was started).
     */
    public synchronized HandoverReport reprogramReport()
    {
        return handover == null || !handover.isDone() ? null : handover.report();
    }

    /**
     * Stops the cores, then closes the devices and the pcap file. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final CoreEngine engine : engines)
        {
            engine.requestStop();
        }
        for (final AgentRunner runner : runners)
        {
            runner.close();
        }
        for (final Waiter w : waiters)
        {
            w.close();
        }
        for (final OwnerSteering s : steerings)
        {
            s.close();
        }
        for (final NetworkDevice d : devices)
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
             * @throws IOException when the waiter cannot be made (an epoll descriptor, say); the build fails.
             */
            Waiter create(int[] handles) throws IOException;
        }

        private final List<NetworkDevice> devices = new ArrayList<>();
        private final List<IpInterface> interfaces = new ArrayList<>();
        private final List<Integer> designations = new ArrayList<>();
        private final List<CoreSetup> setups = new ArrayList<>();
        private final SteeringRules rules = new SteeringRules();
        private int cores = Configuration.cores();
        private byte[] rssKey;
        private int tableSize = Configuration.tableSize();
        private int[] weights;
        private int[] protocolClasses;
        private Clock clock = SystemClock.INSTANCE;
        private WaiterFactory waiterFactory = handles -> new ParkingWaiter();
        private CountersManager countersManager;
        private Path pcapFile;
        private int poolSlots = Configuration.poolSlots();
        private int ringCapacity = Configuration.ringCapacity();
        private int commandQueue = Configuration.commandQueue();
        private int idleSpins = Configuration.idleSpins();
        private TcpConfig tcpConfig = TcpConfig.DEFAULT;
        private IpConfig ipConfig = IpConfig.DEFAULT;
        private java.util.function.IntFunction<IsnGenerator> isn = core -> Rfc6528Isn.random();
        private ThreadFactory threadFactory = Thread::new;
        private ErrorHandler errorHandler = Throwable::printStackTrace;
        private InterfaceListener interfaceListener = (ifIndex, device, errno, left) ->
        {
        };
        private Consumer<Exception> taskFailures;
        private boolean exactSteering = Configuration.exactSteering();
        private Consumer<String> notices = line -> System.err.println("flowstack: " + line);

        private Builder()
        {
        }

        /**
         * @param cores number of stack instances (threads).
         * @return this
         */
        public Builder cores(final int cores)
        {
            if (cores < 1 || cores > 256)
            {
                throw new IllegalArgumentException("cores must be 1..256, got " + cores);
            }
            this.cores = cores;
            return this;
        }

        /**
         * Adds an interface whose flows are hashed over all cores.
         *
         * @param address the interface's IP configuration; its ifIndex must be the number of interfaces added
         *                before it.
         * @param device  the device.
         * @return this
         */
        public Builder addInterface(final IpInterface address, final NetworkDevice device)
        {
            return addInterface(address, device, FlowOwnership.HASHED);
        }

        /**
         * Adds an interface designated to one core (interface per core): that core reads it and owns its flows.
         *
         * @param address the interface's IP configuration.
         * @param device  the device.
         * @param core    the designated core, or {@link FlowOwnership#HASHED}.
         * @return this
         */
        public Builder addInterface(final IpInterface address, final NetworkDevice device, final int core)
        {
            if (address.ifIndex() != interfaces.size())
            {
                throw new IllegalArgumentException("interface index " + address.ifIndex() + " should be " + interfaces.size());
            }
            devices.add(device);
            interfaces.add(address);
            designations.add(core);
            return this;
        }

        /**
         * @param key the 40-byte Toeplitz key (default: random per start).
         * @return this
         */
        public Builder rssKey(final byte[] key)
        {
            this.rssKey = key.clone();
            return this;
        }

        /**
         * @param size indirection table entries, a power of two.
         * @return this
         */
        public Builder tableSize(final int size)
        {
            this.tableSize = size;
            return this;
        }

        /**
         * @param weights relative share of hashed flows per core (default equal).
         * @return this
         */
        public Builder weights(final int... weights)
        {
            this.weights = weights.clone();
            return this;
        }

        /**
         * @param rule an exact-match steering rule, checked before the table.
         * @return this
         */
        public Builder steer(final SteeringRule rule)
        {
            rules.add(rule);
            return this;
        }

        /**
         * Restricts the protocols a core takes hashed flows of (it still takes what rules steer to it).
         *
         * @param core    the core.
         * @param classes bit mask of {@link FlowOwnership} protocol classes.
         * @return this
         */
        public Builder protocols(final int core, final int classes)
        {
            if (protocolClasses == null)
            {
                protocolClasses = new int[256];
                Arrays.fill(protocolClasses, FlowOwnership.ALL_CLASSES);
            }
            protocolClasses[core] = classes;
            return this;
        }

        /**
         * @param config TCP tunables for every connection.
         * @return this
         */
        public Builder tcp(final TcpConfig config)
        {
            this.tcpConfig = config;
            return this;
        }

        /**
         * @param config the IP layer's bounds on every core (neighbors, datagrams waiting for one, reassembly).
         * @return this
         */
        public Builder ip(final IpConfig config)
        {
            this.ipConfig = config;
            return this;
        }

        /**
         * @param generator initial sequence numbers per core (fixed ones in tests).
         * @return this
         */
        public Builder isn(final java.util.function.IntFunction<IsnGenerator> generator)
        {
            this.isn = generator;
            return this;
        }

        /**
         * @param secrets the key of each core's RFC 6528 initial sequence numbers (16 bytes), instead of a random
         *                one: a simulation then replays from its seed.
         * @return this
         */
        public Builder isnSecrets(final java.util.function.IntFunction<byte[]> secrets)
        {
            this.isn = core -> new Rfc6528Isn(secrets.apply(core));
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
         * @param file write every frame in and out to this pcap file (one file for all cores; writes from several
         *             cores are serialized, which costs a lock: a debugging aid, not for measurements).
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
         * @param capacity frames per forwarding ring between two cores.
         * @return this
         */
        public Builder ringCapacity(final int capacity)
        {
            this.ringCapacity = capacity;
            return this;
        }

        /**
         * @param capacity tasks waiting in each core's queue for commands from other threads.
         * @return this
         */
        public Builder commandQueue(final int capacity)
        {
            this.commandQueue = capacity;
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
         * @param offer whether to offer devices the ownership function so that they steer exactly in the kernel
         *              (default true; false keeps each device's own steering, for comparisons).
         * @return this
         */
        public Builder exactSteering(final boolean offer)
        {
            this.exactSteering = offer;
            return this;
        }

        /**
         * @param sink receives one-line notices, such as a device that could not steer exactly (default: stderr).
         * @return this
         */
        public Builder notices(final Consumer<String> sink)
        {
            this.notices = sink;
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
         * @param listener told once per interface whose device is gone for good (the cores have closed it already).
         * @return this
         */
        public Builder onInterfaceGone(final InterfaceListener listener)
        {
            this.interfaceListener = listener;
            return this;
        }

        /**
         * @param handler told of every exception a task given to {@link CoreContext#submit} throws, on the core's
         *                thread (default: one line to the {@link #notices} sink; the core carries on).
         * @return this
         */
        public Builder taskFailures(final Consumer<Exception> handler)
        {
            this.taskFailures = handler;
            return this;
        }

        /**
         * Builds the cores and runs the setups; call {@link FlowStack#start()} to run them.
         *
         * @return the stack.
         * @throws IOException what a setup threw, such as a {@link java.net.BindException} from a listen.
         */
        public FlowStack build() throws IOException
        {
            if (devices.isEmpty())
            {
                throw new IllegalStateException("no interface added");
            }
            final CountersManager manager = countersManager != null ? countersManager : CountersFactory.inMemory(8192);
            final PcapWriter pcap;
            try
            {
                pcap = pcapFile == null ? null : new PcapWriter(pcapFile);
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException("cannot write pcap file " + pcapFile + ": " + e.getMessage(), e);
            }
            final IpInterface[] ifs = interfaces.toArray(new IpInterface[0]);
            for (int i = 0; i < ifs.length; i++)
            {
                // IP and TCP use what the interface's device offers (Offloads.NONE for a plain one).
                ifs[i] = ifs[i].withOffloads(devices.get(i).offloads());
            }
            final int[] designated = new int[ifs.length];
            for (int i = 0; i < ifs.length; i++)
            {
                final int d = designations.get(i);
                if (d >= cores)
                {
                    throw new IllegalArgumentException("interface " + i + " designated to core " + d + " of " + cores);
                }
                designated[i] = d;
            }
            final int[] classes = new int[cores];
            for (int c = 0; c < cores; c++)
            {
                classes[c] = protocolClasses == null ? FlowOwnership.ALL_CLASSES : protocolClasses[c];
            }
            final ToeplitzHash hash = new ToeplitzHash(rssKey != null ? rssKey : ToeplitzHash.randomKey(new SecureRandom()));
            final IndirectionTable table = new IndirectionTable(tableSize);
            final int[] w = weights != null ? weights : filled(cores, 1);
            if (w.length != cores)
            {
                throw new IllegalArgumentException(w.length + " weights for " + cores + " cores");
            }
            table.fill(w);
            final FlowOwnership controller = new FlowOwnership(cores, hash, table, rules, designated, classes);
            final OwnerSteering[] steerings = offerSteering(controller, designated);

            final CoreEngine[] engines = new CoreEngine[cores];
            final IpStack[] stacks = new IpStack[cores];
            final List<Waiter> waiters = new ArrayList<>();
            final FlowOwnership[] ownerships = new FlowOwnership[cores];
            final CounterSet[] counterSets = new CounterSet[cores];
            final TcpLayer[] tcpLayers = new TcpLayer[cores];
            final Map<NetworkDriver, Integer> interfaceOf = new IdentityHashMap<>();
            for (int core = 0; core < cores; core++)
            {
                final NetworkDriver[] txByIf = new NetworkDriver[ifs.length];
                final List<NetworkDriver> rx = new ArrayList<>();
                for (int i = 0; i < ifs.length; i++)
                {
                    final NetworkDevice device = devices.get(i);
                    final int queues = device.queues();
                    final int d = designated[i];
                    if (d >= 0)
                    {
                        txByIf[i] = open(device, 0, i, ifs[i].mac(), interfaceOf);
                        if (d == core)
                        {
                            rx.add(txByIf[i]);
                            for (int q = 1; q < queues; q++)
                            {
                                rx.add(open(device, q, i, ifs[i].mac(), interfaceOf));
                            }
                        }
                        continue;
                    }
                    // Hashed: core c transmits on queue c mod Q, and reads queues c, c + cores, ... (queue 0 for a
                    // single queue, read by core 0 only).
                    txByIf[i] = open(device, core % queues, i, ifs[i].mac(), interfaceOf);
                    for (int q = core; q < queues; q += cores)
                    {
                        rx.add(q == core % queues ? txByIf[i] : open(device, q, i, ifs[i].mac(), interfaceOf));
                    }
                }
                final NetworkDriver[] rxQueues = rx.toArray(new NetworkDriver[0]);
                final int[] handles = new int[rxQueues.length];
                for (int q = 0; q < rxQueues.length; q++)
                {
                    handles[q] = rxQueues[q].waitHandle();
                }
                final Waiter waiter = waiterFactory.create(handles);
                waiters.add(waiter);
                for (final NetworkDriver d : rxQueues)
                {
                    d.wakeOnReceive(waiter);
                }
                final CounterSet counters = new CounterSet(core, manager);
                counterSets[core] = counters;
                final BufferPool pool = new BufferPool(core, poolSlots, BufferPool.DEFAULT_SLOT_SIZE, BufferPool.DEFAULT_HEADROOM);
                engines[core] = new CoreEngine(core, clock, pool, txByIf, rxQueues, waiter, counters, commandQueue);
                ownerships[core] = new FlowOwnership(cores, hash, table, rules, designated, classes);
            }
            final String[] descriptions = new String[ifs.length];
            for (int i = 0; i < ifs.length; i++)
            {
                descriptions[i] = devices.get(i).describe();
            }
            final InterfaceHealth health = new InterfaceHealth(interfaceOf, descriptions, interfaceListener);
            for (final CoreEngine engine : engines)
            {
                engine.deviceListener(health);
            }
            CoreEngine.connect(engines, ringCapacity);
            for (int core = 0; core < cores; core++)
            {
                final CoreEngine engine = engines[core];
                // A core runs the protocols it takes hashed flows of, plus those rules steer to it.
                int runs = classes[core];
                for (int r = 0; r < rules.size(); r++)
                {
                    if (rules.get(r).core() == core)
                    {
                        runs |= 1 << FlowOwnership.classOf(rules.get(r).protocol());
                    }
                }
                stacks[core] = new IpStack(engine, engine, ifs, engine.pool(), ownerships[core], runs, ipConfig,
                    counterSets[core]);
                stacks[core].notices(notices);
                if ((runs & (1 << FlowOwnership.CLASS_TCP)) != 0)
                {
                    final TcpLayer tcp = new TcpLayer(stacks[core].network(), engine.pool(), counterSets[core],
                        ownerships[core], tcpConfig.withLimits(tcpConfig.limits().resolve(cores)), isn.apply(core),
                        engine.time());
                    stacks[core].register(io.flowstack.ip.wire.Ipv4Flyweight.PROTO_TCP, tcp);
                    stacks[core].packetTooBig(tcp);
                    stacks[core].addTimerSource(tcp);
                    tcpLayers[core] = tcp;
                }
                engine.stack(stacks[core]);
                if (cores > 1)
                {
                    engine.classifier(stacks[core].classifier());
                }
                if (pcap != null)
                {
                    engine.pcap(pcap);
                }
            }
            final CoreContext[] contexts = new CoreContext[cores];
            for (int core = 0; core < cores; core++)
            {
                final int id = core;
                engines[core].commandFailureHandler(taskFailures != null ? taskFailures
                    : e -> notices.accept("core " + id + ": a submitted task failed: " + oneLine(e)));
                final CoreContext ctx = new CoreContext(core, engines[core], stacks[core], tcpLayers[core]);
                contexts[core] = ctx;
                for (final CoreSetup s : setups)
                {
                    s.setup(ctx);
                }
            }
            return new FlowStack(this, List.of(engines), List.of(stacks), waiters, pcap, controller,
                List.of(contexts), steerings, tcpLayers, counterSets, health);
        }

        /**
         * Offers each interface hashed over all cores, whose device has a queue per core, the ownership function, so
         * that its kernel delivers every frame to the owner's queue (queue i is read by core i).
         */
        private OwnerSteering[] offerSteering(final FlowOwnership controller, final int[] designated)
        {
            final OwnerSteering[] taken = new OwnerSteering[devices.size()];
            if (!exactSteering || cores < 2)
            {
                return taken;
            }
            for (int i = 0; i < devices.size(); i++)
            {
                final NetworkDevice device = devices.get(i);
                if (designated[i] != FlowOwnership.HASHED || device.queues() < cores)
                {
                    continue;
                }
                try
                {
                    taken[i] = device.steerByOwner(controller, i);
                }
                catch (final SteeringRefusedException e)
                {
                    notices.accept(e.getMessage());
                }
            }
            return taken;
        }

        /** Opens a queue handle and remembers its interface, for {@link InterfaceHealth}. */
        private static NetworkDriver open(final NetworkDevice device, final int queue, final int ifIndex,
            final long mac, final Map<NetworkDriver, Integer> interfaceOf)
        {
            final NetworkDriver handle = device.open(queue, ifIndex, mac);
            interfaceOf.put(handle, ifIndex);
            return handle;
        }

        /** An exception and where it was thrown, on one line (an application's mistake gets no stack trace). */
        private static String oneLine(final Throwable e)
        {
            final StackTraceElement[] trace = e.getStackTrace();
            if (trace.length == 0)
            {
                return e.toString();
            }
            final StackTraceElement top = trace[0];
            return e + " at " + top.getClassName() + "." + top.getMethodName() + "(" + top.getFileName() + ":"
                + top.getLineNumber() + ")";
        }

        private static int[] filled(final int n, final int value)
        {
            final int[] a = new int[n];
            Arrays.fill(a, value);
            return a;
        }
    }
}
