package io.flowstack.tcp.sim;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.engine.CoreEngine;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.sim.SimPort;
import io.flowstack.core.sim.Simulator;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.IpStack;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.CoreSetup;
import io.flowstack.tcp.FlowStack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A simulated machine: a {@link FlowStack} with N cores and one interface per {@link SimPort}, built on the
 * simulator's virtual clock and driven by the {@link Simulator} (its core threads are never started). Everything
 * random about it (the RSS key, MAC addresses, the secret of its TCP initial sequence numbers) derives from the
 * simulation's seed.
 * <p>
 * Applications are installed per core with {@link Builder#onEachCore}, exactly as on a real stack; their callbacks run
 * on the simulator's thread, one core at a time.
 */
public final class SimHost implements AutoCloseable
{
    private final String name;
    private final FlowStack stack;
    private final List<SimPort> ports;
    private final List<IpInterface> interfaces;

    private SimHost(final String name, final FlowStack stack, final List<SimPort> ports, final List<IpInterface> interfaces)
    {
        this.name = name;
        this.stack = stack;
        this.ports = List.copyOf(ports);
        this.interfaces = List.copyOf(interfaces);
    }

    /**
     * @param simulator the simulation the host lives in.
     * @param name      the host's name (port and link names start with it).
     * @return a builder.
     */
    public static Builder builder(final Simulator simulator, final String name)
    {
        return new Builder(simulator, name);
    }

    /**
     * @return the host's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the stack (its cores are driven by the simulator; do not {@link FlowStack#start()} it).
     */
    public FlowStack stack()
    {
        return stack;
    }

    /**
     * @return number of cores.
     */
    public int cores()
    {
        return stack.cores();
    }

    /**
     * @param core a core.
     * @return its engine.
     */
    public CoreEngine engine(final int core)
    {
        return stack.engine(core);
    }

    /**
     * @param core a core.
     * @return its IP stack.
     */
    public IpStack ip(final int core)
    {
        return stack.ip(core);
    }

    /**
     * @return the ownership function the host was built with.
     */
    public FlowOwnership ownership()
    {
        return stack.ownership();
    }

    /**
     * @param ifIndex an interface.
     * @return its simulated port.
     */
    public SimPort port(final int ifIndex)
    {
        return ports.get(ifIndex);
    }

    /**
     * @param ifIndex an interface.
     * @return its configuration.
     */
    public IpInterface ipInterface(final int ifIndex)
    {
        return interfaces.get(ifIndex);
    }

    /**
     * @return the IPv4 address of interface 0.
     */
    public int address()
    {
        return interfaces.get(0).address();
    }

    /**
     * @param counter a counter name (such as {@code udp.rx.bad_checksum}).
     * @return its sum over the host's cores.
     */
    public long counter(final String counter)
    {
        long sum = 0;
        for (int c = 0; c < stack.cores(); c++)
        {
            sum += stack.ip(c).counters().get(counter);
        }
        return sum;
    }

    /**
     * Takes back buffers released across cores, then counts the ones still out of their pools.
     *
     * @return buffers not back in their pools (0 once every frame is consumed).
     */
    public int buffersOutstanding()
    {
        int out = 0;
        for (int c = 0; c < stack.cores(); c++)
        {
            final BufferPool pool = stack.engine(c).pool();
            pool.drainReturns();
            out += pool.capacity() - pool.available();
        }
        return out;
    }

    @Override
    public void close()
    {
        stack.close();
    }

    @Override
    public String toString()
    {
        return name + " (" + stack.cores() + " cores, " + Ipv4Flyweight.addressToString(address()) + ")";
    }

    /** Builds a {@link SimHost}. */
    public static final class Builder
    {
        private final Simulator simulator;
        private final String name;
        private final List<int[]> addresses = new ArrayList<>();
        private final java.util.Map<Integer, Object[]> ipv6 = new java.util.HashMap<>();
        private final List<CoreSetup> setups = new ArrayList<>();
        private final List<Consumer<FlowStack.Builder>> options = new ArrayList<>();
        private int cores = 1;
        private int mtu = 1500;
        private Offloads offloads = Offloads.NONE;
        private int poolSlots = 256;
        private Consumer<SimHost> onBuild;

        private Builder(final Simulator simulator, final String name)
        {
            this.simulator = simulator;
            this.name = name;
        }

        /**
         * @param offloads transmit offloads of every port's card (the stack then sends partial checksums and
         *                 large TCP segments; the port puts MTU-sized frames on the link).
         * @return this
         */
        public Builder offloads(final Offloads offloads)
        {
            this.offloads = offloads;
            return this;
        }

        /**
         * @param cores stack instances.
         * @return this
         */
        public Builder cores(final int cores)
        {
            this.cores = cores;
            return this;
        }

        /**
         * Adds an interface (one simulated port).
         *
         * @param cidr the address and prefix, such as {@code 198.18.0.1/24}.
         * @return this
         */
        public Builder address(final String cidr)
        {
            return address(cidr, 0);
        }

        /**
         * Adds an interface with a default gateway.
         *
         * @param cidr    the address and prefix.
         * @param gateway next hop for other networks, 0 for none.
         * @return this
         */
        public Builder address(final String cidr, final int gateway)
        {
            final int slash = cidr.indexOf('/');
            if (slash < 0)
            {
                throw new IllegalArgumentException("address needs a prefix length, e.g. 198.18.0.1/24: " + cidr);
            }
            addresses.add(new int[]{
                Ipv4Flyweight.parseAddress(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)), gateway});
            return this;
        }

        /**
         * Gives the interface added last an IPv6 address too (its link-local one follows from the MAC).
         *
         * @param cidr the address and prefix, such as {@code 2001:2::1/64}.
         * @return this
         */
        public Builder ipv6(final String cidr)
        {
            final int slash = cidr.indexOf('/');
            if (slash < 0 || addresses.isEmpty())
            {
                throw new IllegalArgumentException("an IPv6 address with a prefix, after address(...): " + cidr);
            }
            ipv6.put(addresses.size() - 1, new Object[]{IpAddress.parse(cidr.substring(0, slash)),
                Integer.parseInt(cidr.substring(slash + 1))});
            return this;
        }

        /**
         * @param mtu IP MTU of every interface (default 1500).
         * @return this
         */
        public Builder mtu(final int mtu)
        {
            this.mtu = mtu;
            return this;
        }

        /**
         * @param slots buffers per core (default 256).
         * @return this
         */
        public Builder poolSlots(final int slots)
        {
            this.poolSlots = slots;
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
         * @param option anything else to set on the stack's builder (steering rules, weights, ...).
         * @return this
         */
        public Builder configure(final Consumer<FlowStack.Builder> option)
        {
            options.add(option);
            return this;
        }

        /** RFC 6528's secret, from the seed: a host's ISNs, and so its whole run, replay with the seed. */
        private static byte[] isnSecret(final long seed)
        {
            final byte[] secret = new byte[16];
            new Random(seed).nextBytes(secret);
            return secret;
        }

        /**
         * @param action run with the host right after it is built (a {@link SimNetwork} registers it here).
         * @return this
         */
        Builder onBuild(final Consumer<SimHost> action)
        {
            this.onBuild = action;
            return this;
        }

        /**
         * Builds the stack on new simulated ports and hands its cores to the simulator.
         *
         * @return the host; connect its ports with {@link Simulator#connect} or a switch (or use {@link SimNetwork}).
         * @throws UncheckedIOException wrapping what a setup threw (a {@link java.net.BindException}, say).
         */
        public SimHost build()
        {
            if (addresses.isEmpty())
            {
                throw new IllegalStateException("host " + name + " has no address");
            }
            final FlowStack.Builder b = FlowStack.builder()
                .cores(cores)
                .clock(simulator.clock())
                .rssKey(ToeplitzHash.randomKey(new Random(simulator.seedFor(name.hashCode()))))
                .isnSecrets(core -> isnSecret(simulator.seedFor(name.hashCode() * 31L + core)))
                .poolSlots(poolSlots);
            final List<SimPort> ports = new ArrayList<>();
            final List<IpInterface> interfaces = new ArrayList<>();
            for (int i = 0; i < addresses.size(); i++)
            {
                final int[] a = addresses.get(i);
                final long mac = simulator.newMac();
                final SimPort port = simulator.port(name + ".eth" + i, i, mac, mtu, offloads);
                final Object[] v6 = ipv6.get(i);
                final IpInterface plain = new IpInterface(i, mac, a[0], a[1], mtu, a[2]);
                final IpInterface ifc = v6 == null ? plain : plain.withIpv6((IpAddress)v6[0], (Integer)v6[1]);
                ports.add(port);
                interfaces.add(ifc);
                b.addInterface(ifc, port.device());
            }
            setups.forEach(b::onEachCore);
            options.forEach(o -> o.accept(b));
            final FlowStack stack;
            try
            {
                stack = b.build();
            }
            catch (final IOException e)
            {
                // In a simulation a setup that cannot bind is the test's mistake: unchecked keeps scenarios short.
                throw new UncheckedIOException(e);
            }
            final CoreEngine[] engines = new CoreEngine[stack.cores()];
            for (int c = 0; c < engines.length; c++)
            {
                engines[c] = stack.engine(c);
            }
            simulator.addHost(name, engines);
            final SimHost host = new SimHost(name, stack, ports, interfaces);
            if (onBuild != null)
            {
                onBuild.accept(host);
            }
            return host;
        }
    }
}
