package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.core.sim.SimSwitch;
import io.flowstack.core.sim.Simulator;
import io.flowstack.tcp.CoreSetup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A simulated network of flowstack hosts: make hosts with {@link #newHost}, wire their first interfaces back to back
 * ({@link #connect}) or through a learning switch ({@link #connectSwitch}) with the faults you want, then run the
 * simulator. Closing closes the hosts and finishes any pcap files.
 * <pre>
 * try (SimNetwork net = SimNetwork.pair(seed, 2, FaultProfile.parse("loss=2%,delay=1ms"), clientApp, serverApp))
 * {
 *     assertTrue(net.runUntil(app::done, 60_000_000_000L));
 * }
 * </pre>
 */
public final class SimNetwork implements AutoCloseable
{
    /** Address of the client in {@link #pair}. */
    public static final String CLIENT_ADDRESS = "198.18.0.1/24";
    /** Address of the server in {@link #pair}. */
    public static final String SERVER_ADDRESS = "198.18.0.2/24";

    private final Simulator simulator;
    private final Map<String, SimHost> hosts = new LinkedHashMap<>();

    /**
     * @param seed the simulation's seed.
     */
    public SimNetwork(final long seed)
    {
        this(new Simulator(seed));
    }

    /**
     * @param simulator the simulation to build in.
     */
    public SimNetwork(final Simulator simulator)
    {
        this.simulator = simulator;
    }

    /**
     * Two hosts, "client" ({@value #CLIENT_ADDRESS}) and "server" ({@value #SERVER_ADDRESS}), back to back with the
     * same faults both ways.
     *
     * @param seed       the simulation's seed.
     * @param cores      cores per host.
     * @param faults     faults in each direction.
     * @param clientApps installed on each client core.
     * @param serverApps installed on each server core.
     * @return the network.
     */
    public static SimNetwork pair(final long seed, final int cores, final FaultProfile faults, final CoreSetup clientApps,
        final CoreSetup serverApps)
    {
        final SimNetwork net = new SimNetwork(seed);
        final SimHost client = net.newHost("client").cores(cores).address(CLIENT_ADDRESS).onEachCore(clientApps).build();
        final SimHost server = net.newHost("server").cores(cores).address(SERVER_ADDRESS).onEachCore(serverApps).build();
        net.connect(client, server, faults, faults);
        return net;
    }

    /**
     * @param name a unique host name.
     * @return a builder; {@link SimHost.Builder#build()} adds the host to this network.
     */
    public SimHost.Builder newHost(final String name)
    {
        if (hosts.containsKey(name))
        {
            throw new IllegalArgumentException("host " + name + " exists already");
        }
        return SimHost.builder(simulator, name).onBuild(h -> hosts.put(h.name(), h));
    }

    /**
     * Cables interface 0 of two hosts back to back.
     *
     * @param a    one host.
     * @param b    the other.
     * @param aToB faults from a to b.
     * @param bToA faults from b to a.
     * @return this
     */
    public SimNetwork connect(final SimHost a, final SimHost b, final FaultProfile aToB, final FaultProfile bToA)
    {
        simulator.connect(a.port(0), b.port(0), aToB, bToA);
        return this;
    }

    /**
     * Attaches interface 0 of each host to a new learning switch, with the same faults on every port, both ways.
     *
     * @param name    the switch's name.
     * @param faults  faults of each port's links.
     * @param members the hosts.
     * @return the switch.
     */
    public SimSwitch connectSwitch(final String name, final FaultProfile faults, final SimHost... members)
    {
        final SimSwitch sw = simulator.addSwitch(name);
        for (final SimHost h : members)
        {
            sw.attach(h.port(0), faults, faults);
        }
        return sw;
    }

    /**
     * @return the simulator.
     */
    public Simulator simulator()
    {
        return simulator;
    }

    /**
     * @param name a host's name.
     * @return the host.
     */
    public SimHost host(final String name)
    {
        final SimHost h = hosts.get(name);
        if (h == null)
        {
            throw new IllegalArgumentException("no host " + name + " (have " + hosts.keySet() + ")");
        }
        return h;
    }

    /**
     * @return the hosts in the order they were built.
     */
    public List<SimHost> hosts()
    {
        return new ArrayList<>(hosts.values());
    }

    /**
     * @param condition when to stop.
     * @param timeoutNs virtual time to give up after.
     * @return true if the condition holds.
     */
    public boolean runUntil(final BooleanSupplier condition, final long timeoutNs)
    {
        return simulator.runUntil(condition, timeoutNs);
    }

    /**
     * @param durationNs virtual time to run for.
     */
    public void runFor(final long durationNs)
    {
        simulator.runFor(durationNs);
    }

    /**
     * @param counter a counter name.
     * @return its sum over every core of every host.
     */
    public long counter(final String counter)
    {
        long sum = 0;
        for (final SimHost h : hosts.values())
        {
            sum += h.counter(counter);
        }
        return sum;
    }

    /**
     * @return buffers not back in their pools, over all hosts.
     */
    public int buffersOutstanding()
    {
        int sum = 0;
        for (final SimHost h : hosts.values())
        {
            sum += h.buffersOutstanding();
        }
        return sum;
    }

    @Override
    public void close()
    {
        for (final SimHost h : hosts.values())
        {
            h.close();
        }
        simulator.close();
    }
}
