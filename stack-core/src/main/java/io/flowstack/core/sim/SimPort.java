package io.flowstack.core.sim;

import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.driver.Offloads;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

/**
 * A simulated network card: a {@link MemoryDriver} whose receive ring is filled by the link that ends here and
 * whose transmitted frames the {@link Simulator} pumps onto the link that starts here. A stack uses it through
 * {@link #device()} like any device.
 * <p>
 * A port made with {@link Offloads} is a card with checksum and TCP segmentation offload: its stack hands it
 * partial checksums and segments of up to 64 KB, and the port puts finished, MTU-sized frames on the link
 * ({@link SegmentationOffload}), so faults apply to wire frames as they would. It receives ordinary frames.
 */
public final class SimPort implements FrameReceiver
{
    /** Bytes of each of the driver's rings. */
    public static final int RING_BYTES = 1 << 21;

    private final String name;
    private final MemoryDriver driver;
    private final NetworkDevice device;
    private final Pump pump = new Pump();
    private final SegmentationOffload segmentation = new SegmentationOffload();
    private final SegmentationOffload.FrameOut toLink = this::toLink;
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
        this(name, ifIndex, mac, mtu, Offloads.NONE);
    }

    /**
     * @param name     the port's name.
     * @param ifIndex  interface index stamped on received frames.
     * @param mac      the port's MAC address.
     * @param mtu      IP MTU.
     * @param offloads transmit offloads the port performs for its stack ({@link Offloads#NONE} or the transmit
     *                 half of {@link Offloads#VIRTIO_NET}, with {@link Offloads#TX_GATHER} or not; received frames
     *                 are always ordinary).
     */
    public SimPort(final String name, final int ifIndex, final long mac, final int mtu, final Offloads offloads)
    {
        this.name = name;
        this.driver = new MemoryDriver(ifIndex, mac, mtu, RING_BYTES,
            Offloads.of(offloads.flags() & (Offloads.TX_CHECKSUM | Offloads.TX_TCP4_SEGMENTATION | Offloads.TX_GATHER),
                offloads.maxSegmentBytes()));
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
     * @return segmentation frames the port cut into wire frames.
     */
    public long segmented()
    {
        return segmentation.segmented();
    }

    /**
     * @return wire frames those became.
     */
    public long segmentsProduced()
    {
        return segmentation.produced();
    }

    /**
     * @return segmentation frames the port could not cut (not TCP/IPv4), dropped.
     */
    public long segmentationRefused()
    {
        return segmentation.refused();
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
            if (msgTypeId == MemoryDriver.MSG_VNET)
            {
                segmentation.transmit(buffer, index, length, toLink);
                return;
            }
            out.offer(nowNs, buffer, index, length);
        }
    }

    private void toLink(final DirectBuffer buffer, final int offset, final int length)
    {
        out.offer(pump.nowNs, buffer, offset, length);
    }
}
