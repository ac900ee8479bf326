package io.flowstack.core.sim;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An Ethernet learning switch: it learns which port each source MAC address lives behind, forwards a frame to the
 * port of its destination, and floods broadcast, multicast and unknown destinations to every other port. Each
 * port is attached through its own pair of {@link SimLink}s, so faults can differ per port. Forwarding itself takes
 * no time; the links carry the delays. Entries never age (a station that moves is relearned from its next frame).
 */
public final class SimSwitch
{
    private static final long NO_PORT = -1;

    private final Simulator simulator;
    private final String name;
    private final List<Port> ports = new ArrayList<>();
    private final Long2LongHashMap table = new Long2LongHashMap(NO_PORT);
    private long forwarded;
    private long flooded;
    private long filtered;

    SimSwitch(final Simulator simulator, final String name)
    {
        this.simulator = simulator;
        this.name = name;
    }

    /**
     * Connects a host's port: a link from the port into the switch and one back.
     *
     * @param port       the host's port.
     * @param toSwitch   faults on the way in.
     * @param fromSwitch faults on the way out.
     * @return the switch port number.
     */
    public int attach(final SimPort port, final FaultProfile toSwitch, final FaultProfile fromSwitch)
    {
        final int number = attach(port.name(), port, fromSwitch);
        port.attach(simulator.link(port.name() + ">" + name, toSwitch, ports.get(number)));
        return number;
    }

    /**
     * Connects any receiver (a test's raw endpoint): returns nothing to send on; use {@code inLink(int)}.
     *
     * @param stationName name for the links.
     * @param receiver    gets the frames the switch sends to this port.
     * @param fromSwitch  faults on the way out.
     * @return the switch port number.
     */
    public int attach(final String stationName, final FrameReceiver receiver, final FaultProfile fromSwitch)
    {
        final Port p = new Port(ports.size());
        ports.add(p);
        p.out = simulator.link(name + ">" + stationName, fromSwitch, receiver);
        return p.number;
    }

    /**
     * A link into the switch's port, for a raw endpoint attached with {@link #attach(String, FrameReceiver, FaultProfile)}.
     *
     * @param port       the switch port.
     * @param toSwitch   its faults.
     * @return the link to offer frames on.
     */
    public SimLink inLink(final int port, final FaultProfile toSwitch)
    {
        return simulator.link(name + "<" + port, toSwitch, ports.get(port));
    }

    /**
     * @param mac a MAC address.
     * @return the port it was learned on, or -1.
     */
    public int portOf(final long mac)
    {
        return (int)table.get(mac);
    }

    /**
     * @return frames sent to exactly one port.
     */
    public long forwarded()
    {
        return forwarded;
    }

    /**
     * @return frames flooded.
     */
    public long flooded()
    {
        return flooded;
    }

    /**
     * @return frames dropped because their destination is behind the port they came from.
     */
    public long filtered()
    {
        return filtered;
    }

    /**
     * @return the switch's name.
     */
    public String name()
    {
        return name;
    }

    private void onFrame(final int inPort, final long nowNs, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FaultInjector.ETHERNET_HEADER_LENGTH)
        {
            return;
        }
        final long destination = mac(buffer, offset);
        final long source = mac(buffer, offset + 6);
        if ((source & 0x0100_0000_0000L) == 0)
        {
            table.put(source, inPort);
        }
        final long out = (destination & 0x0100_0000_0000L) != 0 ? NO_PORT : table.get(destination);
        if (out == NO_PORT)
        {
            flooded++;
            for (int i = 0; i < ports.size(); i++)
            {
                if (i != inPort)
                {
                    ports.get(i).out.offer(nowNs, buffer, offset, length);
                }
            }
        }
        else if (out == inPort)
        {
            filtered++;
        }
        else
        {
            forwarded++;
            ports.get((int)out).out.offer(nowNs, buffer, offset, length);
        }
    }

    /** The group bit (least significant bit of the first octet) marks broadcast and multicast. */
    private static long mac(final DirectBuffer buffer, final int at)
    {
        return (buffer.getShort(at, ByteOrder.BIG_ENDIAN) & 0xFFFFL) << 32 | (buffer.getInt(at + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL);
    }

    private final class Port implements FrameReceiver
    {
        final int number;
        SimLink out;

        Port(final int number)
        {
            this.number = number;
        }

        @Override
        public void onFrame(final long nowNs, final DirectBuffer buffer, final int offset, final int length)
        {
            SimSwitch.this.onFrame(number, nowNs, buffer, offset, length);
        }
    }
}
