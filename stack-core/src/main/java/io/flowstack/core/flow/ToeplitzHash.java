package io.flowstack.core.flow;

import java.util.Random;

/**
 * The Microsoft RSS Toeplitz hash with a programmable 40-byte key, as NICs compute it to pick a receive queue.
 * <p>
 * Definition (Microsoft, "RSS hashing functions"): for each bit of the input, most significant bit of the first
 * byte first, if the bit is set XOR the leftmost 32 bits of the key into the result; then shift the key left by
 * one bit. The input is the inbound tuple in network byte order as the packet arrived: source address,
 * destination address, source port, destination port. A 40-byte key covers inputs of up to 36 bytes (the IPv6
 * 4-tuple), since the last input bit uses key bits 287..318.
 * <p>
 * The hash is linear over GF(2): {@code H(a xor b) == H(a) xor H(b)}, and {@code H(0) == 0}. The fast methods use
 * that: each input byte position has a 256-entry table of its contribution, and the hash is the XOR of one
 * lookup per input byte. They allocate nothing. {@link #hash(byte[], int, int)} is the bit-by-bit definition,
 * kept as the reference the tables are tested against.
 * <p>
 * Instances are immutable and may be shared between threads.
 */
public final class ToeplitzHash
{
    /** Key length in bytes (320 bits), as NICs and the Microsoft specification use. */
    public static final int KEY_LENGTH = 40;

    /** Longest input the key covers: the IPv6 4-tuple (16 + 16 + 2 + 2 bytes). */
    static final int MAX_INPUT_LENGTH = KEY_LENGTH - 4;

    // Byte positions of the fields in the IPv4 input (RSS hash type TCP/UDP over IPv4).
    private static final int IPV4_SOURCE = 0;
    private static final int IPV4_DESTINATION = 4 * 256;
    private static final int IPV4_SOURCE_PORT = 8 * 256;
    private static final int IPV4_DESTINATION_PORT = 10 * 256;

    // Byte positions of the fields in the IPv6 input.
    private static final int IPV6_DESTINATION = 16;
    private static final int IPV6_SOURCE_PORT = 32 * 256;
    private static final int IPV6_DESTINATION_PORT = 34 * 256;

    private static final byte[] MICROSOFT_KEY = {
        (byte)0x6d, (byte)0x5a, (byte)0x56, (byte)0xda, (byte)0x25, (byte)0x5b, (byte)0x0e, (byte)0xc2,
        (byte)0x41, (byte)0x67, (byte)0x25, (byte)0x3d, (byte)0x43, (byte)0xa3, (byte)0x8f, (byte)0xb0,
        (byte)0xd0, (byte)0xca, (byte)0x2b, (byte)0xcb, (byte)0xae, (byte)0x7b, (byte)0x30, (byte)0xb4,
        (byte)0x77, (byte)0xcb, (byte)0x2d, (byte)0xa3, (byte)0x80, (byte)0x30, (byte)0xf2, (byte)0x0c,
        (byte)0x6a, (byte)0x42, (byte)0xb7, (byte)0x3b, (byte)0xbe, (byte)0xac, (byte)0x01, (byte)0xfa,
    };

    /** Bits of the destination port that the local port selector can choose; the most a table can use. */
    private static final int PORT_BITS = 16;

    private final byte[] key;

    /** {@code table[position * 256 + value]}: the hash of an input that is zero except byte position = value. */
    private final int[] table;

    /**
     * @param key 40-byte key; copied.
     * @throws IllegalArgumentException if the key is not {@link #KEY_LENGTH} bytes.
     */
    public ToeplitzHash(final byte[] key)
    {
        if (key == null || key.length != KEY_LENGTH)
        {
            throw new IllegalArgumentException(
                "Toeplitz key must be " + KEY_LENGTH + " bytes, got " + (key == null ? "null" : key.length));
        }
        this.key = key.clone();
        this.table = buildTable(this.key);
    }

    /**
     * @return a copy of the key.
     */
    public byte[] key()
    {
        return key.clone();
    }

    /**
     * The verification key of the Microsoft RSS specification (also the default key of many NIC drivers).
     *
     * @return a new copy of the key.
     */
    public static byte[] microsoftKey()
    {
        return MICROSOFT_KEY.clone();
    }

    /**
     * The symmetric key: {@code 6d 5a} repeated 20 times. Swapping source and destination (addresses and ports)
     * gives the same hash, because the key repeats every 16 bits and so does the field layout. The price: the
     * high 16 bits of every hash equal its low 16 bits.
     *
     * @return a new symmetric key.
     */
    public static byte[] symmetricKey()
    {
        final byte[] symmetric = new byte[KEY_LENGTH];
        for (int i = 0; i < KEY_LENGTH; i += 2)
        {
            symmetric[i] = (byte)0x6d;
            symmetric[i + 1] = (byte)0x5a;
        }
        return symmetric;
    }

    /**
     * A random key that outgoing port selection can use: the map from the 16 bits of the IPv4 destination port to
     * the low 16 bits of the hash is invertible over GF(2). Then for any table of up to 65536 entries every bucket
     * receives exactly {@code 65536 / size} of the local ports, whatever the other fields are (see
     * {@link LocalPortSelector}). Keys that fail the check (about half of them) are drawn again. A key of one
     * repeated byte never passes: it repeats every 8 bits, so port bits j and j + 8 hash alike.
     *
     * @param random source of key bytes; inject a seeded one for reproducible runs.
     * @return a new 40-byte key.
     */
    public static byte[] randomKey(final Random random)
    {
        final byte[] candidate = new byte[KEY_LENGTH];
        while (true)
        {
            random.nextBytes(candidate);
            if (!isOneRepeatedByte(candidate) && destinationPortRank(candidate, PORT_BITS) == PORT_BITS)
            {
                return candidate;
            }
        }
    }

    /**
     * Parses a key written as hex, such as ethtool prints it ({@code 6d:5a:56:...}) or as one run of digits
     * ({@code 6d5a56...}). Separators ':', '-' and ' ' may appear anywhere between digits and are ignored.
     *
     * @param hex the key text.
     * @return the 40-byte key.
     * @throws IllegalArgumentException with a one-line reason if the text is not exactly 40 bytes of hex.
     */
    public static byte[] parseKey(final String hex)
    {
        if (hex == null || hex.isBlank())
        {
            throw new IllegalArgumentException("Toeplitz key is empty: expected " + KEY_LENGTH + " hex bytes");
        }
        final byte[] out = new byte[KEY_LENGTH];
        int digits = 0;
        for (int i = 0; i < hex.length(); i++)
        {
            final char c = hex.charAt(i);
            if (c == ':' || c == '-' || c == ' ')
            {
                continue;
            }
            final int nibble = Character.digit(c, 16);
            if (nibble < 0)
            {
                // Control characters are named by code point so that the message stays on one line.
                final String shown = c < 0x20 || c > 0x7E ? String.format("U+%04X", (int)c) : "'" + c + "'";
                throw new IllegalArgumentException(
                    "Toeplitz key has " + shown + " at position " + i + ": expected hex digits and ':' '-' ' '");
            }
            if (digits < KEY_LENGTH * 2)
            {
                out[digits >> 1] |= (byte)(nibble << ((digits & 1) == 0 ? 4 : 0));
            }
            digits++;
        }
        if (digits != KEY_LENGTH * 2)
        {
            throw new IllegalArgumentException("Toeplitz key must be " + KEY_LENGTH + " bytes (" + KEY_LENGTH * 2 +
                " hex digits), got " + digits + " hex digit" + (digits == 1 ? "" : "s"));
        }
        return out;
    }

    /**
     * Hash of an IPv4 packet on addresses only (RSS hash type IPv4), as for non-first fragments.
     *
     * @param source      source address, as the int read big-endian from the header.
     * @param destination destination address.
     * @return the 32-bit hash.
     */
    public int hashIpv4(final int source, final int destination)
    {
        final int[] t = table;
        return t[IPV4_SOURCE + (source >>> 24)] ^
            t[IPV4_SOURCE + 256 + ((source >>> 16) & 0xFF)] ^
            t[IPV4_SOURCE + 512 + ((source >>> 8) & 0xFF)] ^
            t[IPV4_SOURCE + 768 + (source & 0xFF)] ^
            t[IPV4_DESTINATION + (destination >>> 24)] ^
            t[IPV4_DESTINATION + 256 + ((destination >>> 16) & 0xFF)] ^
            t[IPV4_DESTINATION + 512 + ((destination >>> 8) & 0xFF)] ^
            t[IPV4_DESTINATION + 768 + (destination & 0xFF)];
    }

    /**
     * Hash of an IPv4 TCP or UDP packet on its 4-tuple (RSS hash type TCP/IPv4): the 12-byte input is source
     * address, destination address, source port, destination port, all big-endian as on the wire.
     *
     * @param source          source address, as the int read big-endian from the header.
     * @param destination     destination address.
     * @param sourcePort      source port, 0..65535 (higher bits are ignored).
     * @param destinationPort destination port, 0..65535 (higher bits are ignored).
     * @return the 32-bit hash.
     */
    public int hashIpv4(final int source, final int destination, final int sourcePort, final int destinationPort)
    {
        final int[] t = table;
        return hashIpv4(source, destination) ^
            t[IPV4_SOURCE_PORT + ((sourcePort >>> 8) & 0xFF)] ^
            t[IPV4_SOURCE_PORT + 256 + (sourcePort & 0xFF)] ^
            t[IPV4_DESTINATION_PORT + ((destinationPort >>> 8) & 0xFF)] ^
            t[IPV4_DESTINATION_PORT + 256 + (destinationPort & 0xFF)];
    }

    /**
     * Hash of an IPv6 packet on addresses only (RSS hash type IPv6).
     *
     * @param source      the first 16 bytes are the source address, in network order.
     * @param destination the first 16 bytes are the destination address.
     * @return the 32-bit hash.
     */
    public int hashIpv6(final byte[] source, final byte[] destination)
    {
        final int[] t = table;
        int h = 0;
        for (int i = 0; i < 16; i++)
        {
            h ^= t[(i << 8) + (source[i] & 0xFF)] ^ t[((IPV6_DESTINATION + i) << 8) + (destination[i] & 0xFF)];
        }
        return h;
    }

    /**
     * Hash of an IPv6 TCP or UDP packet on its 4-tuple (RSS hash type TCP/IPv6): 36-byte input.
     *
     * @param source          the first 16 bytes are the source address, in network order.
     * @param destination     the first 16 bytes are the destination address.
     * @param sourcePort      source port, 0..65535.
     * @param destinationPort destination port, 0..65535.
     * @return the 32-bit hash.
     */
    public int hashIpv6(
        final byte[] source, final byte[] destination, final int sourcePort, final int destinationPort)
    {
        final int[] t = table;
        return hashIpv6(source, destination) ^
            t[IPV6_SOURCE_PORT + ((sourcePort >>> 8) & 0xFF)] ^
            t[IPV6_SOURCE_PORT + 256 + (sourcePort & 0xFF)] ^
            t[IPV6_DESTINATION_PORT + ((destinationPort >>> 8) & 0xFF)] ^
            t[IPV6_DESTINATION_PORT + 256 + (destinationPort & 0xFF)];
    }

    /**
     * Hash of an IPv6 packet on addresses only, the addresses as two longs each (the first 64 bits in the high
     * long): nothing is allocated.
     *
     * @param sh source, first 64 bits.
     * @param sl source, last 64 bits.
     * @param dh destination, first 64 bits.
     * @param dl destination, last 64 bits.
     * @return the 32-bit hash.
     */
    public int hashIpv6(final long sh, final long sl, final long dh, final long dl)
    {
        return word(0, sh) ^ word(8, sl) ^ word(IPV6_DESTINATION, dh) ^ word(IPV6_DESTINATION + 8, dl);
    }

    /**
     * Hash of an IPv6 TCP or UDP packet on its 4-tuple, the addresses as two longs each.
     *
     * @param sh              source, first 64 bits.
     * @param sl              source, last 64 bits.
     * @param dh              destination, first 64 bits.
     * @param dl              destination, last 64 bits.
     * @param sourcePort      source port, 0..65535.
     * @param destinationPort destination port, 0..65535.
     * @return the 32-bit hash.
     */
    public int hashIpv6(final long sh, final long sl, final long dh, final long dl, final int sourcePort,
        final int destinationPort)
    {
        final int[] t = table;
        return hashIpv6(sh, sl, dh, dl) ^
            t[IPV6_SOURCE_PORT + ((sourcePort >>> 8) & 0xFF)] ^
            t[IPV6_SOURCE_PORT + 256 + (sourcePort & 0xFF)] ^
            t[IPV6_DESTINATION_PORT + ((destinationPort >>> 8) & 0xFF)] ^
            t[IPV6_DESTINATION_PORT + 256 + (destinationPort & 0xFF)];
    }

    private int word(final int position, final long value)
    {
        final int[] t = table;
        int h = 0;
        for (int i = 0; i < 8; i++)
        {
            h ^= t[((position + i) << 8) + (int)((value >>> (56 - 8 * i)) & 0xFF)];
        }
        return h;
    }

    /**
     * The hash computed bit by bit, exactly as the specification states it. Slow; the reference for tests.
     *
     * @param input  bytes in network order.
     * @param offset first byte.
     * @param length number of bytes, at most 36 (the key covers no more).
     * @return the 32-bit hash.
     * @throws IllegalArgumentException if {@code length} is over 36.
     */
    public int hash(final byte[] input, final int offset, final int length)
    {
        if (length < 0 || length > MAX_INPUT_LENGTH)
        {
            throw new IllegalArgumentException("Toeplitz input must be 0.." + MAX_INPUT_LENGTH + " bytes, got " +
                length);
        }
        int result = 0;
        // The leftmost 32 bits of the key; each input bit shifts the next key bit in from the right.
        int window = ((key[0] & 0xFF) << 24) | ((key[1] & 0xFF) << 16) | ((key[2] & 0xFF) << 8) | (key[3] & 0xFF);
        int nextKeyBit = 32;
        for (int i = 0; i < length; i++)
        {
            final int b = input[offset + i] & 0xFF;
            for (int bit = 7; bit >= 0; bit--)
            {
                if (((b >>> bit) & 1) != 0)
                {
                    result ^= window;
                }
                window = (window << 1) | keyBit(key, nextKeyBit++);
            }
        }
        return result;
    }

    /**
     * Rank over GF(2) of the map from the low {@code bits} bits of the IPv4 destination port to the low
     * {@code bits} bits of the hash; {@code bits} when each of the {@code 2^bits} buckets gets the same number
     * of ports.
     *
     * @param key  40-byte key.
     * @param bits number of low hash bits (table size log2), 0..16.
     * @return the rank, 0..bits.
     */
    static int destinationPortRank(final byte[] key, final int bits)
    {
        final int mask = (1 << bits) - 1;
        // Row-reduced basis indexed by leading bit: a column joins if it is not a combination of earlier ones.
        final int[] basis = new int[PORT_BITS];
        int rank = 0;
        for (int j = 0; j < PORT_BITS; j++)
        {
            // Port bit j is input bit 80 + (15 - j) of the 12-byte IPv4 input.
            int v = window(key, 95 - j) & mask;
            for (int lead = bits - 1; lead >= 0 && v != 0; lead--)
            {
                if (((v >>> lead) & 1) != 0)
                {
                    if (basis[lead] == 0)
                    {
                        basis[lead] = v;
                        rank++;
                        v = 0;
                    }
                    else
                    {
                        v ^= basis[lead];
                    }
                }
            }
        }
        return rank;
    }

    private static boolean isOneRepeatedByte(final byte[] key)
    {
        for (int i = 1; i < key.length; i++)
        {
            if (key[i] != key[0])
            {
                return false;
            }
        }
        return true;
    }

    private static int[] buildTable(final byte[] key)
    {
        final int[] table = new int[MAX_INPUT_LENGTH * 256];
        for (int position = 0; position < MAX_INPUT_LENGTH; position++)
        {
            final int base = position << 8;
            for (int value = 1; value < 256; value++)
            {
                // Linearity: the hash of a byte value is the XOR of the hashes of its bits. Peel off the lowest
                // set bit (bit b of the byte is input bit 8 * position + 7 - b) and reuse the smaller entry.
                final int lowest = Integer.numberOfTrailingZeros(value);
                table[base + value] = table[base + (value & (value - 1))] ^ window(key, 8 * position + 7 - lowest);
            }
        }
        return table;
    }

    /**
     * @return the 32 key bits starting at bit {@code bitOffset} (bit 0 is the most significant bit of byte 0).
     */
    private static int window(final byte[] key, final int bitOffset)
    {
        final int first = bitOffset >>> 3;
        long bits = 0;
        for (int i = 0; i < 5; i++)
        {
            final int index = first + i;
            bits = (bits << 8) | (index < key.length ? key[index] & 0xFF : 0);
        }
        return (int)(bits >>> (8 - (bitOffset & 7)));
    }

    private static int keyBit(final byte[] key, final int bitIndex)
    {
        final int index = bitIndex >>> 3;
        return index < key.length ? (key[index] >>> (7 - (bitIndex & 7))) & 1 : 0;
    }
}
