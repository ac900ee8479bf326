package io.flowstack.tap.sys;

/**
 * Linux ABI constants for x86_64 and aarch64, checked against linux/if_tun.h, linux/sockios.h,
 * bits/fcntl-linux.h, bits/epoll.h, bits/eventfd.h and asm-generic/errno*.h.
 */
public final class Linux
{
    /** open(2): read only. */
    public static final int O_RDONLY = 0;
    /** open(2): read and write. */
    public static final int O_RDWR = 2;
    /** open(2): non-blocking (octal 04000). */
    public static final int O_NONBLOCK = 0x800;
    /** open(2): close on exec (octal 02000000). */
    public static final int O_CLOEXEC = 0x80000;

    /** _IOW('T', 202, int): attach a tun fd to a named device, creating it if needed. */
    public static final long TUNSETIFF = 0x400454caL;
    /** _IOW('T', 203, int): keep the device after its last fd closes. */
    public static final long TUNSETPERSIST = 0x400454cbL;
    /** _IOW('T', 217, int): attach or detach a queue of a multi-queue device. */
    public static final long TUNSETQUEUE = 0x400454d9L;
    /** _IOR('T', 224, int): attach the eBPF program whose descriptor the argument points to (-1 detaches). */
    public static final long TUNSETSTEERINGEBPF = 0x800454e0L;
    /** TUNSETIFF flag: Ethernet frames (TAP). */
    public static final short IFF_TAP = 0x0002;
    /** TUNSETIFF flag: no 4-byte packet information header in front of each frame. */
    public static final short IFF_NO_PI = 0x1000;
    /** TUNSETIFF flag: one fd per queue. */
    public static final short IFF_MULTI_QUEUE = 0x0100;
    /** TUNSETQUEUE flag: enable this fd's queue. */
    public static final short IFF_ATTACH_QUEUE = 0x0200;
    /** TUNSETQUEUE flag: disable this fd's queue. */
    public static final short IFF_DETACH_QUEUE = 0x0400;

    /** TUNSETIFF flag: a struct virtio_net_hdr in front of every frame, both ways. */
    public static final short IFF_VNET_HDR = 0x4000;
    /** _IOW('T', 208, unsigned int): the offloads the reader accepts (the argument is the value, TUN_F_*). */
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    /** _IOW('T', 216, int): size of the virtio-net header in front of each frame. */
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** TUNSETOFFLOAD: we accept partial checksums. */
    public static final int TUN_F_CSUM = 0x01;
    /** TUNSETOFFLOAD: we accept TCP/IPv4 segmentation frames. */
    public static final int TUN_F_TSO4 = 0x02;
    /** TUNSETOFFLOAD: we accept TCP/IPv6 segmentation frames. */
    public static final int TUN_F_TSO6 = 0x04;
    /** TUNSETOFFLOAD: we accept segmentation frames with ECN bits. */
    public static final int TUN_F_TSO_ECN = 0x08;
    /** TUNSETOFFLOAD: we accept UDP/IPv4 segmentation frames (Linux 6.2 and later). */
    public static final int TUN_F_USO4 = 0x20;
    /** TUNSETOFFLOAD: we accept UDP/IPv6 segmentation frames (Linux 6.2 and later). */
    public static final int TUN_F_USO6 = 0x40;

    /** ioctl: get the MTU of the interface named in the ifreq. */
    public static final long SIOCGIFMTU = 0x8921L;
    /** ioctl: set the MTU of the interface named in the ifreq. */
    public static final long SIOCSIFMTU = 0x8922L;
    /** ioctl: get the hardware address (also answered by a tun fd for its own device). */
    public static final long SIOCGIFHWADDR = 0x8927L;

    /** socket(2): IPv4. */
    public static final int AF_INET = 2;
    /** socket(2): datagram socket. */
    public static final int SOCK_DGRAM = 2;
    /** socket(2): close on exec. */
    public static final int SOCK_CLOEXEC = 0x80000;

    /** epoll_create1(2): close on exec. */
    public static final int EPOLL_CLOEXEC = 0x80000;
    /** epoll_ctl(2): add a descriptor. */
    public static final int EPOLL_CTL_ADD = 1;
    /** epoll_ctl(2): remove a descriptor. */
    public static final int EPOLL_CTL_DEL = 2;
    /** epoll event: readable. */
    public static final int EPOLLIN = 0x001;

    /** eventfd(2): non-blocking. */
    public static final int EFD_NONBLOCK = 0x800;
    /** eventfd(2): close on exec. */
    public static final int EFD_CLOEXEC = 0x80000;

    /** setns(2): a network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;

    /** fcntl(2): get file status flags. */
    public static final int F_GETFL = 3;
    /** fcntl(2): set file status flags. */
    public static final int F_SETFL = 4;

    /** errno: interrupted system call. */
    public static final int EINTR = 4;
    /** errno: I/O error (a TAP written while its kernel side is down). */
    public static final int EIO = 5;
    /** errno: bad file descriptor. */
    public static final int EBADF = 9;
    /** errno: try again (would block). */
    public static final int EAGAIN = 11;
    /** errno: device or resource busy. */
    public static final int EBUSY = 16;
    /** errno: invalid argument. */
    public static final int EINVAL = 22;
    /** errno: file descriptor in bad state (a TAP queue whose device is gone). */
    public static final int EBADFD = 77;
    /** errno: no buffer space available. */
    public static final int ENOBUFS = 105;

    /** Longest interface name, terminating NUL included. */
    public static final int IFNAMSIZ = 16;

    private Linux()
    {
    }
}
