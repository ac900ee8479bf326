package io.flowstack.tap.steer;

import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.core.flow.SteeringRule;
import io.flowstack.core.flow.SteeringRules;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.core.wire.AddressBits;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A random ownership function (key, table size, cores, weights, protocol classes, rules of both families,
 * designation, pins of both families) and random frames aimed at it: mostly IPv4 and IPv6 TCP and UDP, with IPv4
 * options and fragments, IPv6 extension and fragment headers, ICMPv6 (Neighbor Discovery too), truncation, other
 * protocols, ARP and junk, to the addresses and ports its rules and pins name as often as to random ones.
 */
final class SteeringCase
{
    /** Interface the frames arrive on. */
    static final int IF_INDEX = 0;
    /** A frame's longest length here (headers, options, some payload). */
    static final int MAX_FRAME = 14 + 60 + 8 + 64;

    private static final int TCP = 6;
    private static final int UDP = 17;

    final long seed;
    final FlowOwnership ownership;
    final String description;
    private final int[] addresses;
    private final long[][] addresses6;
    private final int[] portsOfInterest;
    /** {protocol, sh, sl, dh, dl, source port, destination port, core}; IPv4 as mapped addresses. */
    private final List<long[]> pinned = new ArrayList<>();

    private SteeringCase(final long seed, final FlowOwnership ownership, final String description,
        final int[] addresses, final long[][] addresses6, final int[] ports)
    {
        this.seed = seed;
        this.ownership = ownership;
        this.description = description;
        this.addresses = addresses;
        this.addresses6 = addresses6;
        this.portsOfInterest = ports;
    }

    /**
     * @param seed everything follows from it.
     * @return the case.
     */
    static SteeringCase random(final long seed)
    {
        final Random r = new Random(seed);
        final int cores = 1 + r.nextInt(8);
        final byte[] key = switch (r.nextInt(4))
        {
            case 0 -> ToeplitzHash.microsoftKey();
            case 1 -> ToeplitzHash.symmetricKey();
            default -> ToeplitzHash.randomKey(r);
        };
        final int size = 1 << r.nextInt(11);
        final int[] weights = new int[cores];
        for (int c = 0; c < cores; c++)
        {
            weights[c] = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(5);
        }
        weights[r.nextInt(cores)] += 1;
        final IndirectionTable table = new IndirectionTable(size);
        table.fill(weights);
        final int[] classes = new int[cores];
        Arrays.fill(classes, FlowOwnership.ALL_CLASSES);
        if (cores > 1 && r.nextInt(3) == 0)
        {
            // One core keeps to some classes; another runs everything so that every class has a core.
            classes[r.nextInt(cores)] = r.nextInt(FlowOwnership.ALL_CLASSES + 1);
            classes[0] = FlowOwnership.ALL_CLASSES;
        }
        final int[] addresses = {0xC612_0002, 0xC612_0102, 0xC612_0001, r.nextInt(), r.nextInt()};
        final long[][] addresses6 = {{0x2001_0002_0000_0000L, 2}, {0x2001_0002_0000_0000L, 0x102},
            {0xFE80_0000_0000_0000L, 0x0200_00FF_FE00_0001L}, {r.nextLong(), r.nextLong()},
            {0x2001_0002_0000_0000L, r.nextLong()}};
        final int[] ports = {53, 80, 7, 1 + r.nextInt(65535), 443};
        final SteeringRules rules = new SteeringRules();
        final int ruleCount = r.nextInt(3) == 0 ? 0 : r.nextInt(4);
        for (int i = 0; i < ruleCount; i++)
        {
            final int protocol = switch (r.nextInt(5))
            {
                case 0, 1 -> TCP;
                case 2, 3 -> UDP;
                default -> 1;
            };
            final int port = (protocol == TCP || protocol == UDP) && r.nextBoolean()
                ? ports[r.nextInt(ports.length)] : SteeringRule.ANY_PORT;
            final long[] v6 = addresses6[r.nextInt(addresses6.length)];
            rules.add(switch (r.nextInt(4))
            {
                case 0 -> new SteeringRule(protocol, port, r.nextInt(cores));
                case 1 -> new SteeringRule(protocol, addresses[r.nextInt(addresses.length)], port, r.nextInt(cores));
                case 2 -> new SteeringRule(protocol == 1 ? 58 : protocol, v6[0], v6[1], port, r.nextInt(cores));
                default -> new SteeringRule(protocol, port, r.nextInt(cores));
            });
        }
        final int designated = r.nextInt(6) == 0 ? r.nextInt(cores) : FlowOwnership.HASHED;
        final FlowOwnership ownership = new FlowOwnership(cores, new ToeplitzHash(key), table, rules,
            new int[]{designated, r.nextInt(cores)}, classes);
        final SteeringCase c = new SteeringCase(seed, ownership, "seed " + seed + ": " + cores + " cores, key "
            + hex(key) + ", " + table + ", weights " + Arrays.toString(weights) + ", classes "
            + Arrays.toString(classes) + ", rules [" + rules + "], interface " + (designated < 0 ? "hashed"
            : "designated to " + designated), addresses, addresses6, ports);
        c.pinSome(r, r.nextInt(3) == 0 ? 0 : r.nextInt(40));
        return c;
    }

    /**
     * Pins random tuples (to random cores), which frames will then use now and then.
     *
     * @param r     randomness.
     * @param count pins to add.
     */
    void pinSome(final Random r, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final long[] source = r.nextBoolean() ? pick6(r) : new long[]{0, AddressBits.ipv4Low(pick(r, addresses))};
            final long[] destination = AddressBits.isIpv4(source[0], source[1])
                ? new long[]{0, AddressBits.ipv4Low(pick(r, addresses))} : pick6(r);
            final long[] t = {r.nextBoolean() ? TCP : UDP, source[0], source[1], destination[0], destination[1],
                r.nextInt(65536), pickPort(r), r.nextInt(ownership.cores())};
            if (ownership.pins().pin((int)t[0], t[1], t[2], t[3], t[4], (int)t[5], (int)t[6], (int)t[7]))
            {
                pinned.add(t);
            }
        }
    }

    /**
     * Removes about half of the pins.
     *
     * @param r randomness.
     */
    void unpinSome(final Random r)
    {
        pinned.removeIf(t -> r.nextBoolean()
            && ownership.pins().unpin((int)t[0], t[1], t[2], t[3], t[4], (int)t[5], (int)t[6]));
    }

    /**
     * Where the generated programs put a frame: where the stack's classifier does, except an IPv6 packet whose
     * first header after the fixed one is hop-by-hop, destination options or routing: the programs send it to the
     * interface's non-IP core as they send ARP (that core classifies it in software and forwards it to its owner,
     * as DESIGN.md has every core do).
     *
     * @param oracle the stack's classifier.
     * @param frame  the frame, ifIndex set.
     * @return the core the kernel is expected to choose.
     */
    int programOwner(final io.flowstack.ip.flow.FlowClassifier oracle, final io.flowstack.core.buffer.PacketBuffer frame)
    {
        final int at = frame.offset();
        final boolean ipv6 = frame.length() >= 14 + 40
            && (frame.buffer().getShort(at + 12, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF) == 0x86DD;
        final int next = ipv6 ? frame.buffer().getByte(at + 20) & 0xFF : -1;
        return next == 0 || next == 60 || next == 43 ? ownership.ownerOfNonIp(frame.ifIndex()) : oracle.owner(frame);
    }

    /**
     * Writes a random frame.
     *
     * @param r   randomness.
     * @param out at least {@link #MAX_FRAME} bytes.
     * @return its length, at least 14 (what BPF_PROG_TEST_RUN takes).
     */
    int frame(final Random r, final byte[] out)
    {
        Arrays.fill(out, (byte)0);
        for (int i = 0; i < 12; i++)
        {
            out[i] = (byte)r.nextInt();
        }
        final int etherType = switch (r.nextInt(20))
        {
            case 0 -> 0x0806;
            case 1, 3, 4, 5, 6, 7 -> 0x86DD;
            case 2 -> r.nextInt(65536);
            default -> 0x0800;
        };
        putShort(out, 12, etherType);
        if (etherType == 0x86DD && r.nextInt(10) != 0)
        {
            return frame6(r, out);
        }
        final int ihl = switch (r.nextInt(10))
        {
            case 0 -> r.nextInt(5);
            case 1, 2 -> 6 + r.nextInt(10);
            default -> 5;
        };
        final int headerLength = Math.max(ihl, 5) * 4;
        out[14] = (byte)((r.nextInt(20) == 0 ? r.nextInt(16) : 4) << 4 | ihl);
        out[15] = (byte)r.nextInt();
        putShort(out, 16, r.nextInt(65536));
        putShort(out, 18, r.nextInt(65536));
        putShort(out, 20, switch (r.nextInt(10))
        {
            case 0 -> 0x2000;
            case 1 -> 1 + r.nextInt(0x1FFF);
            case 2 -> 0x4000;
            case 3 -> r.nextInt(65536);
            default -> 0;
        });
        out[22] = (byte)r.nextInt();
        final int[] t;
        final List<long[]> pinned4 = new ArrayList<>();
        for (final long[] p : pinned)
        {
            if (AddressBits.isIpv4(p[1], p[2]))
            {
                pinned4.add(p);
            }
        }
        if (!pinned4.isEmpty() && r.nextInt(5) == 0)
        {
            final long[] p = pinned4.get(r.nextInt(pinned4.size()));
            t = new int[]{(int)p[0], (int)p[2], (int)p[4], (int)p[5], (int)p[6]};
        }
        else
        {
            t = new int[]{switch (r.nextInt(10))
            {
                case 0 -> 1;
                case 1 -> r.nextInt(256);
                case 2, 3, 4, 5 -> TCP;
                default -> UDP;
            }, pick(r, addresses), pick(r, addresses), r.nextBoolean() ? pickPort(r) : r.nextInt(65536), pickPort(r)};
        }
        out[23] = (byte)t[0];
        putShort(out, 24, r.nextInt(65536));
        putInt(out, 26, t[1]);
        putInt(out, 30, t[2]);
        for (int i = 34; i < 14 + headerLength; i++)
        {
            out[i] = (byte)r.nextInt();
        }
        final int transport = 14 + headerLength;
        putShort(out, transport, t[3]);
        putShort(out, transport + 2, t[4]);
        final int full = transport + 8 + r.nextInt(MAX_FRAME - transport - 8 + 1);
        for (int i = transport + 4; i < full; i++)
        {
            out[i] = (byte)r.nextInt();
        }
        return r.nextInt(6) == 0 ? 14 + r.nextInt(full - 14 + 1) : full;
    }

    /** An IPv6 packet: TCP, UDP, ICMPv6 (Neighbor Discovery too), fragment and extension headers, truncation. */
    private int frame6(final Random r, final byte[] out)
    {
        out[14] = (byte)(0x60 | r.nextInt(16));
        for (int i = 15; i < 18; i++)
        {
            out[i] = (byte)r.nextInt();
        }
        putShort(out, 18, r.nextInt(65536));
        final long[] t;
        final List<long[]> pinned6 = new ArrayList<>();
        for (final long[] p : pinned)
        {
            if (!AddressBits.isIpv4(p[1], p[2]))
            {
                pinned6.add(p);
            }
        }
        if (!pinned6.isEmpty() && r.nextInt(5) == 0)
        {
            t = pinned6.get(r.nextInt(pinned6.size()));
        }
        else
        {
            final long[] source = pick6(r);
            final long[] destination = pick6(r);
            t = new long[]{switch (r.nextInt(20))
            {
                case 0, 1, 2 -> 58;
                case 3 -> 44;
                case 4 -> 0;
                case 5 -> 60;
                case 6 -> 43;
                case 7 -> r.nextInt(256);
                case 8, 9, 10, 11, 12, 13 -> TCP;
                default -> UDP;
            }, source[0], source[1], destination[0], destination[1], r.nextBoolean() ? pickPort(r) : r.nextInt(65536),
                pickPort(r)};
        }
        out[20] = (byte)t[0];
        out[21] = (byte)r.nextInt();
        for (int i = 0; i < 4; i++)
        {
            putLong(out, 22 + 8 * i, t[1 + i]);
        }
        putShort(out, 54, (int)t[5]);
        putShort(out, 56, (int)t[6]);
        final int full = 54 + 8 + r.nextInt(MAX_FRAME - 54 - 8 + 1);
        for (int i = 58; i < full; i++)
        {
            out[i] = (byte)r.nextInt();
        }
        if (t[0] == 58 && r.nextBoolean())
        {
            out[54] = (byte)(128 + r.nextInt(12));
        }
        return r.nextInt(6) == 0 ? 14 + r.nextInt(full - 14 + 1) : full;
    }

    private long[] pick6(final Random r)
    {
        return r.nextInt(3) == 0 ? new long[]{r.nextLong(), r.nextLong()} : addresses6[r.nextInt(addresses6.length)];
    }

    private int pick(final Random r, final int[] values)
    {
        return r.nextInt(3) == 0 ? r.nextInt() : values[r.nextInt(values.length)];
    }

    private int pickPort(final Random r)
    {
        return r.nextInt(3) == 0 ? r.nextInt(65536) : portsOfInterest[r.nextInt(portsOfInterest.length)];
    }

    static String hex(final byte[] bytes)
    {
        return hex(bytes, bytes.length);
    }

    static String hex(final byte[] bytes, final int length)
    {
        final StringBuilder b = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++)
        {
            b.append(String.format("%02x", bytes[i] & 0xFF));
        }
        return b.toString();
    }

    private static void putShort(final byte[] out, final int at, final int value)
    {
        out[at] = (byte)(value >>> 8);
        out[at + 1] = (byte)value;
    }

    private static void putInt(final byte[] out, final int at, final int value)
    {
        putShort(out, at, value >>> 16);
        putShort(out, at + 2, value);
    }

    private static void putLong(final byte[] out, final int at, final long value)
    {
        putInt(out, at, (int)(value >>> 32));
        putInt(out, at + 4, (int)value);
    }
}
