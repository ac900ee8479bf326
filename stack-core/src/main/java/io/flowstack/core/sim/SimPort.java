package io.flowstack.core.sim;

import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

/**
 * A simulated network card: a {@link MemoryDriver} whose receive ring is filled by the link that ends here and
 * whose transmitted frames the {@link Simulator} pumps onto the link that starts here. A stack uses it through
 * {@link #device()} like any device.
 */
public final class SimPort implements FrameReceiver
{
    /** Bytes of each of the driver's rings. */
    public static final int RING_BYTES = 1 << 21;

    private final String name;
    private final MemoryDriver driver;
    private final NetworkDevice device;
    private final Pump pump = new Pump();
    private SimLink out;
    private long unattached;

    /**
     * @param name    the port's name.
     * @param ifIndex interface index stamped on received frames.
     * @param mac     the port's MAC address.
     * @param mtu     IP MTU.
     */
    public SimPort(final String name, final int ifIndex, final long mac, final int mtu)
    {
        this.name = name;
        this.driver = new MemoryDriver(ifIndex, mac, mtu, RING_BYTES);
        this.device = NetworkDevice.shared(driver);
    }

    /**
     * @param link where the frames this port transmits go.
     */
    public void attach(final SimLink link)
    {
        this.out = link;
    }

    /**
     * @return the link frames leave by, or null.
     */
    public SimLink outLink()
    {
        return out;
    }

    /**
     * Moves what the stack transmitted onto the outgoing link.
     *
     * @param nowNs virtual time.
     * @return frames moved.
     */
    public int pump(final long nowNs)
    {
        pump.nowNs = nowNs;
        return driver.drainTransmitted(pump, Integer.MAX_VALUE);
    }

    @Override
    public void onFrame(final long nowNs, final DirectBuffer buffer, final int offset, final int length)
    {
        driver.inject(buffer, offset, length);
    }

    /**
     * @return the driver (its counters show frames in, out and dropped).
     */
    public MemoryDriver driver()
    {
        return driver;
    }

    /**
     * @return the device to build a stack on.
     */
    public NetworkDevice device()
    {
        return device;
    }

    /**
     * @return the MAC address.
     */
    public long mac()
    {
        return driver.macAddress();
    }

    /**
     * @return the port's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return frames transmitted while no link was attached (lost).
     */
    public long unattached()
    {
        return unattached;
    }

    @Override
    public String toString()
    {
        return name;
    }

    private final class Pump implements MessageHandler
    {
        long nowNs;

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            if (out == null)
            {
                unattached++;
                return;
            }
            out.offer(nowNs, buffer, index, length);
        }
    }
}
