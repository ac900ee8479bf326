package io.flowstack.tap.packet;

/**
 * Linux ABI for AF_PACKET sockets with memory-mapped rings, for x86_64 and aarch64: constants and structure
 * offsets checked against linux/if_packet.h, linux/filter.h, linux/virtio_net.h, asm-generic/socket.h,
 * asm-generic/errno*.h, bits/mman-linux.h and linux/sockios.h (kernel 6.18 headers). Offsets are into the
 * structures as the kernel lays them out in the ring, in the machine's byte order (little-endian on both).
 * <p>
 * See packet(7) and Documentation/networking/packet_mmap.rst for how the pieces fit together.
 */
public final class PacketAbi
{
    /** socket(2): packet sockets. */
    public static final int AF_PACKET = 17;
    /** socket(2): raw packets with their link-level header. */
    public static final int SOCK_RAW = 3;
    /** socket(2): non-blocking. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** socket(2): close on exec. */
    public static final int SOCK_CLOEXEC = 0x80000;
    /** linux/if_ether.h: every protocol; goes into {@code sll_protocol} in network byte order. */
    public static final int ETH_P_ALL = 0x0003;

    /** setsockopt level of packet sockets. */
    public static final int SOL_PACKET = 263;
    /** setsockopt level of the socket layer. */
    public static final int SOL_SOCKET = 1;
    /** SOL_PACKET: join a multicast/promiscuous/unicast address ({@code struct packet_mreq}). */
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    /** SOL_PACKET: receive ring ({@code struct tpacket_req3} for V3). */
    public static final int PACKET_RX_RING = 5;
    /** SOL_PACKET: read (and reset) {@code struct tpacket_stats_v3}. */
    public static final int PACKET_STATISTICS = 6;
    /** SOL_PACKET: ring frame format, one of the TPACKET_V* values. */
    public static final int PACKET_VERSION = 10;
    /** SOL_PACKET: transmit ring (not used: see {@link RawSocketDriver} for why sendmmsg). */
    public static final int PACKET_TX_RING = 13;
    /** SOL_PACKET: a {@code struct virtio_net_hdr} in front of every frame, both directions. */
    public static final int PACKET_VNET_HDR = 15;
    /** SOL_PACKET: join a fanout group: {@code id | (mode | flags) << 16}. */
    public static final int PACKET_FANOUT = 18;
    /** SOL_PACKET: transmit straight to the driver, skipping the qdisc layer (and the other packet taps). */
    public static final int PACKET_QDISC_BYPASS = 20;
    /** SOL_PACKET: do not deliver frames that leave through the device (ours or anyone's) to this socket. */
    public static final int PACKET_IGNORE_OUTGOING = 23;
    /** Ring frame format version 3: variable-size frames packed into blocks. */
    public static final int TPACKET_V3 = 2;

    /** Fanout mode: the kernel's symmetric flow hash, scaled to the number of members. */
    public static final int PACKET_FANOUT_HASH = 0;
    /** Fanout mode: round robin. */
    public static final int PACKET_FANOUT_LB = 1;
    /** Fanout mode: the CPU the kernel processed the frame on. */
    public static final int PACKET_FANOUT_CPU = 2;
    /** Fanout mode: fill one socket, then the next. */
    public static final int PACKET_FANOUT_ROLLOVER = 3;
    /** Fanout mode: random. */
    public static final int PACKET_FANOUT_RND = 4;
    /** Fanout mode: the frame's recorded receive queue. */
    public static final int PACKET_FANOUT_QM = 5;
    /** Fanout mode: a classic BPF program returns the member ({@link #PACKET_FANOUT_DATA} sets it). */
    public static final int PACKET_FANOUT_CBPF = 6;
    /** Fanout mode: an extended BPF socket-filter program returns the member ({@link #PACKET_FANOUT_DATA} sets it). */
    public static final int PACKET_FANOUT_EBPF = 7;
    /** SOL_PACKET: the group's program: a {@code struct sock_fprog} (CBPF) or a program descriptor (EBPF). */
    public static final int PACKET_FANOUT_DATA = 22;
    /** Fanout flag: the kernel picks an unused group id (first member only; later members join by id). */
    public static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;

    /** SOL_PACKET membership type: an extra unicast address for the device's filter. */
    public static final int PACKET_MR_UNICAST = 3;
    /** sll_pkttype: a frame leaving through the device. */
    public static final int PACKET_OUTGOING = 4;

    /** SOL_SOCKET: read and clear the pending socket error. */
    public static final int SO_ERROR = 4;
    /** SOL_SOCKET: attach a classic BPF program ({@code struct sock_fprog}). */
    public static final int SO_ATTACH_FILTER = 26;
    /** SOL_SOCKET: remove the attached filter. */
    public static final int SO_DETACH_FILTER = 27;
    /** Classic BPF opcode {@code BPF_RET | BPF_K}: return the constant k (bytes to keep; 0 drops). */
    public static final short BPF_RET_K = 0x06;

    /** mmap(2): readable. */
    public static final int PROT_READ = 0x1;
    /** mmap(2): writable. */
    public static final int PROT_WRITE = 0x2;
    /** mmap(2): shared with the kernel. */
    public static final int MAP_SHARED = 0x01;
    /** mmap(2): prefault the page tables now rather than on first touch in the hot path. */
    public static final int MAP_POPULATE = 0x08000;
    /** mmap(2) result on failure, {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;
    /** send flags: do not block. */
    public static final int MSG_DONTWAIT = 0x40;

    /** ioctl: interface flags by name (answered for the socket's namespace). */
    public static final long SIOCGIFFLAGS = 0x8913L;
    /** ioctl: interface name by index ({@code ifr_ifindex}); ENODEV once the index is gone from the namespace. */
    public static final long SIOCGIFNAME = 0x8910L;
    /** ifr_flags: administratively up. */
    public static final int IFF_UP = 0x1;
    /** ifr_flags: operationally up (carrier). */
    public static final int IFF_RUNNING = 0x40;

    /** errno: operation not permitted. */
    public static final int EPERM = 1;
    /** errno: no such device or address. */
    public static final int ENXIO = 6;
    /** errno: permission denied. */
    public static final int EACCES = 13;
    /** errno: no such device. */
    public static final int ENODEV = 19;
    /** errno: message too long (frame above the device MTU). */
    public static final int EMSGSIZE = 90;
    /** errno: protocol option not available (an older kernel without the option). */
    public static final int ENOPROTOOPT = 92;
    /** errno: the interface is down. */
    public static final int ENETDOWN = 100;

    /** sizeof(struct sockaddr_ll). */
    public static final int SOCKADDR_LL_SIZE = 20;
    /** sockaddr_ll: unsigned short sll_family. */
    public static final int SLL_FAMILY_OFFSET = 0;
    /** sockaddr_ll: __be16 sll_protocol. */
    public static final int SLL_PROTOCOL_OFFSET = 2;
    /** sockaddr_ll: int sll_ifindex. */
    public static final int SLL_IFINDEX_OFFSET = 4;
    /** sockaddr_ll: unsigned char sll_pkttype. */
    public static final int SLL_PKTTYPE_OFFSET = 10;

    /** sizeof(struct packet_mreq). */
    public static final int PACKET_MREQ_SIZE = 16;

    /** sizeof(struct tpacket_req3): seven unsigned ints. */
    public static final int TPACKET_REQ3_SIZE = 28;
    /** tpacket_req3: tp_block_size. */
    public static final int REQ3_BLOCK_SIZE_OFFSET = 0;
    /** tpacket_req3: tp_block_nr. */
    public static final int REQ3_BLOCK_NR_OFFSET = 4;
    /** tpacket_req3: tp_frame_size. */
    public static final int REQ3_FRAME_SIZE_OFFSET = 8;
    /** tpacket_req3: tp_frame_nr. */
    public static final int REQ3_FRAME_NR_OFFSET = 12;
    /** tpacket_req3: tp_retire_blk_tov (ms). */
    public static final int REQ3_RETIRE_BLK_TOV_OFFSET = 16;
    /** tpacket_req3: tp_sizeof_priv. */
    public static final int REQ3_SIZEOF_PRIV_OFFSET = 20;
    /** tpacket_req3: tp_feature_req_word. */
    public static final int REQ3_FEATURE_REQ_WORD_OFFSET = 24;
    /** tp_feature_req_word: fill tpacket3_hdr.hv1.tp_rxhash. */
    public static final int TP_FT_REQ_FILL_RXHASH = 0x1;

    /** struct tpacket_block_desc: __u32 version, __u32 offset_to_priv, then tpacket_hdr_v1 at 8. */
    public static final int BLOCK_HDR_V1_OFFSET = 8;
    /** tpacket_block_desc + hdr.bh1.block_status. */
    public static final int BLOCK_STATUS_OFFSET = BLOCK_HDR_V1_OFFSET;
    /** tpacket_block_desc + hdr.bh1.num_pkts. */
    public static final int BLOCK_NUM_PKTS_OFFSET = BLOCK_HDR_V1_OFFSET + 4;
    /** tpacket_block_desc + hdr.bh1.offset_to_first_pkt (from the block start). */
    public static final int BLOCK_OFFSET_TO_FIRST_PKT_OFFSET = BLOCK_HDR_V1_OFFSET + 8;
    /** tpacket_block_desc + hdr.bh1.blk_len. */
    public static final int BLOCK_LEN_OFFSET = BLOCK_HDR_V1_OFFSET + 12;
    /** tpacket_block_desc + hdr.bh1.seq_num (__aligned_u64). */
    public static final int BLOCK_SEQ_NUM_OFFSET = BLOCK_HDR_V1_OFFSET + 16;

    /** Block and frame status: owned by the kernel. */
    public static final int TP_STATUS_KERNEL = 0;
    /** Block and frame status: owned by user space. */
    public static final int TP_STATUS_USER = 1;
    /** Frame status: the frame was truncated to fit (snaplen below len). */
    public static final int TP_STATUS_COPY = 1 << 1;
    /** Frame status: frames were dropped for lack of ring space since the last statistics read. */
    public static final int TP_STATUS_LOSING = 1 << 2;
    /** Frame status: the transport checksum is partial (locally generated, e.g. from a veth peer). */
    public static final int TP_STATUS_CSUMNOTREADY = 1 << 3;

    /** tpacket3_hdr: __u32 tp_next_offset (from this header to the next one in the block, 0 for the last). */
    public static final int TP3_NEXT_OFFSET = 0;
    /** tpacket3_hdr: __u32 tp_snaplen (bytes in the ring). */
    public static final int TP3_SNAPLEN_OFFSET = 12;
    /** tpacket3_hdr: __u32 tp_len (bytes on the wire). */
    public static final int TP3_LEN_OFFSET = 16;
    /** tpacket3_hdr: __u32 tp_status. */
    public static final int TP3_STATUS_OFFSET = 20;
    /** tpacket3_hdr: __u16 tp_mac (from this header to the Ethernet header). */
    public static final int TP3_MAC_OFFSET = 24;
    /** tpacket3_hdr: __u16 tp_net (from this header to the network header). */
    public static final int TP3_NET_OFFSET = 26;
    /** tpacket3_hdr: hv1.tp_rxhash. */
    public static final int TP3_RXHASH_OFFSET = 28;
    /** TPACKET_ALIGN(sizeof(struct tpacket3_hdr)): where the sockaddr_ll of the frame starts. */
    public static final int TP3_SOCKADDR_OFFSET = 48;

    /** sizeof(struct virtio_net_hdr), the size PACKET_VNET_HDR puts in front of each frame (VirtioNetHeader). */
    public static final int VNET_HDR_SIZE = io.flowstack.core.driver.VirtioNetHeader.LENGTH;

    /** sizeof(struct msghdr) on 64-bit Linux. */
    public static final int MSGHDR_SIZE = 56;
    /** sizeof(struct mmsghdr): a msghdr and an unsigned int msg_len, padded to 8. */
    public static final int MMSGHDR_SIZE = 64;
    /** msghdr: void *msg_name. */
    public static final int MSG_NAME_OFFSET = 0;
    /** msghdr: socklen_t msg_namelen. */
    public static final int MSG_NAMELEN_OFFSET = 8;
    /** msghdr: struct iovec *msg_iov. */
    public static final int MSG_IOV_OFFSET = 16;
    /** msghdr: size_t msg_iovlen. */
    public static final int MSG_IOVLEN_OFFSET = 24;
    /** mmsghdr: unsigned int msg_len (bytes sent, written by the kernel). */
    public static final int MMSG_LEN_OFFSET = 56;
    /** sizeof(struct iovec). */
    public static final int IOVEC_SIZE = 16;

    private PacketAbi()
    {
    }
}
