package io.flowstack.ip.arp;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.counter.CounterSet;
import io.flowstack.core.engine.FrameSink;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.wire.ArpFlyweight;
import io.flowstack.ip.wire.EthernetFlyweight;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * ARP for IPv4 over Ethernet (RFC 826) on one interface of one core: answers requests for our address, learns
 * from what it hears by the RFC's merge rule, and sends requests and gratuitous announcements.
 */
public final class ArpLayer implements NeighborCache.Listener
{
    /** Length of an ARP frame without Ethernet padding. */
    public static final int FRAME_LENGTH = EthernetFlyweight.HEADER_LENGTH + ArpFlyweight.LENGTH;

    /** Receives what the neighbor cache decided (sending a resolved datagram, replicating a mapping). */
    public interface Output
    {
        /**
         * @param datagram window at its IP header, ifIndex set.
         * @param mac      next hop's hardware address.
         */
        void sendResolved(PacketBuffer datagram, long mac);

        /**
         * @param ifIndex interface.
         * @param address address learned.
         * @param mac     its hardware address.
         */
        void learned(int ifIndex, int address, long mac);

        /**
         * @param ifIndex interface.
         * @param address a neighbor that did not answer ARP: whoever waits on it should hear it is unreachable.
         */
        void unreachable(int ifIndex, int address);
    }

    private final IpInterface ifc;
    private final BufferPool pool;
    private final FrameSink sink;
    private final Output output;
    private final NeighborCache cache;
    private final NanoClock time;
    private final EthernetFlyweight eth = new EthernetFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();
    private final AtomicCounter rxFrames;
    private final AtomicCounter rxBad;
    private final AtomicCounter rxDrops;
    private final AtomicCounter rxRequestsForUs;
    private final AtomicCounter txReplies;
    private final AtomicCounter txRequests;
    private final AtomicCounter txDrops;
    private final AtomicCounter conflicts;

    /**
     * @param ifc             the interface.
     * @param pool            the core's buffers.
     * @param sink            where frames go.
     * @param output          receives resolved datagrams and learned mappings.
     * @param cacheCapacity   neighbors per interface.
     * @param counters        the core's counters.
     * @param time            the core's clock.
     */
    public ArpLayer(
        final IpInterface ifc,
        final BufferPool pool,
        final FrameSink sink,
        final Output output,
        final int cacheCapacity,
        final CounterSet counters,
        final NanoClock time)
    {
        this.time = time;
        this.ifc = ifc;
        this.pool = pool;
        this.sink = sink;
        this.output = output;
        this.cache = new NeighborCache(
            cacheCapacity,
            NeighborCache.DEFAULT_LIFETIME_NS,
            NeighborCache.DEFAULT_RETRY_NS,
            NeighborCache.DEFAULT_MAX_REQUESTS,
            this,
            counters);
        rxFrames = counters.counter("arp.rx.frames");
        rxBad = counters.counter("arp.rx.bad");
        rxDrops = counters.counter(CounterSet.RX_DROPS);
        rxRequestsForUs = counters.counter("arp.rx.requests_for_us");
        txReplies = counters.counter("arp.tx.replies");
        txRequests = counters.counter("arp.tx.requests");
        txDrops = counters.counter("arp.tx.drops");
        conflicts = counters.counter("arp.rx.address_conflicts");
    }

    /**
     * @return this interface's neighbor cache.
     */
    public NeighborCache cache()
    {
        return cache;
    }

    /**
     * Handles one ARP frame; takes ownership.
     *
     * @param frame window at the Ethernet header.
     */
    public void onFrame(final PacketBuffer frame)
    {
        final int at = frame.offset() + EthernetFlyweight.HEADER_LENGTH;
        arp.wrap(frame.buffer(), at, frame.length() - EthernetFlyweight.HEADER_LENGTH);
        if (!arp.check())
        {
            rxBad.incrementOrdered();
            rxDrops.incrementOrdered();
            frame.release();
            return;
        }
        rxFrames.incrementOrdered();
        final int senderIp = arp.senderProtocolAddress();
        final long senderMac = arp.senderHardwareAddress();
        final int targetIp = arp.targetProtocolAddress();
        if (senderIp == ifc.address())
        {
            // Someone else claims our address; RFC 5227 2.4 says defend or stop. We only count it.
            if (senderMac != ifc.mac())
            {
                conflicts.incrementOrdered();
            }
            frame.release();
            return;
        }
        final boolean forUs = targetIp == ifc.address();
        // RFC 826 packet reception: merge the sender, add it if the packet was for us. A probe (sender 0) teaches nothing.
        if (senderIp != 0 && (senderMac & 0x0100_0000_0000L) == 0)
        {
            cache.update(senderIp, senderMac, forUs, time.nanoTime());
        }
        if (forUs && arp.operation() == ArpFlyweight.OP_REQUEST)
        {
            rxRequestsForUs.incrementOrdered();
            // Answer in place: swap sender and target, set opcode to reply (RFC 826).
            arp.operation(ArpFlyweight.OP_REPLY)
                .targetHardwareAddress(senderMac)
                .targetProtocolAddress(senderIp)
                .senderHardwareAddress(ifc.mac())
                .senderProtocolAddress(ifc.address());
            eth.wrap(frame.buffer(), frame.offset(), FRAME_LENGTH)
                .destination(senderMac)
                .source(ifc.mac());
            frame.window(frame.offset(), FRAME_LENGTH).ifIndex(ifc.ifIndex());
            txReplies.incrementOrdered();
            sink.transmit(frame);
            return;
        }
        frame.release();
    }

    /**
     * Announces our address (gratuitous ARP request, RFC 5227 3), so neighbors update stale caches.
     */
    public void announce()
    {
        sendArp(ArpFlyweight.OP_REQUEST, EthernetFlyweight.BROADCAST, 0, ifc.address());
    }

    @Override
    public void sendRequest(final int address, final long knownMac)
    {
        txRequests.incrementOrdered();
        sendArp(ArpFlyweight.OP_REQUEST, knownMac == 0 ? EthernetFlyweight.BROADCAST : knownMac, 0, address);
    }

    @Override
    public void sendResolved(final PacketBuffer datagram, final long mac)
    {
        output.sendResolved(datagram, mac);
    }

    @Override
    public void learned(final int address, final long mac)
    {
        output.learned(ifc.ifIndex(), address, mac);
    }

    @Override
    public void unreachable(final int address)
    {
        output.unreachable(ifc.ifIndex(), address);
    }

    private void sendArp(final int operation, final long destinationMac, final long targetMac, final int targetIp)
    {
        final PacketBuffer frame = pool.acquire();
        if (frame == null)
        {
            txDrops.incrementOrdered();
            return;
        }
        final int at = frame.offset();
        frame.window(at, FRAME_LENGTH).ifIndex(ifc.ifIndex());
        eth.wrap(frame.buffer(), at, FRAME_LENGTH)
            .destination(destinationMac)
            .source(ifc.mac())
            .etherType(EthernetFlyweight.TYPE_ARP);
        arp.wrap(frame.buffer(), at + EthernetFlyweight.HEADER_LENGTH, ArpFlyweight.LENGTH)
            .initEthernetIpv4()
            .operation(operation)
            .senderHardwareAddress(ifc.mac())
            .senderProtocolAddress(ifc.address())
            .targetHardwareAddress(targetMac)
            .targetProtocolAddress(targetIp);
        sink.transmit(frame);
    }
}
