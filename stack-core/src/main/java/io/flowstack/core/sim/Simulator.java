package io.flowstack.core.sim;

import io.flowstack.core.driver.Offloads;
import io.flowstack.core.engine.CoreEngine;
import io.flowstack.core.pcap.PcapWriter;
import io.flowstack.core.time.VirtualClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Runs hosts, links and switches on one thread and one {@link VirtualClock}. Time never passes by itself: each
 * {@link #step()} jumps to the next event (a frame arriving, a stack's timer deadline, a scheduled action) and
 * then settles that instant: deliver the frames due, run the actions due, run every core of every host (in the
 * order they were added) and move what they transmitted onto the links, again and again until nothing moves.
 * <p>
 * Everything is a function of the seed: link faults are drawn from per-link seeds derived from it, stacks read only
 * the virtual clock, ties are broken by creation order. The same seed and the same set-up give the same frames at
 * the same virtual times ({@link #frameLog()}); a test prints the seed when it fails ({@link SimulationSeed}).
 * <p>
 * Not thread-safe; the cores are never started as threads. Code that runs inside a scheduled action or a stack
 * callback runs on the simulator's thread and may touch any core's stack directly.
 */
public final class Simulator implements AutoCloseable
{
    /** Settling rounds in one instant before the simulator calls it a livelock. */
    public static final int MAX_ROUNDS_PER_INSTANT = 100_000;

    private final long seed;
    private final VirtualClock clock;
    private final FrameLog frameLog = new FrameLog();
    private final List<SimLink> links = new ArrayList<>();
    private final List<SimPort> ports = new ArrayList<>();
    private final List<String> hostNames = new ArrayList<>();
    private final List<CoreEngine[]> hosts = new ArrayList<>();
    private final List<Boolean> hostStarted = new ArrayList<>();
    private final EventQueue actions = new EventQueue(64, true);
    private Runnable[] actionSlots = new Runnable[64];
    private int[] freeActions = new int[0];
    private int freeActionCount;
    private int actionCount;
    private Path captureDirectory;
    private int nextMac = 1;
    private long steps;

    /**
     * @param seed the seed every random decision derives from.
     */
    public Simulator(final long seed)
    {
        this(seed, new VirtualClock());
    }

    /**
     * @param seed  the seed every random decision derives from.
     * @param clock the virtual clock the stacks read.
     */
    public Simulator(final long seed, final VirtualClock clock)
    {
        this.seed = seed;
        this.clock = clock;
    }

    /**
     * @return the seed.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * @return the clock to build stacks with.
     */
    public VirtualClock clock()
    {
        return clock;
    }

    /**
     * @return virtual time now.
     */
    public long now()
    {
        return clock.nanoTime();
    }

    /**
     * @return the log of every frame delivered.
     */
    public FrameLog frameLog()
    {
        return frameLog;
    }

    /**
     * @return a fresh locally administered unicast MAC address, unique in this simulation (02:f5:00:00:xx:xx).
     */
    public long newMac()
    {
        return 0x02F5_0000_0000L | nextMac++;
    }

    /**
     * A seed for something random that belongs to the simulation (a host's RSS key, an application), distinct per
     * stream and fixed by the simulation's seed.
     *
     * @param stream a number naming the consumer.
     * @return its seed.
     */
    public long seedFor(final long stream)
    {
        return FaultInjector.seedFor(seed, 1_000_000L + stream);
    }

    /**
     * Makes a one-way link. Its faults are seeded from the simulation's seed and the link's number.
     *
     * @param name     for messages and pcap files.
     * @param profile  its faults.
     * @param receiver where frames arrive.
     * @return the link.
     */
    public SimLink link(final String name, final FaultProfile profile, final FrameReceiver receiver)
    {
        final int id = links.size();
        final SimLink link = new SimLink(id, name, new FaultInjector(profile, FaultInjector.seedFor(seed, id)), receiver,
            SimLink.DEFAULT_SLOTS, SimLink.DEFAULT_MAX_FRAME, frameLog);
        links.add(link);
        if (captureDirectory != null)
        {
            capture(link);
        }
        return link;
    }

    /**
     * Makes a port (a network card) for a host.
     *
     * @param name    the port's name.
     * @param ifIndex the interface index the host uses for it.
     * @param mac     its MAC address.
     * @param mtu     IP MTU.
     * @return the port; connect it with {@link #connect} or {@link SimSwitch#attach}.
     */
    public SimPort port(final String name, final int ifIndex, final long mac, final int mtu)
    {
        return port(name, ifIndex, mac, mtu, Offloads.NONE);
    }

    /**
     * A port whose card performs transmit offloads (see {@link SimPort}).
     *
     * @param name     the port's name (for logs and pcap files).
     * @param ifIndex  interface index stamped on received frames.
     * @param mac      its MAC address.
     * @param mtu      IP MTU.
     * @param offloads the transmit offloads.
     * @return the port.
     */
    public SimPort port(final String name, final int ifIndex, final long mac, final int mtu, final Offloads offloads)
    {
        final SimPort port = new SimPort(name, ifIndex, mac, mtu, offloads);
        ports.add(port);
        return port;
    }

    /**
     * Cables two ports back to back.
     *
     * @param a      one port.
     * @param b      the other.
     * @param aToB   faults from a to b.
     * @param bToA   faults from b to a.
     */
    public void connect(final SimPort a, final SimPort b, final FaultProfile aToB, final FaultProfile bToA)
    {
        a.attach(link(a.name() + ">" + b.name(), aToB, b));
        b.attach(link(b.name() + ">" + a.name(), bToA, a));
    }

    /**
     * @param name the switch's name.
     * @return a new learning switch; attach ports to it.
     */
    public SimSwitch addSwitch(final String name)
    {
        return new SimSwitch(this, name);
    }

    /**
     * Adds a host: the cores the simulator drives. They are started (their stacks announce themselves) at the next
     * step, and from then on run in the order given, after the hosts added before.
     *
     * @param name    the host's name.
     * @param engines its cores, built on this simulator's clock and ports.
     */
    public void addHost(final String name, final CoreEngine... engines)
    {
        hostNames.add(name);
        hosts.add(engines.clone());
        hostStarted.add(false);
    }

    /**
     * Runs an action at a virtual time (on the simulator's thread, between two settling rounds).
     *
     * @param atNs   when; a time in the past means now.
     * @param action what.
     */
    public void schedule(final long atNs, final Runnable action)
    {
        int slot;
        if (freeActionCount > 0)
        {
            slot = freeActions[--freeActionCount];
        }
        else
        {
            slot = actionCount++;
            if (slot == actionSlots.length)
            {
                actionSlots = java.util.Arrays.copyOf(actionSlots, slot * 2);
            }
        }
        actionSlots[slot] = action;
        actions.push(Math.max(atNs, now()), slot);
    }

    /**
     * @param delayNs how long from now.
     * @param action  what.
     */
    public void scheduleAfter(final long delayNs, final Runnable action)
    {
        schedule(now() + delayNs, action);
    }

    /**
     * Writes every link's deliveries to {@code directory/<link name>.pcap} with virtual timestamps (links made
     * later too). Files are finished by {@link #close()}.
     *
     * @param directory where the files go (created if missing).
     */
    public void capture(final Path directory)
    {
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot create " + directory + ": " + e.getMessage(), e);
        }
        this.captureDirectory = directory;
        for (final SimLink link : links)
        {
            if (link.pcap() == null)
            {
                capture(link);
            }
        }
    }

    private void capture(final SimLink link)
    {
        final Path file = captureDirectory.resolve(link.id() + "-" + link.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".pcap");
        try
        {
            link.pcap(new PcapWriter(file, 64 * 1024));
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @return when the next event is due: a frame arrival, an action, or a stack deadline (at least 1 ns ahead);
     *         {@link Long#MAX_VALUE} if nothing will ever happen again.
     */
    public long nextEventTime()
    {
        final long now = now();
        long next = actions.peekTime();
        for (int i = 0; i < links.size(); i++)
        {
            next = Math.min(next, links.get(i).nextDelivery());
        }
        for (int h = 0; h < hosts.size(); h++)
        {
            for (final CoreEngine e : hosts.get(h))
            {
                final long d = e.nextDeadline();
                // The cores ran their timers at the current instant already: a deadline not ahead of now is stale.
                next = Math.min(next, d <= now ? now + 1 : d);
            }
        }
        return next;
    }

    /**
     * Advances to the next event and settles that instant.
     *
     * @return false if there was no event left (nothing changed).
     */
    public boolean step()
    {
        startHosts();
        final long next = nextEventTime();
        if (next == Long.MAX_VALUE)
        {
            return false;
        }
        if (next > now())
        {
            clock.set(next);
        }
        settle();
        return true;
    }

    /**
     * Runs every event up to and including {@code timeNs}, then leaves the clock at that time.
     *
     * @param timeNs virtual time to run to.
     */
    public void runUntil(final long timeNs)
    {
        startHosts();
        settle();
        while (nextEventTime() <= timeNs)
        {
            step();
        }
        if (timeNs > now())
        {
            clock.set(timeNs);
            settle();
        }
    }

    /**
     * @param durationNs virtual time to run for.
     */
    public void runFor(final long durationNs)
    {
        runUntil(now() + durationNs);
    }

    /**
     * Runs until the condition holds (checked after every instant) or the timeout passes.
     *
     * @param condition  when to stop.
     * @param timeoutNs  virtual time to give up after.
     * @return true if the condition holds.
     */
    public boolean runUntil(final BooleanSupplier condition, final long timeoutNs)
    {
        startHosts();
        settle();
        final long deadline = now() + timeoutNs;
        while (!condition.getAsBoolean())
        {
            if (nextEventTime() > deadline)
            {
                if (deadline > now())
                {
                    clock.set(deadline);
                    settle();
                }
                return condition.getAsBoolean();
            }
            step();
        }
        return true;
    }

    private void startHosts()
    {
        for (int h = 0; h < hosts.size(); h++)
        {
            if (!hostStarted.get(h))
            {
                hostStarted.set(h, true);
                for (final CoreEngine e : hosts.get(h))
                {
                    e.start();
                }
            }
        }
    }

    /** Runs the current instant to quiescence. */
    private void settle()
    {
        final long now = now();
        for (int round = 0; ; round++)
        {
            if (round == MAX_ROUNDS_PER_INSTANT)
            {
                throw new IllegalStateException("simulation does not settle at " + now + " ns (livelock?), seed " + seed);
            }
            int work = 0;
            for (int i = 0; i < links.size(); i++)
            {
                work += links.get(i).deliver(now);
            }
            work += runActions(now);
            for (int h = 0; h < hosts.size(); h++)
            {
                for (final CoreEngine e : hosts.get(h))
                {
                    work += e.doWork();
                }
            }
            for (int p = 0; p < ports.size(); p++)
            {
                work += ports.get(p).pump(now);
            }
            if (work == 0)
            {
                break;
            }
        }
        steps++;
    }

    private int runActions(final long now)
    {
        int n = 0;
        while (actions.peekTime() <= now)
        {
            final int slot = actions.pop();
            final Runnable action = actionSlots[slot];
            actionSlots[slot] = null;
            if (freeActionCount == freeActions.length)
            {
                freeActions = java.util.Arrays.copyOf(freeActions, Math.max(16, freeActionCount * 2));
            }
            freeActions[freeActionCount++] = slot;
            action.run();
            n++;
        }
        return n;
    }

    /**
     * @return the links, in creation order (their index is their id).
     */
    public List<SimLink> links()
    {
        return List.copyOf(links);
    }

    /**
     * @return the ports, in creation order.
     */
    public List<SimPort> ports()
    {
        return List.copyOf(ports);
    }

    /**
     * @return instants settled so far.
     */
    public long steps()
    {
        return steps;
    }

    /**
     * @return every link's name, profile and counters, one per line.
     */
    public String describe()
    {
        final StringBuilder b = new StringBuilder("simulation seed " + seed + " at " + now() + " ns, hosts " + hostNames
            + ", " + frameLog + "\n");
        for (final SimLink l : links)
        {
            b.append("  ").append(l).append('\n');
        }
        return b.toString();
    }

    /**
     * Finishes the pcap files.
     */
    @Override
    public void close()
    {
        for (final SimLink link : links)
        {
            if (link.pcap() != null)
            {
                try
                {
                    link.pcap().close();
                }
                catch (final IOException e)
                {
                    throw new UncheckedIOException("cannot finish pcap of " + link.name() + ": " + e.getMessage(), e);
                }
                link.pcap(null);
            }
        }
    }
}
