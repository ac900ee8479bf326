package io.flowstack.core.flow;

import io.flowstack.core.wire.AddressBits;

import java.util.Locale;

/**
 * An exact-match steering rule, like a NIC's ntuple filter: inbound packets of one IP protocol, optionally to
 * one local port and optionally to one local address, go to a named core, before the indirection table is
 * consulted. A rule without an address matches both IPv4 and IPv6; one with an address matches its family only.
 * Addresses are held as two longs ({@link AddressBits}: IPv4 as its IPv4-mapped form), so that matching allocates
 * nothing.
 * <p>
 * Text form (for the command line): {@code PROTO[:ADDRESS][:PORT]@CORE}, for example {@code udp:53@1},
 * {@code tcp:8080@0}, {@code icmp@0}, {@code udp:198.18.0.2:53@1}, {@code tcp:[2001:2::2]:80@1}. PROTO is
 * {@code tcp}, {@code udp}, {@code icmp}, {@code icmpv6} or a protocol number 0..255; ADDRESS is a dotted IPv4
 * address or an IPv6 address in brackets; only tcp and udp (6 and 17) rules take a port.
 */
public final class SteeringRule
{
    /** {@link #localPort()} of a rule that matches every port. */
    public static final int ANY_PORT = -1;

    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;

    private final int protocol;
    private final boolean matchAddress;
    private final long localHigh;
    private final long localLow;
    private final int localPort;
    private final int core;

    /**
     * A rule on protocol and optionally port, any local address.
     *
     * @param protocol  IP protocol number, 0..255.
     * @param localPort local (destination) port 1..65535, or {@link #ANY_PORT}.
     * @param core      core that owns matching packets, non-negative.
     */
    public SteeringRule(final int protocol, final int localPort, final int core)
    {
        this(protocol, false, 0, 0, localPort, core);
    }

    /**
     * A rule on protocol, local address and optionally port.
     *
     * @param protocol     IP protocol number, 0..255.
     * @param localAddress local (destination) IPv4 address, as the int read big-endian from the header.
     * @param localPort    local (destination) port 1..65535, or {@link #ANY_PORT}.
     * @param core         core that owns matching packets, non-negative.
     */
    public SteeringRule(final int protocol, final int localAddress, final int localPort, final int core)
    {
        this(protocol, true, 0, AddressBits.ipv4Low(localAddress), localPort, core);
    }

    /**
     * A rule on protocol, local address of either family and optionally port.
     *
     * @param protocol  IP protocol number, 0..255.
     * @param localHigh local (destination) address, first 64 bits ({@link AddressBits}).
     * @param localLow  local address, last 64 bits (an IPv4 address as its IPv4-mapped form).
     * @param localPort local (destination) port 1..65535, or {@link #ANY_PORT}.
     * @param core      core that owns matching packets, non-negative.
     */
    public SteeringRule(final int protocol, final long localHigh, final long localLow, final int localPort,
        final int core)
    {
        this(protocol, true, localHigh, localLow, localPort, core);
    }

    private SteeringRule(final int protocol, final boolean matchAddress, final long localHigh, final long localLow,
        final int localPort, final int core)
    {
        if (protocol < 0 || protocol > 255)
        {
            throw new IllegalArgumentException("protocol must be 0..255, got " + protocol);
        }
        if (localPort != ANY_PORT && (localPort < 1 || localPort > 65535))
        {
            throw new IllegalArgumentException("port must be 1..65535, got " + localPort);
        }
        if (localPort != ANY_PORT && protocol != TCP && protocol != UDP)
        {
            throw new IllegalArgumentException("only tcp and udp rules take a port, not " + protocolName(protocol));
        }
        if (core < 0)
        {
            throw new IllegalArgumentException("core must be non-negative, got " + core);
        }
        this.protocol = protocol;
        this.matchAddress = matchAddress;
        this.localHigh = matchAddress ? localHigh : 0;
        this.localLow = matchAddress ? localLow : 0;
        this.localPort = localPort;
        this.core = core;
    }

    /**
     * Parses the text form {@code PROTO[:ADDRESS][:PORT]@CORE}.
     *
     * @param text the rule, e.g. {@code udp:53@1}.
     * @return the rule.
     * @throws IllegalArgumentException with a one-line reason naming the rule.
     */
    public static SteeringRule parse(final String text)
    {
        if (text == null || text.isBlank())
        {
            throw new IllegalArgumentException("steering rule is empty: expected PROTO[:ADDRESS][:PORT]@CORE");
        }
        final String rule = text.strip();
        for (int i = 0; i < rule.length(); i++)
        {
            if (Character.isISOControl(rule.charAt(i)))
            {
                throw new IllegalArgumentException("steering rule has a control character at position " + i +
                    ": expected PROTO[:ADDRESS][:PORT]@CORE");
            }
        }
        final int at = rule.indexOf('@');
        if (at < 0 || at != rule.lastIndexOf('@'))
        {
            throw new IllegalArgumentException(
                "steering rule '" + rule + "' needs one '@CORE', as in udp:53@1");
        }
        final int core = parseNumber(rule, rule.substring(at + 1), "core", 0, Integer.MAX_VALUE);
        final String head = rule.substring(0, at);
        final int open = head.indexOf('[');
        if (open >= 0)
        {
            return parseIpv6(rule, head, open, core);
        }
        final String[] fields = head.split(":", -1);
        if (fields.length > 3)
        {
            throw new IllegalArgumentException(
                "steering rule '" + rule + "' has too many ':' fields: expected PROTO[:ADDRESS][:PORT]@CORE");
        }
        final int protocol = parseProtocol(rule, fields[0]);
        boolean matchAddress = false;
        long[] address = {0, 0};
        int port = ANY_PORT;
        for (int i = 1; i < fields.length; i++)
        {
            final String field = fields[i];
            if (field.indexOf('.') >= 0 && i == 1)
            {
                matchAddress = true;
                address = new long[]{0, AddressBits.ipv4Low(parseAddress(rule, field))};
            }
            else if (i == fields.length - 1)
            {
                port = parseNumber(rule, field, "port", 1, 65535);
            }
            else
            {
                throw new IllegalArgumentException(
                    "steering rule '" + rule + "': '" + field + "' is not an IPv4 address");
            }
        }
        return new SteeringRule(protocol, matchAddress, address[0], address[1], port, core);
    }

    /** {@code PROTO:[ADDRESS][:PORT]}: an IPv6 address, which has colons of its own, in brackets (RFC 3986 3.2.2). */
    private static SteeringRule parseIpv6(final String rule, final String head, final int open, final int core)
    {
        final int close = head.indexOf(']', open);
        if (open == 0 || head.charAt(open - 1) != ':' || head.indexOf(':') != open - 1 || close < 0
            || head.indexOf('[', open + 1) >= 0 || head.indexOf(']', close + 1) >= 0)
        {
            throw new IllegalArgumentException("steering rule '" + rule +
                "': an IPv6 address goes in brackets after the protocol, as in tcp:[2001:2::2]:80@1");
        }
        final int protocol = parseProtocol(rule, head.substring(0, open - 1));
        final String text = head.substring(open + 1, close);
        final long[] address;
        try
        {
            address = AddressBits.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("steering rule '" + rule + "': '" + text + "' is not an IPv6 address");
        }
        if (text.indexOf(':') < 0 || AddressBits.isIpv4(address[0], address[1]))
        {
            throw new IllegalArgumentException("steering rule '" + rule + "': '" + text +
                "' is not an IPv6 address (write IPv4 addresses without brackets)");
        }
        final String rest = head.substring(close + 1);
        int port = ANY_PORT;
        if (!rest.isEmpty())
        {
            if (rest.charAt(0) != ':')
            {
                throw new IllegalArgumentException("steering rule '" + rule + "': expected ':PORT' after ']'");
            }
            port = parseNumber(rule, rest.substring(1), "port", 1, 65535);
        }
        if (port != ANY_PORT && protocol != TCP && protocol != UDP)
        {
            throw new IllegalArgumentException(
                "steering rule '" + rule + "': only tcp and udp rules take a port");
        }
        return new SteeringRule(protocol, true, address[0], address[1], port, core);
    }

    /**
     * @return IP protocol number.
     */
    public int protocol()
    {
        return protocol;
    }

    /**
     * @return whether the rule matches one local address only.
     */
    public boolean hasLocalAddress()
    {
        return matchAddress;
    }

    /**
     * @return whether the rule matches one IPv6 local address (and so IPv6 packets only).
     */
    public boolean hasIpv6Address()
    {
        return matchAddress && !AddressBits.isIpv4(localHigh, localLow);
    }

    /**
     * @return the IPv4 local address matched, if {@link #hasLocalAddress()} and not {@link #hasIpv6Address()};
     *         else 0.
     */
    public int localAddress()
    {
        return matchAddress && !hasIpv6Address() ? (int)localLow : 0;
    }

    /**
     * @return the local address matched, first 64 bits ({@link AddressBits}; 0 without an address).
     */
    public long localHigh()
    {
        return localHigh;
    }

    /**
     * @return the local address matched, last 64 bits ({@link AddressBits}; 0 without an address).
     */
    public long localLow()
    {
        return localLow;
    }

    /**
     * @return the local port matched, or {@link #ANY_PORT}.
     */
    public int localPort()
    {
        return localPort;
    }

    /**
     * @return the core that owns matching packets.
     */
    public int core()
    {
        return core;
    }

    /**
     * @param protocol  IP protocol number of the packet.
     * @param localHigh its destination address, first 64 bits ({@link AddressBits}).
     * @param localLow  its destination address, last 64 bits.
     * @param localPort its destination port (any value for protocols without ports).
     * @return whether the rule matches.
     */
    public boolean matches(final int protocol, final long localHigh, final long localLow, final int localPort)
    {
        return protocol == this.protocol &&
            (!matchAddress || (localHigh == this.localHigh && localLow == this.localLow)) &&
            (this.localPort == ANY_PORT || localPort == this.localPort);
    }

    /**
     * @return the text form, which {@link #parse} reads back.
     */
    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder(32).append(protocolName(protocol));
        if (matchAddress)
        {
            final String address = AddressBits.toString(localHigh, localLow);
            out.append(':').append(hasIpv6Address() ? "[" + address + "]" : address);
        }
        if (localPort != ANY_PORT)
        {
            out.append(':').append(localPort);
        }
        return out.append('@').append(core).toString();
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof SteeringRule))
        {
            return false;
        }
        final SteeringRule that = (SteeringRule)o;
        return protocol == that.protocol && matchAddress == that.matchAddress && localHigh == that.localHigh &&
            localLow == that.localLow && localPort == that.localPort && core == that.core;
    }

    @Override
    public int hashCode()
    {
        return ((((protocol * 31 + (matchAddress ? 1 : 0)) * 31 + Long.hashCode(localHigh)) * 31 +
            Long.hashCode(localLow)) * 31 + localPort) * 31 + core;
    }

    private static String protocolName(final int protocol)
    {
        switch (protocol)
        {
            case TCP:
                return "tcp";
            case UDP:
                return "udp";
            case ICMP:
                return "icmp";
            case ICMPV6:
                return "icmpv6";
            default:
                return Integer.toString(protocol);
        }
    }

    private static int parseProtocol(final String rule, final String field)
    {
        switch (field.toLowerCase(Locale.ROOT))
        {
            case "tcp":
                return TCP;
            case "udp":
                return UDP;
            case "icmp":
                return ICMP;
            case "icmpv6":
            case "icmp6":
                return ICMPV6;
            default:
                if (field.isEmpty() || !Character.isDigit(field.charAt(0)))
                {
                    throw new IllegalArgumentException("steering rule '" + rule + "': unknown protocol '" + field +
                        "', expected tcp, udp, icmp, icmpv6 or 0..255");
                }
                return parseNumber(rule, field, "protocol", 0, 255);
        }
    }

    private static int parseAddress(final String rule, final String field)
    {
        final String[] parts = field.split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException(
                "steering rule '" + rule + "': '" + field + "' is not a dotted IPv4 address");
        }
        int address = 0;
        for (final String part : parts)
        {
            address = (address << 8) | parseNumber(rule, part, "address byte", 0, 255);
        }
        return address;
    }

    private static int parseNumber(final String rule, final String field, final String what, final int min,
        final int max)
    {
        // Digits only: Integer.parseInt would also take a sign.
        boolean digits = !field.isEmpty() && field.length() <= 10;
        for (int i = 0; digits && i < field.length(); i++)
        {
            digits = field.charAt(i) >= '0' && field.charAt(i) <= '9';
        }
        final long value = digits ? Long.parseLong(field) : -1;
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(
                "steering rule '" + rule + "': " + what + " '" + field + "' must be " + min + ".." + max);
        }
        return (int)value;
    }
}
