package io.flowstack.tap;

import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.driver.SteeringRefusedException;
import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.tap.bpf.BpfException;
import io.flowstack.tap.steer.EbpfSteering;
import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.tap.sys.ErrnoException;
import io.flowstack.tap.sys.IfReq;
import io.flowstack.tap.sys.LibC;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.sys.Native;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.util.Arrays;

/**
 * A Linux TAP device opened through /dev/net/tun: one non-blocking descriptor per queue, no packet-information
 * header, frames are plain Ethernet, or with offloads each preceded by a {@code virtio_net_hdr}
 * ({@code IFF_VNET_HDR}; Documentation/networking/tuntap.rst): the kernel then hands us TCP segments of up to
 * 64 KB with partial checksums and takes the same from us, cutting or delivering them as they are.
 * <p>
 * The device is created in the network namespace of the opening thread and, not being persistent, is
 * deleted when its last queue is closed. It may be moved to another namespace afterwards; the descriptors keep
 * working, but lookups by name ({@link #setMtu(int)}) only work in the namespace the device is in, which is why
 * the MTU is read and cached at open.
 * <p>
 * The kernel side of the TAP has its own MAC address ({@link #kernelMacAddress()}); a stack on our side needs a
 * different one, see {@link MacAddresses#randomLocalUnicastDistinctFrom(long)}.
 * <p>
 * Steering: a multi-queue TAP learns a flow's queue from our transmissions ({@link Steering#LEARNED}) until
 * {@link #steerByOwner} attaches a program generated from the stack's ownership function
 * ({@code TUNSETSTEERINGEBPF}); the kernel then runs it for every frame it sends us and puts the frame on the queue
 * of its owner core ({@link Steering#EXACT}).
 */
public final class TapDevice implements NetworkDevice
{
    /** The kernel's limit on queues of a multi-queue TAP. */
    public static final int MAX_QUEUES = 256;
    private static final String CLONE_DEVICE = "/dev/net/tun";

    private final String name;
    private final int[] fds;
    private final long kernelMac;
    private final boolean vnetHeader;
    private final Offloads offloads;
    private volatile int mtu;
    private volatile EbpfSteering ownerSteering;

    private TapDevice(final String name, final int[] fds, final long kernelMac, final int mtu, final Offloads offloads)
    {
        this.name = name;
        this.fds = fds;
        this.kernelMac = kernelMac;
        this.mtu = mtu;
        this.offloads = offloads;
        this.vnetHeader = offloads != Offloads.NONE;
    }

    /**
     * Opens (creating if needed) a single-queue TAP.
     *
     * @param name interface name of at most 15 characters, or "" to let the kernel choose ("tapN").
     * @return the device.
     * @throws IOException when /dev/net/tun cannot be opened or the name is taken by a busy TAP or a
     *                     device of another kind.
     */
    public static TapDevice open(final String name) throws IOException
    {
        return open(name, 1);
    }

    /**
     * Opens (creating if needed) a TAP with {@code queues} queues. More than one queue makes it a multi-queue
     * device ({@code IFF_MULTI_QUEUE}) with one descriptor per queue.
     *
     * @param name   interface name of at most 15 characters, or "" to let the kernel choose ("tapN").
     * @param queues number of queues, 1 to {@value #MAX_QUEUES}.
     * @return the device.
     * @throws IOException when /dev/net/tun cannot be opened or the name is taken by a busy TAP or a
     *                     device of another kind.
     */
    public static TapDevice open(final String name, final int queues) throws IOException
    {
        return open(name, queues, false);
    }

    /**
     * Opens (creating if needed) a TAP with {@code queues} queues, with or without offloads. With offloads every
     * frame carries a virtio-net header ({@code IFF_VNET_HDR}, {@code TUNSETVNETHDRSZ} 10) and the kernel is told
     * we take partial checksums and TCP segmentation frames ({@code TUNSETOFFLOAD} CSUM, TSO4, TSO6, TSO_ECN), so
     * it sends us segments of up to 64 KB; what we send may be as large (see {@link Offloads#VIRTIO_NET}). Where
     * the kernel has UDP segmentation (TUN_F_USO4/6), UDP segmentation frames are accepted too.
     *
     * @param name     interface name of at most 15 characters, or "" to let the kernel choose ("tapN").
     * @param queues   number of queues, 1 to {@value #MAX_QUEUES}.
     * @param offloads true for the virtio-net header and its offloads.
     * @return the device.
     * @throws IOException when /dev/net/tun cannot be opened, the name is taken by a busy TAP or a device of
     *                     another kind, or the kernel refuses the offloads.
     */
    public static TapDevice open(final String name, final int queues, final boolean offloads) throws IOException
    {
        if (queues < 1 || queues > MAX_QUEUES)
        {
            throw new IllegalArgumentException("queues must be 1.." + MAX_QUEUES + ", was " + queues);
        }
        final LibC libc = Native.LIBC;
        final IfReq ifr = new IfReq();
        ifr.clear().name(name == null ? "" : name);
        final String label = name == null || name.isEmpty() ? "(kernel-chosen)" : name;
        final short flags = (short)(Linux.IFF_TAP | Linux.IFF_NO_PI | (queues > 1 ? Linux.IFF_MULTI_QUEUE : 0)
            | (offloads ? Linux.IFF_VNET_HDR : 0));
        final int[] fds = new int[queues];
        Arrays.fill(fds, -1);
        boolean ok = false;
        try
        {
            String actual = null;
            for (int q = 0; q < queues; q++)
            {
                final int fd = libc.open(CLONE_DEVICE, Linux.O_RDWR | Linux.O_NONBLOCK | Linux.O_CLOEXEC);
                Native.check(fd, "open " + CLONE_DEVICE);
                fds[q] = fd;
                // Later queues attach to the name the kernel gave the first.
                ifr.clear().name(actual == null ? (name == null ? "" : name) : actual).flags(flags);
                if (libc.ioctl(fd, Linux.TUNSETIFF, ifr.address()) < 0)
                {
                    final int errno = Native.errno();
                    throw new ErrnoException("TUNSETIFF " + label + " queue " + q + explain(errno, queues), errno);
                }
                actual = ifr.name();
            }
            // A tun fd answers SIOCGIFHWADDR for its own device, in whatever namespace the device is.
            ifr.clear();
            Native.check(libc.ioctl(fds[0], Linux.SIOCGIFHWADDR, ifr.address()), "SIOCGIFHWADDR " + actual);
            final long mac = ifr.hardwareAddress();
            final int mtu = readMtu(actual);
            final Offloads granted = offloads ? enableOffloads(fds[0], actual) : Offloads.NONE;
            ok = true;
            return new TapDevice(actual, fds, mac, mtu, granted);
        }
        finally
        {
            if (!ok)
            {
                for (final int fd : fds)
                {
                    Native.closeQuietly(fd);
                }
            }
        }
    }

    private static String explain(final int errno, final int queues)
    {
        if (errno == Linux.EBUSY)
        {
            return queues > 1 ? " (name in use by a device without enough free queues or without multi-queue)"
                : " (name in use by an open TAP)";
        }
        if (errno == Linux.EINVAL)
        {
            return " (name in use by a device that is not a TAP, or multi-queue flag mismatch)";
        }
        return "";
    }

    /**
     * The header size and the offloads are the device's (every queue's), so one descriptor sets them. UDP
     * segmentation frames are asked for too where the kernel has them (Linux 6.2: TUN_F_USO4/6; older kernels
     * refuse the bits with EINVAL, and we ask again without).
     */
    private static Offloads enableOffloads(final int fd, final String ifName) throws IOException
    {
        final LibC libc = Native.LIBC;
        final IfReq arg = new IfReq().clear().intValue(VirtioNetHeader.LENGTH);
        // TUNSETVNETHDRSZ reads an int at its argument: the ifreq's int field will do.
        Native.check(libc.ioctl(fd, Linux.TUNSETVNETHDRSZ, arg.address() + IfReq.UNION_OFFSET),
            "TUNSETVNETHDRSZ " + ifName);
        final int tcp = Linux.TUN_F_CSUM | Linux.TUN_F_TSO4 | Linux.TUN_F_TSO6 | Linux.TUN_F_TSO_ECN;
        if (libc.ioctl(fd, Linux.TUNSETOFFLOAD, tcp | Linux.TUN_F_USO4 | Linux.TUN_F_USO6) == 0)
        {
            return Offloads.VIRTIO_NET.with(Offloads.RX_LARGE_UDP4).with(Offloads.TX_TCP6_SEGMENTATION)
                .with(Offloads.TX_GATHER);
        }
        Native.check(libc.ioctl(fd, Linux.TUNSETOFFLOAD, tcp), "TUNSETOFFLOAD " + ifName);
        // A virtio-net header takes TCPV6 segments too (the kernel's virtio_net_hdr_to_skb cuts either family).
        return Offloads.VIRTIO_NET.with(Offloads.TX_TCP6_SEGMENTATION).with(Offloads.TX_GATHER);
    }

    private static int readMtu(final String ifName) throws IOException
    {
        final LibC libc = Native.LIBC;
        final int sock = Native.check(libc.socket(Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0),
            "socket(AF_INET)");
        try
        {
            final IfReq ifr = new IfReq().clear().name(ifName);
            Native.check(libc.ioctl(sock, Linux.SIOCGIFMTU, ifr.address()), "SIOCGIFMTU " + ifName);
            return ifr.intValue();
        }
        finally
        {
            libc.close(sock);
        }
    }

    /**
     * @return the interface name the kernel gave the device.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return number of queues (descriptors).
     */
    public int queues()
    {
        return fds.length;
    }

    /**
     * @return true when opened with more than one queue.
     */
    public boolean isMultiQueue()
    {
        return fds.length > 1;
    }

    /**
     * @param queue queue index.
     * @return the queue's non-blocking descriptor, or -1 once that queue is closed.
     */
    public int queueFd(final int queue)
    {
        synchronized (fds)
        {
            return fds[queue];
        }
    }

    /**
     * @return the kernel side's MAC address (low 48 bits), as read at open.
     */
    public long kernelMacAddress()
    {
        return kernelMac;
    }

    /**
     * @return the device MTU as read at open or last set through {@link #setMtu(int)}.
     */
    public int mtu()
    {
        return mtu;
    }

    /**
     * Sets the device MTU. Looks the device up by name, so it works only while the device is in the calling
     * thread's network namespace (before it is moved).
     *
     * @param newMtu the MTU.
     * @throws IOException when the kernel refuses.
     */
    public void setMtu(final int newMtu) throws IOException
    {
        final LibC libc = Native.LIBC;
        final int sock = Native.check(libc.socket(Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0),
            "socket(AF_INET)");
        try
        {
            final IfReq ifr = new IfReq().clear().name(name).intValue(newMtu);
            Native.check(libc.ioctl(sock, Linux.SIOCSIFMTU, ifr.address()), "SIOCSIFMTU " + name + " " + newMtu);
            mtu = newMtu;
        }
        finally
        {
            libc.close(sock);
        }
    }

    /**
     * Creates a driver for one queue. Closing the driver closes that queue's descriptor.
     *
     * @param queue      queue index.
     * @param ifIndex    interface index the driver stamps on received frames.
     * @param mac        our side's MAC address (not the kernel's).
     * @return the driver; {@link Steering#EXACT} with a steering program, {@link Steering#LEARNED} for a
     *         multi-queue device without one, {@link Steering#NONE} otherwise.
     */
    @Override
    public NetworkDriver open(final int queue, final int ifIndex, final long mac)
    {
        final int fd = queueFd(queue);
        if (fd < 0)
        {
            throw new IllegalStateException("queue " + queue + " of " + name + " is closed");
        }
        return new TapDriver(null, -1, fd, ifIndex, mac, mtu, steering(), offloads);
    }

    /**
     * @return {@link Offloads#VIRTIO_NET} (with {@link Offloads#RX_LARGE_UDP4} where the kernel has UDP
     *         segmentation) when opened with offloads, {@link Offloads#NONE} otherwise.
     */
    @Override
    public Offloads offloads()
    {
        return offloads;
    }

    @Override
    public Steering steering()
    {
        return ownerSteering != null ? Steering.EXACT : isMultiQueue() ? Steering.LEARNED : Steering.NONE;
    }

    /**
     * Attaches an extended BPF program that gives every frame the queue of its owner: queue i for core i. Needs a
     * queue per core and the right to load BPF programs (CAP_BPF or CAP_SYS_ADMIN where unprivileged BPF is off).
     *
     * @return the steering, or null with fewer queues than cores (the TAP keeps learning).
     * @throws SteeringRefusedException when the kernel refuses the program or the attachment.
     */
    @Override
    public synchronized OwnerSteering steerByOwner(final FlowOwnership ownership, final int ifIndex)
        throws SteeringRefusedException
    {
        if (ownerSteering != null || fds.length < ownership.cores() || fds.length < 2)
        {
            return null;
        }
        final EbpfSteering steering;
        try
        {
            steering = EbpfSteering.load(ownership, ifIndex, "TUNSETSTEERINGEBPF on " + name);
        }
        catch (final BpfException e)
        {
            throw new SteeringRefusedException("TAP " + name + ": the kernel refused the steering program ("
                + e.getMessage() + "); steering stays learned", e);
        }
        if (!setSteeringProgram(steering.programFd()))
        {
            final int errno = Native.errno();
            steering.close();
            throw new SteeringRefusedException("TAP " + name + ": TUNSETSTEERINGEBPF refused ("
                + Native.describe(errno) + "); steering stays learned", null);
        }
        steering.onClose(() -> setSteeringProgram(-1));
        ownerSteering = steering;
        return steering;
    }

    /** TUNSETSTEERINGEBPF takes a pointer to the program's descriptor, or to -1 to detach. */
    private boolean setSteeringProgram(final int programFd)
    {
        final int fd = firstOpenQueue();
        if (fd < 0)
        {
            return false;
        }
        final UnsafeBuffer arg = new UnsafeBuffer(BufferUtil.allocateDirectAligned(8, 8));
        arg.putInt(0, programFd);
        return Native.LIBC.ioctl(fd, Linux.TUNSETSTEERINGEBPF, arg.addressOffset()) >= 0;
    }

    private int firstOpenQueue()
    {
        synchronized (fds)
        {
            for (final int fd : fds)
            {
                if (fd >= 0)
                {
                    return fd;
                }
            }
            return -1;
        }
    }

    @Override
    public String describe()
    {
        final EbpfSteering steering = ownerSteering;
        return "TAP " + name + (isMultiQueue() ? " (" + queues() + " queues, steering "
            + (steering != null ? "exact: " + steering.describe() : "learned") + ")" : "")
            + (vnetHeader ? " with offloads" : "");
    }

    /**
     * A driver that owns its queue: closing it closes the queue.
     *
     * @param queue    queue index.
     * @param ifIndex  interface index for received frames.
     * @param stackMac the stack's MAC.
     * @return the driver.
     */
    public TapDriver driver(final int queue, final int ifIndex, final long stackMac)
    {
        final int fd = queueFd(queue);
        if (fd < 0)
        {
            throw new IllegalStateException("queue " + queue + " of " + name + " is closed");
        }
        return new TapDriver(this, queue, fd, ifIndex, stackMac, mtu, steering(), offloads);
    }

    /**
     * Closes one queue's descriptor. Idempotent. The device disappears when its last queue is closed.
     *
     * @param queue queue index.
     */
    public void closeQueue(final int queue)
    {
        final int fd;
        synchronized (fds)
        {
            fd = fds[queue];
            fds[queue] = -1;
        }
        Native.closeQuietly(fd);
    }

    /**
     * Closes every queue; a non-persistent device is then deleted by the kernel. Idempotent.
     */
    @Override
    public void close()
    {
        final EbpfSteering steering = ownerSteering;
        if (steering != null)
        {
            steering.close();
        }
        for (int q = 0; q < fds.length; q++)
        {
            closeQueue(q);
        }
    }

    @Override
    public String toString()
    {
        return "TapDevice{" + name + ", queues=" + fds.length + ", kernelMac=" + MacAddresses.toString(kernelMac)
            + ", mtu=" + mtu + ", offloads=" + offloads() + "}";
    }
}
