package io.flowstack.core.sim;

import io.flowstack.core.pcap.PcapWriter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One direction of a simulated wire. A frame offered at virtual time t is copied into a preallocated slot and
 * handed to the receiver at the time its {@link FaultInjector} decided (after serialization at the link's rate,
 * the queue, delay, jitter and reordering), or dropped. A full-duplex cable is two links.
 * <p>
 * Frames in flight live in slots ordered by a primitive heap on (arrival time, offer order). The slots double
 * when every one is in flight, so the link loses only what its profile says (a long, fast path holds many frames
 * besides its queue); once the link has carried its largest flight, offering and delivering allocate nothing. A
 * frame longer than a slot is dropped and counted ({@link #oversize()}).
 */
public final class SimLink
{
    /** Default frames in flight per link. */
    public static final int DEFAULT_SLOTS = 1024;
    /** Default slot size: an Ethernet frame with a VLAN tag, MTU 1500. */
    public static final int DEFAULT_MAX_FRAME = 1522;

    private final int id;
    private final String name;
    private final FaultInjector injector;
    private final FrameReceiver receiver;
    private final FrameLog log;
    private final int slotSize;
    private UnsafeBuffer slots;
    private int[] lengths;
    private int[] free;
    private final EventQueue inFlight;
    private int freeCount;
    private PcapWriter pcap;
    private long delivered;
    private long oversize;

    /**
     * @param id       the link's number (in frame logs).
     * @param name     the link's name (in messages and pcap file names).
     * @param injector its faults.
     * @param receiver where frames arrive.
     * @param slots    frames in flight before the slots grow.
     * @param maxFrame longest frame carried.
     * @param log      where deliveries are recorded, or null.
     */
    public SimLink(final int id, final String name, final FaultInjector injector, final FrameReceiver receiver,
        final int slots, final int maxFrame, final FrameLog log)
    {
        this.id = id;
        this.name = name;
        this.injector = injector;
        this.receiver = receiver;
        this.log = log;
        this.slotSize = maxFrame;
        this.slots = new UnsafeBuffer(new byte[Math.multiplyExact(slots, maxFrame)]);
        this.lengths = new int[slots];
        this.free = new int[slots];
        for (int i = 0; i < slots; i++)
        {
            free[i] = slots - 1 - i;
        }
        this.freeCount = slots;
        this.inFlight = new EventQueue(slots, true);
    }

    /**
     * Puts a frame on the link.
     *
     * @param nowNs  virtual time.
     * @param buffer the frame's bytes (copied).
     * @param offset first byte.
     * @param length frame length.
     */
    public void offer(final long nowNs, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > slotSize)
        {
            oversize++;
            return;
        }
        final int copies = injector.offer(nowNs, buffer, offset, length);
        for (int c = 0; c < copies; c++)
        {
            if (freeCount == 0)
            {
                growSlots();
            }
            final int slot = free[--freeCount];
            final int at = slot * slotSize;
            slots.putBytes(at, buffer, offset, length);
            injector.corrupt(c, slots, at);
            lengths[slot] = length;
            inFlight.push(injector.departure(c), slot);
        }
    }

    private void growSlots()
    {
        final int old = lengths.length;
        final int n = Math.multiplyExact(old, 2);
        final UnsafeBuffer bigger = new UnsafeBuffer(new byte[Math.multiplyExact(n, slotSize)]);
        bigger.putBytes(0, slots, 0, old * slotSize);
        slots = bigger;
        lengths = java.util.Arrays.copyOf(lengths, n);
        free = new int[n];
        // Every old slot is in flight: the new ones are all free.
        for (int i = 0; i < n - old; i++)
        {
            free[i] = n - 1 - i;
        }
        freeCount = n - old;
    }

    /**
     * @return arrival time of the next frame in flight, or {@link Long#MAX_VALUE}.
     */
    public long nextDelivery()
    {
        return inFlight.peekTime();
    }

    /**
     * Hands every frame due by {@code nowNs} to the receiver, earliest first.
     *
     * @param nowNs virtual time.
     * @return frames delivered.
     */
    public int deliver(final long nowNs)
    {
        int n = 0;
        while (!inFlight.isEmpty() && inFlight.peekTime() <= nowNs)
        {
            final long at = inFlight.peekTime();
            final int slot = inFlight.pop();
            final int offset = slot * slotSize;
            final int length = lengths[slot];
            if (log != null)
            {
                log.record(at, id, slots, offset, length);
            }
            if (pcap != null)
            {
                pcap.write(at, slots, offset, length);
            }
            delivered++;
            n++;
            receiver.onFrame(at, slots, offset, length);
            free[freeCount++] = slot;
        }
        return n;
    }

    /**
     * @param pcap where delivered frames are written, stamped with their virtual arrival time; null for none.
     */
    public void pcap(final PcapWriter pcap)
    {
        this.pcap = pcap;
    }

    /**
     * @return the pcap writer, or null.
     */
    public PcapWriter pcap()
    {
        return pcap;
    }

    /**
     * @return the link's number.
     */
    public int id()
    {
        return id;
    }

    /**
     * @return the link's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the fault injector (its counters tell what happened to the frames).
     */
    public FaultInjector injector()
    {
        return injector;
    }

    /**
     * @return frames in flight.
     */
    public int inFlight()
    {
        return inFlight.size();
    }

    /**
     * @return copies handed to the receiver.
     */
    public long delivered()
    {
        return delivered;
    }

    /**
     * @return frames dropped because they were longer than a slot.
     */
    public long oversize()
    {
        return oversize;
    }

    @Override
    public String toString()
    {
        return name + " [" + injector.profile() + "] delivered=" + delivered + " " + injector;
    }
}
