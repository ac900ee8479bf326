package io.flowstack.tap.packet;

import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.driver.SteeringRefusedException;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.tap.MacAddresses;
import io.flowstack.tap.steer.KernelSteering;
import io.flowstack.tap.sys.ErrnoException;
import io.flowstack.tap.sys.IfReq;
import io.flowstack.tap.sys.LibC;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.sys.Native;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * An existing Ethernet interface used through AF_PACKET raw sockets (packet(7)): one socket per queue, each with a
 * memory-mapped TPACKET_V3 receive ring (Documentation/networking/packet_mmap.rst), several sockets joined in one
 * {@code PACKET_FANOUT} group so that each core reads its own share of the interface's frames.
 * <p>
 * <b>Fanout and ownership.</b> The kernel decides which member gets a frame ({@link FanoutMode}); none of its
 * modes can be predicted by us: HASH uses a randomly seeded symmetric flow hash, CPU depends on which CPU processed
 * the frame, LB/RND/ROLLOVER are not flow-consistent, QM follows the NIC's queue mapping. So the device reports
 * {@link Steering#HASHED} for HASH (flows stick to a member that need not be their owner) and
 * {@link Steering#NONE} otherwise, and every core forwards what it does not own. Unless told otherwise
 * ({@link KernelSteering}), a HASH device waits for the stack's ownership function ({@link #steerByOwner}) and
 * forms a {@code PACKET_FANOUT_EBPF} or {@code PACKET_FANOUT_CBPF} group whose program computes our own Toeplitz hash
 * and tables: {@link Steering#EXACT}, nothing to forward.
 * <p>
 * <b>Joining.</b> Every socket starts with a drop-all classic BPF filter ({@code ret #0}); once every member is
 * bound and in the group, whatever reached a ring is discarded and the filters are removed, so no frame lands on a
 * member of a half-built group ({@link FanoutGroup}).
 * <p>
 * <b>Sizes.</b> Blocks of {@link Config#DEFAULT_BLOCK_SIZE} hold frames up to 64 KiB: GRO on the interface and
 * GSO from a local sender (a veth peer's TCP) deliver frames far above the MTU, so the ring and the pool buffers
 * are sized for 64 KiB instead of turning GRO off (which needs ethtool). Partial checksums of locally sent frames
 * are completed in the driver from the virtio_net_hdr the kernel puts in front of each frame.
 * <p>
 * <b>Interface down.</b> The sockets stay open: the kernel unhooks them while the interface is down and re-hooks
 * them (fanout included) when it comes back; sends fail with ENETDOWN and are counted; the reading core notices
 * through the socket error, probes the interface flags with backoff (never spinning), and the
 * {@link LinkListener} logs one line per change.
 * <p>
 * Sockets are created in the network namespace of the thread that calls {@link #open(Config)} and keep working
 * from any thread afterwards.
 */
public final class PacketDevice implements NetworkDevice
{
    /** Most members a fanout group takes (PACKET_FANOUT_MAX in net/packet/internal.h is larger; cores cap us). */
    public static final int MAX_MEMBERS = 256;

    private final Config config;
    private final int kernelIfIndex;
    private final long interfaceMac;
    private final int mtu;
    private final FanoutGroup group;
    private final PacketSocket[] sockets;
    private final Set<Long> unicastAdded = new HashSet<>();
    private boolean closed;

    /**
     * What to open and how.
     *
     * @param ifName          interface name.
     * @param members         sockets (queues) in the fanout group; 1 means no fanout.
     * @param fanout          how the kernel spreads frames over the members.
     * @param blockSize       bytes per ring block: a power of two, a multiple of the page size, at least 128 KiB
     *                        so that a 64 KiB frame fits.
     * @param blockCount      blocks per ring.
     * @param retireTimeoutMs how long the kernel keeps a block open that is not full: the latency a lone frame can
     *                        see (TPACKET_V3 hands over whole blocks).
     * @param qdiscBypass     send with PACKET_QDISC_BYPASS (faster; other packet sockets then miss our frames).
     * @param linkListener    told when the interface goes down and comes back, or null.
     * @param steering        which program the group may run to steer by the stack's ownership function (with
     *                        {@link FanoutMode#HASH} as the fallback); {@link KernelSteering#OFF} keeps the mode.
     * @param offloads        use the virtio-net header both ways: keep received checksum and segmentation
     *                        metadata for the stack, and send partial checksums and TCP segments of up to 64 KB
     *                        that the kernel cuts ({@link Offloads#VIRTIO_NET}); without, received partial
     *                        checksums are completed here and nothing is asked on send.
     */
    public record Config(
        String ifName,
        int members,
        FanoutMode fanout,
        int blockSize,
        int blockCount,
        int retireTimeoutMs,
        boolean qdiscBypass,
        LinkListener linkListener,
        KernelSteering steering,
        boolean offloads)
    {
        /**
         * A configuration that may steer by program ({@link KernelSteering#AUTO}), without offloads.
         *
         * @param ifName          interface name.
         * @param members         sockets in the fanout group.
         * @param fanout          the kernel's mode when no program steers.
         * @param blockSize       bytes per ring block.
         * @param blockCount      blocks per ring.
         * @param retireTimeoutMs block retire timeout.
         * @param qdiscBypass     send with PACKET_QDISC_BYPASS.
         * @param linkListener    link change listener, or null.
         */
        public Config(final String ifName, final int members, final FanoutMode fanout, final int blockSize,
            final int blockCount, final int retireTimeoutMs, final boolean qdiscBypass, final LinkListener linkListener)
        {
            this(ifName, members, fanout, blockSize, blockCount, retireTimeoutMs, qdiscBypass, linkListener,
                KernelSteering.AUTO, false);
        }

        /** Default block size: 1 MiB, room for 16 frames of 64 KiB or about 680 of 1514 bytes. */
        public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
        /** Default blocks per ring: 16 MiB of ring per member. */
        public static final int DEFAULT_BLOCK_COUNT = 16;
        /** Default block retire timeout, the lowest the kernel takes: a lone frame waits at most this long. */
        public static final int DEFAULT_RETIRE_TIMEOUT_MS = 1;
        /** Smallest block: a 64 KiB frame plus the block and frame headers. */
        public static final int MIN_BLOCK_SIZE = 128 * 1024;

        /**
         * @param ifName  interface name.
         * @param members fanout members.
         * @return the default configuration (HASH fanout, 16 x 1 MiB blocks, 1 ms, link changes on stderr).
         */
        public static Config defaults(final String ifName, final int members)
        {
            return new Config(ifName, members, FanoutMode.HASH, DEFAULT_BLOCK_SIZE, DEFAULT_BLOCK_COUNT,
                DEFAULT_RETIRE_TIMEOUT_MS, false, LinkListener.STDERR, KernelSteering.AUTO, false);
        }

        /**
         * @param mode fanout mode.
         * @return a copy with that mode.
         */
        public Config withFanout(final FanoutMode mode)
        {
            return new Config(ifName, members, mode, blockSize, blockCount, retireTimeoutMs, qdiscBypass, linkListener,
                steering, offloads);
        }

        /**
         * @param choice which steering program the group may run.
         * @return a copy with that choice.
         */
        public Config withSteering(final KernelSteering choice)
        {
            return new Config(ifName, members, fanout, blockSize, blockCount, retireTimeoutMs, qdiscBypass, linkListener,
                choice, offloads);
        }

        /**
         * @param listener link change listener, or null.
         * @return a copy with that listener.
         */
        public Config withLinkListener(final LinkListener listener)
        {
            return new Config(ifName, members, fanout, blockSize, blockCount, retireTimeoutMs, qdiscBypass, listener,
                steering, offloads);
        }

        /**
         * @param size   block size.
         * @param count  block count.
         * @return a copy with that ring geometry.
         */
        public Config withRing(final int size, final int count)
        {
            return new Config(ifName, members, fanout, size, count, retireTimeoutMs, qdiscBypass, linkListener,
                steering, offloads);
        }

        /**
         * @param on true to use the virtio-net header's offloads.
         * @return a copy with offloads on or off.
         */
        public Config withOffloads(final boolean on)
        {
            return new Config(ifName, members, fanout, blockSize, blockCount, retireTimeoutMs, qdiscBypass,
                linkListener, steering, on);
        }

        void validate()
        {
            if (ifName == null || ifName.isEmpty() || ifName.length() >= Linux.IFNAMSIZ)
            {
                throw new IllegalArgumentException("bad interface name '" + ifName + "'");
            }
            if (members < 1 || members > MAX_MEMBERS)
            {
                throw new IllegalArgumentException("fanout members must be 1.." + MAX_MEMBERS + ", was " + members);
            }
            final int page = Native.LIBC.getpagesize();
            if (Integer.bitCount(blockSize) != 1 || blockSize < MIN_BLOCK_SIZE || blockSize % page != 0)
            {
                throw new IllegalArgumentException("ring block size must be a power of two of at least "
                    + MIN_BLOCK_SIZE + " and a multiple of the page size " + page + ", was " + blockSize);
            }
            if (blockCount < 2 || (long)blockCount * blockSize > Integer.MAX_VALUE)
            {
                throw new IllegalArgumentException("ring block count must be at least 2 and the ring below 2 GiB");
            }
            if (retireTimeoutMs < 1)
            {
                throw new IllegalArgumentException("block retire timeout must be at least 1 ms");
            }
        }
    }

    private PacketDevice(final Config config, final int kernelIfIndex, final long interfaceMac, final int mtu,
        final FanoutGroup group, final PacketSocket[] sockets)
    {
        this.config = config;
        this.kernelIfIndex = kernelIfIndex;
        this.interfaceMac = interfaceMac;
        this.mtu = mtu;
        this.group = group;
        this.sockets = sockets;
    }

    /**
     * Opens {@code members} sockets on the interface with the default ring and HASH fanout.
     *
     * @param ifName  interface in the calling thread's network namespace.
     * @param members fanout members (queues).
     * @return the device.
     * @throws IOException with a one-line reason: no such interface, no permission, kernel refusal.
     */
    public static PacketDevice open(final String ifName, final int members) throws IOException
    {
        return open(Config.defaults(ifName, members));
    }

    /**
     * Opens the device as configured, in the calling thread's network namespace.
     *
     * @param config what to open.
     * @return the device.
     * @throws IOException with a one-line reason: no such interface, no permission, kernel refusal.
     */
    public static PacketDevice open(final Config config) throws IOException
    {
        config.validate();
        final LibC libc = Native.LIBC;
        final String name = config.ifName();
        final int ifIndex = libc.if_nametoindex(name);
        if (ifIndex == 0)
        {
            throw new IOException("no interface named " + name + " in this network namespace");
        }
        final PacketSocket[] sockets = new PacketSocket[config.members()];
        boolean ok = false;
        try
        {
            for (int i = 0; i < sockets.length; i++)
            {
                sockets[i] = PacketSocket.open(name, ifIndex, i, config);
            }
            final IfReq ifr = new IfReq();
            final int fd = sockets[0].fd();
            // A packet socket answers interface ioctls for its own namespace, whatever thread asks.
            Native.check(libc.ioctl(fd, Linux.SIOCGIFMTU, ifr.clear().name(name).address()), "SIOCGIFMTU " + name);
            final int mtu = ifr.intValue();
            Native.check(libc.ioctl(fd, Linux.SIOCGIFHWADDR, ifr.clear().name(name).address()),
                "SIOCGIFHWADDR " + name);
            final long mac = ifr.hardwareAddress();
            final FanoutGroup group = new FanoutGroup(sockets, config);
            if (!group.deferred())
            {
                group.open();
            }
            ok = true;
            return new PacketDevice(config, ifIndex, mac, mtu, group, sockets);
        }
        finally
        {
            if (!ok)
            {
                for (final PacketSocket s : sockets)
                {
                    if (s != null)
                    {
                        s.close();
                    }
                }
            }
        }
    }

    /**
     * @return the interface name.
     */
    public String name()
    {
        return config.ifName();
    }

    /**
     * @return the interface's index in its namespace.
     */
    public int kernelIfIndex()
    {
        return kernelIfIndex;
    }

    /**
     * @return the interface's own MAC address, as read at open. The stack should use a different one, so that the
     *         host kernel sees our frames as PACKET_OTHERHOST and leaves them alone.
     */
    public long interfaceMac()
    {
        return interfaceMac;
    }

    /**
     * @return the fanout group id, or -1 with one member (or before the group is formed).
     */
    public int fanoutGroup()
    {
        return group.groupId();
    }

    /**
     * @return the fanout mode.
     */
    public FanoutMode fanout()
    {
        return config.fanout();
    }

    /**
     * @return frames discarded while the group was being built (normally 0: the filters drop them earlier).
     */
    public int discardedAtSetup()
    {
        return group.discarded();
    }

    /**
     * @return the configuration opened with.
     */
    public Config config()
    {
        return config;
    }

    @Override
    public int queues()
    {
        return sockets.length;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    /**
     * @return {@link Offloads#VIRTIO_NET} when opened with offloads, {@link Offloads#NONE} otherwise.
     */
    @Override
    public Offloads offloads()
    {
        return config.offloads() ? Offloads.VIRTIO_NET.with(Offloads.TX_TCP6_SEGMENTATION) : Offloads.NONE;
    }

    @Override
    public Steering steering()
    {
        return group.steering();
    }

    /**
     * Forms the fanout group with a program generated from the stack's ownership function: extended BPF, or where
     * the kernel refuses it (no CAP_BPF, for instance) classic BPF; member i gets the frames core i owns.
     *
     * @return the steering, or null when the group is already formed, not deferred (a mode other than HASH, or
     *         {@link KernelSteering#OFF}) or has fewer members than cores.
     * @throws SteeringRefusedException when no program was taken: the group is then formed in the configured mode.
     */
    @Override
    public OwnerSteering steerByOwner(final FlowOwnership ownership, final int ifIndex) throws SteeringRefusedException
    {
        return group.steerByOwner(ownership, ifIndex);
    }

    /**
     * Opens a per-core handle on fanout member {@code queue}: it reads that member's ring and sends on its socket.
     * Several handles may send on one member; only one may read it. When {@code mac} is not the interface's own
     * address it is added to the interface's unicast filter.
     *
     * @param queue   member index.
     * @param ifIndex interface index stamped on received frames.
     * @param mac     the stack's MAC address.
     * @return the handle; closing it leaves the socket open.
     */
    @Override
    public synchronized NetworkDriver open(final int queue, final int ifIndex, final long mac)
    {
        return driver(queue, ifIndex, mac);
    }

    /**
     * As {@link #open(int, int, long)}, typed.
     *
     * @param queue   member index.
     * @param ifIndex interface index stamped on received frames.
     * @param mac     the stack's MAC address.
     * @return the handle.
     */
    public synchronized RawSocketDriver driver(final int queue, final int ifIndex, final long mac)
    {
        final PacketSocket socket = sockets[queue];
        if (closed || socket.isClosed())
        {
            throw new IllegalStateException("member " + queue + " of " + describe() + " is closed");
        }
        try
        {
            // Nothing was offered before the first queue: the group takes its configured mode now.
            group.open();
        }
        catch (final ErrnoException e)
        {
            throw new UncheckedIOException(e);
        }
        final long stackMac = mac & MacAddresses.MASK;
        if (stackMac != interfaceMac && unicastAdded.add(stackMac))
        {
            try
            {
                socket.addUnicastAddress(stackMac);
            }
            catch (final ErrnoException e)
            {
                unicastAdded.remove(stackMac);
                throw new UncheckedIOException(e);
            }
        }
        return new RawSocketDriver(socket, ifIndex, stackMac, mtu, steering(), offloads());
    }

    /**
     * @param queue member index.
     * @return that member's descriptor (for an epoll waiter), or -1 once closed.
     */
    public int memberFd(final int queue)
    {
        return sockets[queue].fd();
    }

    /**
     * Reads and resets the kernel's counters of one member.
     *
     * @param queue member index.
     * @return {packets, drops, freeze_q_cnt} since the last read.
     * @throws ErrnoException when the kernel refuses.
     */
    public long[] kernelStatistics(final int queue) throws ErrnoException
    {
        return sockets[queue].kernelStatistics();
    }

    @Override
    public String describe()
    {
        return "AF_PACKET " + config.ifName() + (sockets.length > 1
            ? " (" + sockets.length + " fanout members, " + group.mode() + ")" : "");
    }

    /**
     * Unmaps the rings and closes the sockets. Idempotent. Stop the cores that read them first.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        group.close();
        for (final PacketSocket s : sockets)
        {
            s.close();
        }
    }

    @Override
    public String toString()
    {
        return "PacketDevice{" + config.ifName() + ", members=" + sockets.length + ", fanout=" + group.mode()
            + ", group=" + group.groupId() + ", mtu=" + mtu + ", mac=" + MacAddresses.toString(interfaceMac) + "}";
    }
}
