package io.flowstack.core.driver;

/**
 * What a device does for the stack beyond moving frames, as a virtio-net device announces it (virtio spec 5.1.3,
 * feature bits CSUM, GUEST_CSUM, HOST_TSO4, GUEST_TSO4): checksums it completes on transmit, checksums it vouches
 * for on receive, TCP segments it cuts on transmit, and large segments it may hand up on receive. IP and TCP
 * decide per interface from these; {@link #NONE} is a plain Ethernet device. Immutable.
 */
public final class Offloads
{
    /** We may send a partial transport checksum (pseudo-header sum only); the device finishes it. */
    public static final int TX_CHECKSUM = 1;
    /** We may send a TCP/IPv4 segment larger than the MTU with a segment size; the device cuts it (TSO). */
    public static final int TX_TCP4_SEGMENTATION = 1 << 1;
    /** Received frames may carry a partial checksum or one the device already verified (DATA_VALID). */
    public static final int RX_CHECKSUM = 1 << 2;
    /** Received TCP/IPv4 segments may be larger than the MTU (coalesced, or never cut by a local sender). */
    public static final int RX_LARGE_TCP4 = 1 << 3;

    /** Received UDP/IPv4 datagrams may be segmentation frames (USO) standing for several datagrams. */
    public static final int RX_LARGE_UDP4 = 1 << 4;

    /** We may send a TCP/IPv6 segment larger than the MTU with a segment size; the device cuts it (virtio TCPV6). */
    public static final int TX_TCP6_SEGMENTATION = 1 << 5;

    /**
     * The device takes a frame in pieces: the slot's window and a payload attached from off-heap memory
     * ({@code PacketBuffer.attach}), written with one gather call, so TCP need not copy its send ring into the
     * slot. Only with {@link #TX_CHECKSUM}: the payload is summed by the device, never by us.
     */
    public static final int TX_GATHER = 1 << 6;

    /** The largest frame a segmentation offload takes (virtio and Linux's default gso_max_size). */
    public static final int DEFAULT_MAX_SEGMENT_BYTES = 65_536;

    /** No offload at all. */
    public static final Offloads NONE = new Offloads(0, 0);
    /** What a TAP or AF_PACKET socket with a virtio-net header offers (checksums and TCP/IPv4 segments). */
    public static final Offloads VIRTIO_NET = new Offloads(
        TX_CHECKSUM | TX_TCP4_SEGMENTATION | RX_CHECKSUM | RX_LARGE_TCP4, DEFAULT_MAX_SEGMENT_BYTES);

    private final int flags;
    private final int maxSegmentBytes;

    private Offloads(final int flags, final int maxSegmentBytes)
    {
        this.flags = flags;
        this.maxSegmentBytes = maxSegmentBytes;
    }

    /**
     * @param flag a feature bit.
     * @return these offloads with that feature too.
     */
    public Offloads with(final int flag)
    {
        return of(flags | flag, maxSegmentBytes);
    }

    /**
     * @param flags           the features, {@link #TX_CHECKSUM} and friends.
     * @param maxSegmentBytes largest frame (IP datagram) the device cuts, 0 without segmentation.
     * @return the offloads.
     */
    public static Offloads of(final int flags, final int maxSegmentBytes)
    {
        if ((flags & (TX_TCP4_SEGMENTATION | TX_TCP6_SEGMENTATION)) != 0 && (flags & TX_CHECKSUM) == 0)
        {
            // virtio 5.1.3.1: segmentation offloads need the checksum offload (each cut segment gets its own).
            throw new IllegalArgumentException("TCP segmentation offload needs the transmit checksum offload");
        }
        if ((flags & TX_GATHER) != 0 && (flags & TX_CHECKSUM) == 0)
        {
            throw new IllegalArgumentException("gather needs the transmit checksum offload");
        }
        return flags == 0 ? NONE : new Offloads(flags,
            (flags & (TX_TCP4_SEGMENTATION | TX_TCP6_SEGMENTATION)) != 0 ? maxSegmentBytes : 0);
    }

    /**
     * @return the feature bits.
     */
    public int flags()
    {
        return flags;
    }

    /**
     * @return true when transport checksums may be left partial on transmit.
     */
    public boolean txChecksum()
    {
        return (flags & TX_CHECKSUM) != 0;
    }

    /**
     * @return true when TCP/IPv4 segments larger than the MTU may be sent.
     */
    public boolean txTcpSegmentation()
    {
        return (flags & TX_TCP4_SEGMENTATION) != 0;
    }

    /**
     * @return true when a frame may carry an attached payload ({@link #TX_GATHER}).
     */
    public boolean txGather()
    {
        return (flags & TX_GATHER) != 0;
    }

    /**
     * @return true when TCP/IPv6 segments larger than the MTU may be sent.
     */
    public boolean txTcp6Segmentation()
    {
        return (flags & TX_TCP6_SEGMENTATION) != 0;
    }

    /**
     * @return what a connection over IPv6 may use: TCP segmentation stands for the IPv6 one
     *         ({@link #txTcpSegmentation()} is then true only if the device cuts TCP/IPv6 segments).
     */
    public Offloads forIpv6()
    {
        final int segmentation = txTcp6Segmentation() ? TX_TCP4_SEGMENTATION : 0;
        return of(flags & ~(TX_TCP4_SEGMENTATION | TX_TCP6_SEGMENTATION) | segmentation, maxSegmentBytes);
    }

    /**
     * @return true when received frames may say their checksum needs no check.
     */
    public boolean rxChecksum()
    {
        return (flags & RX_CHECKSUM) != 0;
    }

    /**
     * @return true when received TCP segments may be larger than the MTU.
     */
    public boolean rxLargeTcp()
    {
        return (flags & RX_LARGE_TCP4) != 0;
    }

    /**
     * @return the largest datagram the device segments, 0 without segmentation.
     */
    public int maxSegmentBytes()
    {
        return maxSegmentBytes;
    }

    /**
     * @param other another device's offloads.
     * @return what both offer.
     */
    public Offloads and(final Offloads other)
    {
        return of(flags & other.flags, Math.min(maxSegmentBytes, other.maxSegmentBytes));
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Offloads other && other.flags == flags && other.maxSegmentBytes == maxSegmentBytes;
    }

    @Override
    public int hashCode()
    {
        return flags * 31 + maxSegmentBytes;
    }

    @Override
    public String toString()
    {
        if (flags == 0)
        {
            return "none";
        }
        final StringBuilder sb = new StringBuilder();
        if (txChecksum())
        {
            sb.append("tx-csum,");
        }
        if (txTcpSegmentation())
        {
            sb.append("tso4(").append(maxSegmentBytes).append("),");
        }
        if (txTcp6Segmentation())
        {
            sb.append("tso6,");
        }
        if (txGather())
        {
            sb.append("tx-gather,");
        }
        if (rxChecksum())
        {
            sb.append("rx-csum,");
        }
        if (rxLargeTcp())
        {
            sb.append("rx-large-tcp4,");
        }
        if ((flags & RX_LARGE_UDP4) != 0)
        {
            sb.append("rx-large-udp4,");
        }
        return sb.substring(0, sb.length() - 1);
    }
}
