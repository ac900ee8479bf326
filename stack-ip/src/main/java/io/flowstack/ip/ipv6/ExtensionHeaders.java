package io.flowstack.ip.ipv6;

import org.agrona.MutableDirectBuffer;

/**
 * The checks of the extension headers a host acts on (RFC 8200 4.2, 4.4): options by their action bits, routing
 * headers by their segments left. Each answers {@link #OK}, {@link #DISCARD}, or the offset of the offending byte
 * for a parameter problem.
 */
final class ExtensionHeaders
{
    /** Walk on. */
    static final int OK = -1;
    /** Drop silently. */
    static final int DISCARD = -2;
    /** Set on an offset when the option asks for a parameter problem even if the packet went to a multicast group. */
    static final int REPORT_MULTICAST_TOO = 1 << 30;

    private ExtensionHeaders()
    {
    }

    /**
     * Options of a hop-by-hop or destination options header (RFC 8200 4.2): padding skipped, an unknown option
     * acted on by its two high bits (skip, discard, discard with a parameter problem, the same unless multicast).
     *
     * @return {@link #OK}, {@link #DISCARD}, or the offset of the option for a parameter problem.
     */
    static int options(final MutableDirectBuffer b, final int at, final int length)
    {
        final int end = at + length;
        int i = at + 2;
        while (i < end)
        {
            final int type = b.getByte(i) & 0xFF;
            if (type == 0)
            {
                i++;
                continue;
            }
            if (end - i < 2 || end - i < 2 + (b.getByte(i + 1) & 0xFF))
            {
                return DISCARD;
            }
            // PadN (1) and the router alert (5, RFC 2711) are known; every other option is unknown to a host.
            if (type != 1 && type != 5)
            {
                switch (type >>> 6)
                {
                    case 0 ->
                    {
                    }
                    case 1 ->
                    {
                        return DISCARD;
                    }
                    default ->
                    {
                        // 10: report even to multicast; 11: only to unicast (RFC 8200 4.2).
                        return (type >>> 6) == 2 ? i | REPORT_MULTICAST_TOO : i;
                    }
                }
            }
            i += 2 + (b.getByte(i + 1) & 0xFF);
        }
        return OK;
    }

    /**
     * RFC 8200 4.4: a routing header with no segments left is ignored; one with segments left names us as an
     * intermediate node, which a host is not (type 0 is deprecated by RFC 5095 and refused the same way): a
     * parameter problem pointing at the routing type.
     */
    static int routing(final MutableDirectBuffer b, final int at)
    {
        return (b.getByte(at + 3) & 0xFF) == 0 ? OK : at + 2;
    }
}
