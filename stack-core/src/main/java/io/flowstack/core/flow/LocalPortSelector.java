package io.flowstack.core.flow;

/**
 * Chooses the local port of an outgoing IPv4 flow so that the replies hash to the core that opens the flow.
 * <p>
 * A reply arrives with the inbound tuple (source = remote address, destination = local address, source port =
 * remote port, destination port = local port). The Toeplitz hash is linear over GF(2) with {@code H(0) == 0},
 * so with the other fields fixed, the bucket of local port {@code p} is affine in {@code p}:
 * <pre>
 *     bucket(p) = bucket(0) xor M·p
 * </pre>
 * where {@code M} is a {@code log2(size) x 16} matrix whose column {@code j} is the low bits of the hash of an input
 * that is zero except bit {@code j} of the destination port. {@code M} depends only on the key and the table size,
 * so the constructor reduces it once (Gaussian elimination over GF(2)) into:
 * <ul>
 *     <li>a basis of its image, with one preimage (a port bit pattern) per basis vector, and</li>
 *     <li>a basis of its kernel: port bit patterns that leave the bucket unchanged.</li>
 * </ul>
 * Every port is then exactly one {@code particular[a] xor kernel[c]}, where {@code a} indexes the image
 * ({@code 2^rank} bucket offsets) and {@code c} the kernel ({@code 2^(16-rank)} ports per bucket: 512 for a
 * 128-entry table and a full-rank key). {@link #select} walks that decomposition with the image index varying
 * fastest, so successive candidates visit the core's buckets in turn, and each candidate costs a few array reads
 * instead of a hash. Per call it hashes once, for {@code bucket(0)}.
 * <p>
 * A rank-deficient key needs no special case: buckets outside the image of {@code M} simply receive no port, and
 * the walk never produces them. With a key from {@link ToeplitzHash#randomKey} the rank is full for every table
 * of up to 65536 entries.
 * <p>
 * Reads the table it was given at every call, so a reprogrammed table (see {@link IndirectionTable#copyFrom})
 * takes effect at once. Holds no mutable state of its own: safe to use from the thread that owns the table.
 */
public final class LocalPortSelector
{
    /**
     * Tells whether a local port is taken (bound, or still in TIME_WAIT with the same remote endpoint).
     */
    @FunctionalInterface
    public interface PortInUse
    {
        /**
         * @param port candidate local port.
         * @return true if the port must not be chosen.
         */
        boolean test(int port);
    }

    private static final int PORT_BITS = 16;
    private static final int PORT_COUNT = 1 << PORT_BITS;

    private final ToeplitzHash hash;
    private final IndirectionTable table;
    private final boolean ipv6;
    private final int mask;
    private final int rank;

    /** {@code imageOffset[a]}: bucket offset {@code M·particular[a]}; a walks the image of M. */
    private final int[] imageOffset;

    /** {@code particular[a]}: a port pattern that M maps to {@code imageOffset[a]}. */
    private final int[] particular;

    /** Every element of the kernel of M: port patterns that do not change the bucket. */
    private final int[] kernel;

    /**
     * @param hash  the hash the receive path uses.
     * @param table the indirection table the receive path uses (this core's copy).
     */
    public LocalPortSelector(final ToeplitzHash hash, final IndirectionTable table)
    {
        this(hash, table, false);
    }

    /**
     * @param hash  the hash function.
     * @param table the indirection table (read at every call).
     * @param ipv6  choose ports for IPv6 tuples (the port bits sit elsewhere in the hash input) instead of IPv4.
     */
    public LocalPortSelector(final ToeplitzHash hash, final IndirectionTable table, final boolean ipv6)
    {
        this.hash = hash;
        this.ipv6 = ipv6;
        this.table = table;
        this.mask = table.size() - 1;
        final int bits = Integer.numberOfTrailingZeros(table.size());

        // Gaussian elimination over GF(2) on the 16 columns of M. basisVector[lead] is a reduced image vector with
        // leading bit `lead`; basisPorts[lead] the port pattern M maps to it. A column that reduces to zero gives
        // a kernel vector: its own bit plus the port patterns used to cancel it.
        final int[] basisVector = new int[Math.max(bits, 1)];
        final int[] basisPorts = new int[Math.max(bits, 1)];
        final int[] kernelBasis = new int[PORT_BITS];
        int kernelRank = 0;
        int found = 0;
        for (int j = 0; j < PORT_BITS; j++)
        {
            int vector = (ipv6 ? hash.hashIpv6(0, 0, 0, 0, 0, 1 << j) : hash.hashIpv4(0, 0, 0, 1 << j)) & mask;
            int ports = 1 << j;
            for (int lead = bits - 1; lead >= 0 && vector != 0; lead--)
            {
                if (((vector >>> lead) & 1) != 0)
                {
                    if (basisVector[lead] == 0)
                    {
                        basisVector[lead] = vector;
                        basisPorts[lead] = ports;
                        found++;
                        ports = 0;
                        break;
                    }
                    vector ^= basisVector[lead];
                    ports ^= basisPorts[lead];
                }
            }
            if (ports != 0 && vector == 0)
            {
                kernelBasis[kernelRank++] = ports;
            }
        }
        this.rank = found;

        // Span the image (with preimages) and the kernel. 2^rank * 2^(16 - rank) = 65536: one entry per port.
        this.imageOffset = new int[1 << rank];
        this.particular = new int[1 << rank];
        int n = 0;
        for (int lead = 0; lead < bits; lead++)
        {
            if (basisVector[lead] != 0)
            {
                final int half = 1 << n;
                for (int a = 0; a < half; a++)
                {
                    imageOffset[half + a] = imageOffset[a] ^ basisVector[lead];
                    particular[half + a] = particular[a] ^ basisPorts[lead];
                }
                n++;
            }
        }
        this.kernel = new int[1 << kernelRank];
        for (int i = 0; i < kernelRank; i++)
        {
            final int half = 1 << i;
            for (int c = 0; c < half; c++)
            {
                kernel[half + c] = kernel[c] ^ kernelBasis[i];
            }
        }
    }

    /**
     * @return rank over GF(2) of the map from local port to bucket: {@code log2(size)} for a full-rank key, when
     *     each bucket gets {@code 2^(16 - rank)} ports.
     */
    public int rank()
    {
        return rank;
    }

    /**
     * Finds a local port whose inbound tuple the table maps to {@code core}.
     * <p>
     * Candidates are visited in a fixed order (a permutation of all 65536 ports in which the core's buckets take
     * turns), beginning at position {@code start mod 65536}; the first candidate in range and not in use wins.
     * Pass a random {@code start} to spread choices. At most 65536 steps of a few array reads each, one hash,
     * no allocation.
     *
     * @param core          the core that will own the flow.
     * @param localAddress  local address (the destination of replies).
     * @param remoteAddress remote address (the source of replies).
     * @param remotePort    remote port, 0..65535.
     * @param minPort       lowest acceptable local port, 0..65535.
     * @param maxPort       highest acceptable local port, minPort..65535.
     * @param start         pseudo-position at which to start the walk; any int.
     * @param inUse         ports to skip.
     * @return a port in {@code [minPort, maxPort]} that {@code core} owns and {@code inUse} does not reject, or -1
     *     if there is none.
     */
    public int select(
        final int core,
        final int localAddress,
        final int remoteAddress,
        final int remotePort,
        final int minPort,
        final int maxPort,
        final int start,
        final PortInUse inUse)
    {
        if (minPort < 0 || maxPort > 0xFFFF || minPort > maxPort)
        {
            throw new IllegalArgumentException("port range must lie within 0..65535, got " + minPort + ".." + maxPort);
        }
        if (!ownsAnyBucket(core))
        {
            return -1;
        }

        return walk(core, hash.hashIpv4(remoteAddress, localAddress, remotePort, 0) & mask, minPort, maxPort, start,
            inUse);
    }

    /**
     * As {@link #select}, for an IPv6 flow (a selector made for IPv6), the addresses as two longs each.
     *
     * @param core       the core that must receive the replies.
     * @param localHigh  our address, first 64 bits.
     * @param localLow   our address, last 64 bits.
     * @param remoteHigh the peer's address, first 64 bits.
     * @param remoteLow  the peer's address, last 64 bits.
     * @param remotePort the peer's port.
     * @param minPort    lowest port.
     * @param maxPort    highest port.
     * @param start      where to start.
     * @param inUse      which ports are taken.
     * @return a port, or -1.
     */
    public int select6(
        final int core,
        final long localHigh,
        final long localLow,
        final long remoteHigh,
        final long remoteLow,
        final int remotePort,
        final int minPort,
        final int maxPort,
        final int start,
        final PortInUse inUse)
    {
        if (minPort < 0 || maxPort > 0xFFFF || minPort > maxPort)
        {
            throw new IllegalArgumentException("port range must lie within 0..65535, got " + minPort + ".." + maxPort);
        }
        if (!ownsAnyBucket(core))
        {
            return -1;
        }
        return walk(core, hash.hashIpv6(remoteHigh, remoteLow, localHigh, localLow, remotePort, 0) & mask, minPort,
            maxPort, start, inUse);
    }

    private int walk(final int core, final int base, final int minPort, final int maxPort, final int start,
        final PortInUse inUse)
    {
        final int imageMask = imageOffset.length - 1;
        final int shift = rank;
        for (int i = 0; i < PORT_COUNT; i++)
        {
            final int position = (start + i) & (PORT_COUNT - 1);
            final int a = position & imageMask;
            if (table.coreOfBucket(base ^ imageOffset[a]) == core)
            {
                final int port = particular[a] ^ kernel[position >>> shift];
                if (port >= minPort && port <= maxPort && !inUse.test(port))
                {
                    return port;
                }
            }
        }
        return -1;
    }

    /**
     * @param core          a core.
     * @param localAddress  local address.
     * @param remoteAddress remote address.
     * @param remotePort    remote port.
     * @param localPort     local port.
     * @return whether the table maps the inbound tuple of this flow to {@code core}; hashes the full tuple.
     */
    public boolean owns(
        final int core, final int localAddress, final int remoteAddress, final int remotePort, final int localPort)
    {
        return table.core(hash.hashIpv4(remoteAddress, localAddress, remotePort, localPort)) == core;
    }

    private boolean ownsAnyBucket(final int core)
    {
        for (int bucket = 0; bucket <= mask; bucket++)
        {
            if (table.coreOfBucket(bucket) == core)
            {
                return true;
            }
        }
        return false;
    }
}
