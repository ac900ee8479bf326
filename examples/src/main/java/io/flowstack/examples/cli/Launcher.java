package io.flowstack.examples.cli;

import io.flowstack.examples.apps.AppSpec;
import io.flowstack.ip.IpInterface;
import io.flowstack.tap.EpollWaiter;
import io.flowstack.tap.MacAddresses;
import io.flowstack.tap.TapDevice;
import io.flowstack.tap.TapDriver;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.sys.ErrnoException;
import io.flowstack.tcp.FlowStack;
import net.openhft.affinity.AffinityStrategies;
import net.openhft.affinity.AffinityThreadFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Sets up what {@code serve} and {@code demo} run on: optionally a network namespace holding the kernel side
 * of a new TAP, then the stack with its applications. Closing removes exactly what was created.
 */
final class Launcher implements AutoCloseable
{
    /**
     * What to launch.
     *
     * @param tap    TAP name.
     * @param netns  namespace for the kernel side, or null to attach to an existing TAP.
     * @param hostIp kernel side address (with --netns).
     * @param ip     the stack's address.
     * @param apps   applications.
     * @param pcap   pcap file or null.
     * @param pin    pin each core's thread to its own CPU.
     */
    record Options(String tap, String netns, Cidr hostIp, Cidr ip, List<AppSpec> apps, Path pcap, boolean pin)
    {
    }

    private NetNs netns;
    private TapDevice tap;
    private FlowStack stack;
    private long stackMac;

    private Launcher()
    {
    }

    /**
     * @param options what to launch.
     * @return the running launcher.
     * @throws IOException with a one-line reason when a device or namespace cannot be set up.
     */
    static Launcher start(final Options options) throws IOException
    {
        final Launcher l = new Launcher();
        try
        {
            l.setUp(options);
            return l;
        }
        catch (final IOException | RuntimeException e)
        {
            l.close();
            throw e;
        }
    }

    private void setUp(final Options o) throws IOException
    {
        if (o.tap().length() > 15)
        {
            throw new IllegalArgumentException("interface name '" + o.tap() + "' is longer than 15 characters");
        }
        if (o.netns() == null)
        {
            if (!Files.exists(Path.of("/sys/class/net", o.tap())))
            {
                throw new IOException("no interface named " + o.tap()
                    + " (create it with 'ip tuntap add " + o.tap() + " mode tap', or pass --netns to let flowstack make one)");
            }
        }
        else
        {
            if (o.hostIp() == null)
            {
                throw new IllegalArgumentException("--netns needs --host-ip for the kernel side");
            }
            if (Files.exists(Path.of("/sys/class/net", o.tap())))
            {
                throw new IOException("an interface named " + o.tap() + " already exists");
            }
        }
        tap = TapDevice.open(o.tap());
        final int mtu = tap.mtu();
        stackMac = MacAddresses.randomLocalUnicastDistinctFrom(tap.kernelMacAddress());
        if (o.netns() != null)
        {
            netns = NetNs.createOrAdopt(o.netns());
            netns.moveLink(o.tap());
            netns.addAddress(o.tap(), o.hostIp().toString());
            netns.linkUp(o.tap());
        }
        final TapDriver driver = tap.driver(0, 0, stackMac);
        final IpInterface ifc = new IpInterface(0, stackMac, o.ip().address(), o.ip().prefixLength(), mtu, 0);
        final FlowStack.Builder builder = FlowStack.builder()
            .addInterface(driver, ifc)
            .waiterFactory(handles ->
            {
                try
                {
                    return new EpollWaiter(handles);
                }
                catch (final ErrnoException e)
                {
                    throw new UncheckedIOException(e);
                }
            })
            .threadFactory(o.pin()
                ? new AffinityThreadFactory("flowstack-core", true, AffinityStrategies.DIFFERENT_CORE)
                : r ->
                {
                    final Thread t = new Thread(r, "flowstack-core");
                    t.setDaemon(true);
                    return t;
                });
        if (o.pcap() != null)
        {
            builder.pcap(o.pcap());
        }
        for (final AppSpec app : o.apps())
        {
            builder.onEachCore(app.create());
        }
        stack = builder.build().start();
    }

    /**
     * @return the running stack.
     */
    FlowStack stack()
    {
        return stack;
    }

    /**
     * @return the stack's MAC address.
     */
    long stackMac()
    {
        return stackMac;
    }

    /**
     * @return the namespace, or null.
     */
    NetNs netns()
    {
        return netns;
    }

    @Override
    public void close()
    {
        if (stack != null)
        {
            stack.close();
            stack = null;
        }
        if (tap != null)
        {
            tap.close();
            tap = null;
        }
        if (netns != null)
        {
            netns.close();
            netns = null;
        }
    }
}
