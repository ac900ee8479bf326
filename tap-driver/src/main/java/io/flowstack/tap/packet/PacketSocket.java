package io.flowstack.tap.packet;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.tap.sys.ErrnoException;
import io.flowstack.tap.sys.IfReq;
import io.flowstack.tap.sys.LibC;
import io.flowstack.tap.sys.Native;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

import static io.flowstack.tap.packet.PacketAbi.*;

/**
 * One AF_PACKET socket bound to one interface, with a memory-mapped TPACKET_V3 receive ring: one member of a
 * {@link PacketDevice}'s fanout group.
 * <p>
 * Receive walks the blocks the kernel has handed to user space ({@code block_status & TP_STATUS_USER}), copies
 * each frame into a pool buffer, and gives the block back with a release store of {@code TP_STATUS_KERNEL}
 * (Documentation/networking/packet_mmap.rst, "TPACKET_V3"): one wake-up delivers a batch of frames without a
 * system call per frame. Only one thread reads; the descriptor may be used by other threads to transmit.
 * <p>
 * Setup happens in the network namespace of the creating thread; afterwards the socket works from any thread.
 */
final class PacketSocket implements AutoCloseable
{
    /** TPACKET_ALIGNMENT of the ring: frame headers start on 16-byte boundaries. */
    static final int TPACKET_ALIGNMENT = 16;
    /** Advisory V3 frame size; only used to compute tp_frame_nr, which the kernel checks. */
    static final int V3_FRAME_SIZE = 2048;
    /** First interval between checks whether a down interface is back. */
    static final long FIRST_PROBE_NS = 10_000_000L;
    /** Longest interval between those checks. */
    static final long MAX_PROBE_NS = 1_000_000_000L;
    /** Empty receives between two checks of the socket's pending error while the link is up. */
    static final int ERROR_CHECK_MASK = 63;

    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private final LibC libc = Native.LIBC;
    private final String ifName;
    private final int kernelIfIndex;
    private final int member;
    private final int blockSize;
    private final int blockCount;
    private final boolean vnetHeader;
    private final boolean offloads;
    private final LinkListener linkListener;
    private final UnsafeBuffer scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(256, 64));
    private final IfReq ifReq = new IfReq();
    private final IfReq indexReq = new IfReq();
    private final int fd;
    private final long ringAddress;
    private final long ringLength;
    private final UnsafeBuffer ring;
    private boolean ignoreOutgoing;
    private boolean filterAttached;
    private volatile boolean closed;

    private int block;
    private int blockOffset;
    private int packetsLeft;
    private int packetOffset;

    private boolean linkDown;
    private boolean downAnnounced;
    private String downDetail;
    private int failure;
    private long nextProbeNs;
    private long probeIntervalNs;
    private int emptyPolls;

    private long rxFrames;
    private long rxBytes;
    private long rxBlocks;
    private long rxPoolEmpty;
    private long rxTooBig;
    private long rxTruncated;
    private long rxOutgoing;
    private long rxChecksumsCompleted;
    private long rxGsoFrames;
    private long rxBadHeaders;
    private long rxHashed;
    private int lastRxHash;
    private long linkDownEvents;
    private long errors;
    private int lastErrno;

    private PacketSocket(
        final String ifName,
        final int kernelIfIndex,
        final int member,
        final PacketDevice.Config config,
        final int fd,
        final long ringAddress,
        final long ringLength)
    {
        this.ifName = ifName;
        this.kernelIfIndex = kernelIfIndex;
        this.member = member;
        this.blockSize = config.blockSize();
        this.blockCount = config.blockCount();
        this.vnetHeader = true;
        this.offloads = config.offloads();
        this.linkListener = config.linkListener();
        this.fd = fd;
        this.ringAddress = ringAddress;
        this.ringLength = ringLength;
        this.ring = new UnsafeBuffer(ringAddress, (int)ringLength);
        ifReq.clear().name(ifName);
    }

    /**
     * Opens a socket on the interface, with a drop-all filter attached, the ring mapped and the socket bound, but
     * not yet in a fanout group. Call {@link #detachFilter()} to let traffic in.
     *
     * @param ifName        interface name (for messages and the link probe).
     * @param kernelIfIndex the interface's index in the creating thread's namespace.
     * @param member        index of this socket in its device.
     * @param config        ring geometry and options.
     * @return the socket.
     * @throws ErrnoException when a step fails; nothing is left open.
     */
    static PacketSocket open(final String ifName, final int kernelIfIndex, final int member,
        final PacketDevice.Config config) throws ErrnoException
    {
        final LibC libc = Native.LIBC;
        final UnsafeBuffer arg = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128, 64));
        // Protocol 0: the socket receives nothing until bind names a protocol (packet(7)), so no frame of another
        // interface slips in before the bind.
        final int fd = libc.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            final int errno = Native.errno();
            throw new ErrnoException("socket(AF_PACKET, SOCK_RAW)"
                + (errno == EPERM || errno == EACCES ? " needs CAP_NET_RAW (run as root)" : ""), errno);
        }
        long mapped = MAP_FAILED;
        final long length = (long)config.blockSize() * config.blockCount();
        boolean ok = false;
        try
        {
            attachDropAll(fd, arg);
            setInt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3, arg, "PACKET_VERSION TPACKET_V3");
            // A virtio_net_hdr in front of each frame tells which checksums are still partial (frames from a
            // local sender such as a veth peer); must be set before the ring exists.
            setInt(fd, SOL_PACKET, PACKET_VNET_HDR, 1, arg, "PACKET_VNET_HDR");
            boolean ignoring = true;
            if (libc.setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, intArg(arg, 1), 4) < 0)
            {
                // Older kernels (before 4.20) refuse: outgoing frames are then skipped by their sll_pkttype.
                ignoring = false;
            }
            if (config.qdiscBypass())
            {
                setInt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1, arg, "PACKET_QDISC_BYPASS");
            }
            arg.setMemory(0, TPACKET_REQ3_SIZE, (byte)0);
            arg.putInt(REQ3_BLOCK_SIZE_OFFSET, config.blockSize());
            arg.putInt(REQ3_BLOCK_NR_OFFSET, config.blockCount());
            arg.putInt(REQ3_FRAME_SIZE_OFFSET, V3_FRAME_SIZE);
            arg.putInt(REQ3_FRAME_NR_OFFSET, config.blockSize() / V3_FRAME_SIZE * config.blockCount());
            arg.putInt(REQ3_RETIRE_BLK_TOV_OFFSET, config.retireTimeoutMs());
            arg.putInt(REQ3_SIZEOF_PRIV_OFFSET, 0);
            arg.putInt(REQ3_FEATURE_REQ_WORD_OFFSET, TP_FT_REQ_FILL_RXHASH);
            Native.check(libc.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, arg.addressOffset(), TPACKET_REQ3_SIZE),
                "PACKET_RX_RING " + config.blockCount() + " x " + config.blockSize());
            mapped = Native.mmap(0, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
            if (mapped == MAP_FAILED)
            {
                throw new ErrnoException("mmap of the " + length + "-byte receive ring", Native.errno());
            }
            arg.setMemory(0, SOCKADDR_LL_SIZE, (byte)0);
            arg.putShort(SLL_FAMILY_OFFSET, (short)AF_PACKET);
            arg.putShort(SLL_PROTOCOL_OFFSET, (short)ETH_P_ALL, BE);
            arg.putInt(SLL_IFINDEX_OFFSET, kernelIfIndex);
            Native.check(libc.bind(fd, arg.addressOffset(), SOCKADDR_LL_SIZE), "bind to " + ifName);
            final PacketSocket socket = new PacketSocket(ifName, kernelIfIndex, member, config, fd, mapped, length);
            socket.ignoreOutgoing = ignoring;
            socket.filterAttached = true;
            ok = true;
            return socket;
        }
        finally
        {
            if (!ok)
            {
                if (mapped != MAP_FAILED)
                {
                    libc.munmap(mapped, length);
                }
                libc.close(fd);
            }
        }
    }

    private static long intArg(final UnsafeBuffer arg, final int value)
    {
        arg.putInt(0, value);
        return arg.addressOffset();
    }

    private static void setInt(final int fd, final int level, final int option, final int value,
        final UnsafeBuffer arg, final String what) throws ErrnoException
    {
        Native.check(Native.LIBC.setsockopt(fd, level, option, intArg(arg, value), 4), what);
    }

    /**
     * Attaches the classic BPF program {@code ret #0}: every frame is dropped before it reaches the ring, until
     * every fanout member has joined (otherwise the first members would get frames of flows that the group, once
     * complete, hashes elsewhere).
     */
    private static void attachDropAll(final int fd, final UnsafeBuffer arg) throws ErrnoException
    {
        // struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; } at 64; struct sock_fprog
        // { unsigned short len; struct sock_filter *filter; } at 0.
        arg.setMemory(0, 72, (byte)0);
        arg.putShort(64, BPF_RET_K);
        arg.putInt(68, 0);
        arg.putShort(0, (short)1);
        arg.putLong(8, arg.addressOffset() + 64);
        Native.check(Native.LIBC.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, arg.addressOffset(), 16),
            "SO_ATTACH_FILTER (drop all during setup)");
    }

    /**
     * Joins a fanout group.
     *
     * @param groupId    id of the group, or 0 with {@code uniqueId} to let the kernel choose one.
     * @param kernelMode {@code PACKET_FANOUT_*} mode.
     * @param label      the mode's name, for messages.
     * @param uniqueId   ask the kernel for an unused id (the first member).
     * @return the group id.
     * @throws ErrnoException when the kernel refuses.
     */
    int joinFanout(final int groupId, final int kernelMode, final String label, final boolean uniqueId)
        throws ErrnoException
    {
        final int typeFlags = kernelMode | (uniqueId ? PACKET_FANOUT_FLAG_UNIQUEID : 0);
        Native.check(libc.setsockopt(fd, SOL_PACKET, PACKET_FANOUT, intArg(scratch, groupId | typeFlags << 16), 4),
            "PACKET_FANOUT " + label + " group " + (uniqueId ? "(new)" : Integer.toString(groupId)));
        // getsockopt returns id | type << 16 | flags << 24.
        scratch.putInt(0, 0);
        scratch.putInt(8, 4);
        Native.check(libc.getsockopt(fd, SOL_PACKET, PACKET_FANOUT, scratch.addressOffset(),
            scratch.addressOffset() + 8), "getsockopt PACKET_FANOUT");
        return scratch.getInt(0) & 0xFFFF;
    }

    /**
     * Gives the group (of which this socket is a member) its extended BPF program.
     *
     * @param programFd a loaded socket-filter program.
     * @throws ErrnoException when the kernel refuses.
     */
    void setFanoutProgram(final int programFd) throws ErrnoException
    {
        Native.check(libc.setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, intArg(scratch, programFd), 4),
            "PACKET_FANOUT_DATA (eBPF program)");
    }

    /**
     * Gives the group (of which this socket is a member) a classic BPF program, replacing the one it had.
     *
     * @param code encoded {@code struct sock_filter}s.
     * @throws ErrnoException when the kernel refuses.
     */
    void setFanoutProgram(final byte[] code) throws ErrnoException
    {
        final UnsafeBuffer program = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(8, code.length), 64));
        program.putBytes(0, code);
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; }: 16 bytes on 64-bit machines.
        final UnsafeBuffer fprog = new UnsafeBuffer(BufferUtil.allocateDirectAligned(16, 16));
        fprog.putShort(0, (short)(code.length / 8));
        fprog.putLong(8, program.addressOffset());
        Native.check(libc.setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, fprog.addressOffset(), 16),
            "PACKET_FANOUT_DATA (classic BPF program of " + code.length / 8 + " instructions)");
    }

    /**
     * Removes the drop-all filter: frames start to arrive.
     *
     * @throws ErrnoException when the kernel refuses.
     */
    void detachFilter() throws ErrnoException
    {
        if (filterAttached)
        {
            Native.check(libc.setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, intArg(scratch, 0), 4), "SO_DETACH_FILTER");
            filterAttached = false;
        }
    }

    /**
     * Adds a unicast address to the interface's address filter (a real NIC otherwise drops frames to a MAC that
     * is not its own; a veth passes everything). The kernel removes it when the socket closes.
     *
     * @param mac the address (low 48 bits).
     * @throws ErrnoException when the kernel refuses.
     */
    void addUnicastAddress(final long mac) throws ErrnoException
    {
        // struct packet_mreq { int mr_ifindex; unsigned short mr_type; unsigned short mr_alen; unsigned char
        // mr_address[8]; }
        scratch.setMemory(0, PACKET_MREQ_SIZE, (byte)0);
        scratch.putInt(0, kernelIfIndex);
        scratch.putShort(4, (short)PACKET_MR_UNICAST);
        scratch.putShort(6, (short)6);
        for (int i = 0; i < 6; i++)
        {
            scratch.putByte(8 + i, (byte)(mac >>> (40 - 8 * i)));
        }
        Native.check(libc.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, scratch.addressOffset(), PACKET_MREQ_SIZE),
            "PACKET_ADD_MEMBERSHIP unicast on " + ifName);
    }

    /**
     * Gives every block user space holds back to the kernel without reading it (setup: whatever arrived before
     * every member joined).
     *
     * @return frames discarded.
     */
    int drain()
    {
        int frames = 0;
        if (packetsLeft > 0)
        {
            frames += packetsLeft;
            releaseBlock();
        }
        for (int i = 0; i < blockCount; i++)
        {
            final int base = block * blockSize;
            if ((ring.getIntVolatile(base + BLOCK_STATUS_OFFSET) & TP_STATUS_USER) == 0)
            {
                break;
            }
            frames += ring.getInt(base + BLOCK_NUM_PKTS_OFFSET);
            blockOffset = base;
            releaseBlock();
        }
        return frames;
    }

    /**
     * Reads up to {@code limit} frames from the ring. See {@link io.flowstack.core.driver.NetworkDriver#receive}.
     *
     * @param pool      pool of the calling core.
     * @param handler   gets each frame.
     * @param limit     maximum frames.
     * @param ifIndex   interface index stamped on the frames.
     * @return frames handed to the handler.
     */
    int receive(final BufferPool pool, final FrameHandler handler, final int limit, final int ifIndex)
    {
        if (closed || failure != 0)
        {
            return 0;
        }
        int frames = 0;
        while (frames < limit)
        {
            if (packetsLeft == 0 && !nextBlock())
            {
                break;
            }
            final int hdr = packetOffset;
            final int status = ring.getInt(hdr + TP3_STATUS_OFFSET);
            final int snapLength = ring.getInt(hdr + TP3_SNAPLEN_OFFSET);
            final int mac = hdr + (ring.getShort(hdr + TP3_MAC_OFFSET) & 0xFFFF);
            if (!ignoreOutgoing && ring.getByte(hdr + TP3_SOCKADDR_OFFSET + SLL_PKTTYPE_OFFSET) == PACKET_OUTGOING)
            {
                rxOutgoing++;
            }
            else if (snapLength < ring.getInt(hdr + TP3_LEN_OFFSET) || (status & TP_STATUS_COPY) != 0)
            {
                rxTruncated++;
            }
            else
            {
                final PacketBuffer buffer = pool.acquire();
                if (buffer == null)
                {
                    // Leave the frame (and its block) in the ring for the next call, as a TAP leaves it queued.
                    rxPoolEmpty++;
                    break;
                }
                final int offset = buffer.offset();
                if (snapLength > buffer.capacity() - offset)
                {
                    rxTooBig++;
                    buffer.release();
                }
                else
                {
                    buffer.buffer().putBytes(offset, ring, mac, snapLength);
                    buffer.window(offset, snapLength).ifIndex(ifIndex);
                    if (vnetHeader && !readHeader(buffer, mac - VNET_HDR_SIZE))
                    {
                        rxBadHeaders++;
                        buffer.release();
                        nextPacket();
                        continue;
                    }
                    final int hash = ring.getInt(hdr + TP3_RXHASH_OFFSET);
                    if (hash != 0)
                    {
                        rxHashed++;
                        lastRxHash = hash;
                    }
                    rxFrames++;
                    rxBytes += snapLength;
                    frames++;
                    nextPacket();
                    handler.onFrame(buffer);
                    continue;
                }
            }
            nextPacket();
        }
        return frames;
    }

    /**
     * A frame from a local sender (a veth peer, or our own host) may carry only the pseudo-header sum in its
     * transport checksum: the kernel leaves the rest to the device (CHECKSUM_PARTIAL), and the virtio_net_hdr
     * says where (NEEDS_CSUM, csum_start, csum_offset); it may also be a TCP segment of up to 64 KB (GSO, or GRO on
     * the interface). With offloads the stack gets that as the frame's metadata; without, the checksum is finished
     * here as skb_checksum_help() does, and a large segment is an ordinary large frame.
     *
     * @return false if the header contradicts the frame.
     */
    private boolean readHeader(final PacketBuffer buffer, final int vnet)
    {
        if (!VirtioNetHeader.decode(ring, vnet, buffer))
        {
            return false;
        }
        if (buffer.gsoType() != PacketBuffer.GSO_NONE)
        {
            rxGsoFrames++;
        }
        if (buffer.checksumState() == PacketBuffer.CHECKSUM_PARTIAL && !offloads)
        {
            VirtioNetHeader.completeChecksum(buffer);
            rxChecksumsCompleted++;
        }
        if (!offloads)
        {
            buffer.clearOffloads();
        }
        return true;
    }

    private boolean nextBlock()
    {
        final int base = block * blockSize;
        // Acquire: the kernel writes the frames, then the status (packet_mmap.rst: a memory barrier before
        // reading the frames).
        if ((ring.getIntVolatile(base + BLOCK_STATUS_OFFSET) & TP_STATUS_USER) == 0)
        {
            idle();
            return false;
        }
        if (linkDown)
        {
            linkUp("frames arrive");
        }
        emptyPolls = 0;
        blockOffset = base;
        packetsLeft = ring.getInt(base + BLOCK_NUM_PKTS_OFFSET);
        packetOffset = base + ring.getInt(base + BLOCK_OFFSET_TO_FIRST_PKT_OFFSET);
        rxBlocks++;
        if (packetsLeft == 0)
        {
            releaseBlock();
            return nextBlock();
        }
        return true;
    }

    private void nextPacket()
    {
        packetOffset += ring.getInt(packetOffset + TP3_NEXT_OFFSET);
        if (--packetsLeft == 0)
        {
            releaseBlock();
        }
    }

    private void releaseBlock()
    {
        packetsLeft = 0;
        // Release store: every read of the block's frames happens before the kernel may refill it.
        ring.putIntOrdered(blockOffset + BLOCK_STATUS_OFFSET, TP_STATUS_KERNEL);
        block = block + 1 == blockCount ? 0 : block + 1;
    }

    /**
     * Nothing in the ring. A down interface makes the kernel unhook the socket and set ENETDOWN as its pending
     * error (net/packet/af_packet.c, packet_notifier): poll then reports POLLERR until the error is read, which
     * would keep an epoll-blocked core spinning, so the error is read here every few empty polls. While down, the
     * interface is probed with backoff (10 ms doubling to 1 s; {@link #nextDeadline()} wakes the core for it) to
     * notice its return without traffic; the kernel re-hooks the socket (and its fanout membership) by itself
     * when the interface comes up. A deleted interface (its own deletion, or its namespace's, which deletes a
     * veth pair) shows first exactly like a down one, ENETDOWN (measured on 6.18: read and SO_ERROR give
     * ENETDOWN once, then sends fail with ENXIO); the probe tells the two apart: the index is gone from the
     * namespace (SIOCGIFNAME by index: ENODEV). So the "went down" line waits for the first probe, and a deleted
     * interface gets no such line, only {@link #failure()}.
     */
    private void idle()
    {
        if (linkDown)
        {
            final long now = System.nanoTime();
            if (now - nextProbeNs >= 0)
            {
                probeLink(now);
            }
        }
        else if ((++emptyPolls & ERROR_CHECK_MASK) == 0)
        {
            checkSocketError();
        }
    }

    private void checkSocketError()
    {
        scratch.putInt(0, 0);
        scratch.putInt(8, 4);
        if (libc.getsockopt(fd, SOL_SOCKET, SO_ERROR, scratch.addressOffset(), scratch.addressOffset() + 8) == 0)
        {
            final int err = scratch.getInt(0);
            if (err == ENETDOWN)
            {
                linkDown("ENETDOWN");
            }
            else if (err != 0)
            {
                errors++;
                lastErrno = err;
            }
        }
    }

    private void probeLink(final long now)
    {
        checkSocketError();
        indexReq.clear().intValue(kernelIfIndex);
        if (libc.ioctl(fd, SIOCGIFNAME, indexReq.address()) < 0)
        {
            final int errno = Native.errno();
            if (errno == ENODEV || errno == ENXIO)
            {
                // Interface indexes are not reused within a namespace (allocated cyclically): this one is gone.
                failure = errno;
                errors++;
                lastErrno = errno;
                return;
            }
        }
        if (libc.ioctl(fd, SIOCGIFFLAGS, ifReq.address()) == 0
            && (ifReq.flags() & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING))
        {
            linkUp("interface flags UP, RUNNING");
            return;
        }
        if (!downAnnounced)
        {
            downAnnounced = true;
            if (member == 0 && linkListener != null)
            {
                linkListener.onLinkChange(ifName, false, downDetail);
            }
        }
        probeIntervalNs = Math.min(MAX_PROBE_NS, probeIntervalNs * 2);
        nextProbeNs = now + probeIntervalNs;
    }

    /**
     * Records that the interface is down (from the pending socket error or a failed send); the listener hears of
     * it at the first probe, unless that finds the interface deleted.
     *
     * @param detail how it was noticed.
     */
    void linkDown(final String detail)
    {
        if (!linkDown && failure == 0)
        {
            linkDown = true;
            downAnnounced = false;
            downDetail = detail;
            linkDownEvents++;
            probeIntervalNs = FIRST_PROBE_NS;
            nextProbeNs = System.nanoTime() + FIRST_PROBE_NS;
        }
    }

    private void linkUp(final String detail)
    {
        linkDown = false;
        emptyPolls = 0;
        if (downAnnounced && member == 0 && linkListener != null)
        {
            linkListener.onLinkChange(ifName, true, detail);
        }
        downAnnounced = false;
    }

    /**
     * @return 0, or once the interface is found deleted, the errno of the probe that found it (ENODEV).
     */
    int failure()
    {
        return failure;
    }

    /**
     * @return when the next probe of a down interface is due ({@link System#nanoTime()}), or
     *         {@link Long#MAX_VALUE} while the interface is up or once it is gone.
     */
    long nextProbe()
    {
        return linkDown && failure == 0 ? nextProbeNs : Long.MAX_VALUE;
    }

    /**
     * Reads and resets the kernel's counters for this socket ({@code struct tpacket_stats_v3}).
     *
     * @return {packets, drops, freeze_q_cnt} since the last read.
     * @throws ErrnoException when the kernel refuses.
     */
    long[] kernelStatistics() throws ErrnoException
    {
        scratch.setMemory(0, 16, (byte)0);
        scratch.putInt(16, 12);
        Native.check(libc.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, scratch.addressOffset(),
            scratch.addressOffset() + 16), "PACKET_STATISTICS");
        return new long[] {scratch.getInt(0) & 0xFFFF_FFFFL, scratch.getInt(4) & 0xFFFF_FFFFL,
            scratch.getInt(8) & 0xFFFF_FFFFL};
    }

    int fd()
    {
        return closed ? -1 : fd;
    }

    int member()
    {
        return member;
    }

    boolean ignoresOutgoingInKernel()
    {
        return ignoreOutgoing;
    }

    boolean isLinkDown()
    {
        return linkDown;
    }

    long linkDownEvents()
    {
        return linkDownEvents;
    }

    long rxFrames()
    {
        return rxFrames;
    }

    long rxBytes()
    {
        return rxBytes;
    }

    long rxBlocks()
    {
        return rxBlocks;
    }

    long rxPoolEmpty()
    {
        return rxPoolEmpty;
    }

    long rxTooBig()
    {
        return rxTooBig;
    }

    long rxTruncated()
    {
        return rxTruncated;
    }

    long rxOutgoing()
    {
        return rxOutgoing;
    }

    long rxChecksumsCompleted()
    {
        return rxChecksumsCompleted;
    }

    long rxGsoFrames()
    {
        return rxGsoFrames;
    }

    long rxBadHeaders()
    {
        return rxBadHeaders;
    }

    long rxHashed()
    {
        return rxHashed;
    }

    int lastRxHash()
    {
        return lastRxHash;
    }

    long errors()
    {
        return errors;
    }

    int lastErrno()
    {
        return lastErrno;
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * Unmaps the ring and closes the socket. Idempotent. The reading core must have stopped.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        libc.munmap(ringAddress, ringLength);
        libc.close(fd);
    }

    @Override
    public String toString()
    {
        return "PacketSocket{" + ifName + "#" + member + ", fd=" + fd + ", ring=" + blockCount + "x" + blockSize
            + ", rx=" + rxFrames + ", blocks=" + rxBlocks + ", linkDown=" + linkDown + "}";
    }
}
