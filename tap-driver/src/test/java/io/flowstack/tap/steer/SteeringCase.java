package io.flowstack.tap.steer;

import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.core.flow.SteeringRule;
import io.flowstack.core.flow.SteeringRules;
import io.flowstack.core.flow.ToeplitzHash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A random ownership function (key, table size, cores, weights, protocol classes, rules, designation, pins) and
 * random frames aimed at it: mostly IPv4 TCP and UDP, with options, fragments, truncation, other protocols, ARP,
 * IPv6 and junk, to the addresses and ports its rules and pins name as often as to random ones.
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
    private final int[] portsOfInterest;
    private final List<int[]> pinned = new ArrayList<>();

    private SteeringCase(final long seed, final FlowOwnership ownership, final String description,
        final int[] addresses, final int[] ports)
    {
        this.seed = seed;
        this.ownership = ownership;
        this.description = description;
        this.addresses = addresses;
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
            rules.add(r.nextBoolean() ? new SteeringRule(protocol, port, r.nextInt(cores))
                : new SteeringRule(protocol, addresses[r.nextInt(addresses.length)], port, r.nextInt(cores)));
        }
        final int designated = r.nextInt(6) == 0 ? r.nextInt(cores) : FlowOwnership.HASHED;
        final FlowOwnership ownership = new FlowOwnership(cores, new ToeplitzHash(key), table, rules,
            new int[]{designated, r.nextInt(cores)}, classes);
        final SteeringCase c = new SteeringCase(seed, ownership, "seed " + seed + ": " + cores + " cores, key "
            + hex(key) + ", " + table + ", weights " + Arrays.toString(weights) + ", classes "
            + Arrays.toString(classes) + ", rules [" + rules + "], interface " + (designated < 0 ? "hashed"
            : "designated to " + designated), addresses, ports);
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
            final int[] t = {r.nextBoolean() ? TCP : UDP, pick(r, addresses), pick(r, addresses),
                r.nextInt(65536), pickPort(r), r.nextInt(ownership.cores())};
            if (ownership.pins().pin(t[0], t[1], t[2], t[3], t[4], t[5]))
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
        pinned.removeIf(t -> r.nextBoolean() && ownership.pins().unpin(t[0], t[1], t[2], t[3], t[4]));
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
            case 1 -> 0x86DD;
            case 2 -> r.nextInt(65536);
            default -> 0x0800;
        };
        putShort(out, 12, etherType);
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
        if (!pinned.isEmpty() && r.nextInt(5) == 0)
        {
            t = pinned.get(r.nextInt(pinned.size()));
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
}
