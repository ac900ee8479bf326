package io.flowstack.tap.steer;

import io.flowstack.core.flow.ToeplitzHash;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The parity form the BPF programs compute equals the hash's low bits, with and without ports, IPv4 and IPv6.
 */
class ToeplitzMasksProperties
{
    @Property(tries = 300)
    void paritiesAreTheLowBitsOfTheHash(@ForAll final long keySeed, @ForAll final int source,
        @ForAll final int destination, @ForAll @IntRange(max = 65535) final int sourcePort,
        @ForAll @IntRange(max = 65535) final int destinationPort, @ForAll @IntRange(max = 16) final int bits)
    {
        final byte[] key = new byte[ToeplitzHash.KEY_LENGTH];
        new Random(keySeed).nextBytes(key);
        final ToeplitzHash hash = new ToeplitzHash(key);
        final int[][] masks = ToeplitzMasks.of(key, bits, ToeplitzMasks.WORDS);
        final int ports = sourcePort << 16 | destinationPort;
        final int mask = (1 << bits) - 1;
        assertEquals(hash.hashIpv4(source, destination, sourcePort, destinationPort) & mask,
            lowBits(masks, source, destination, ports));
        assertEquals(hash.hashIpv4(source, destination) & mask, lowBits(masks, source, destination, 0));
    }

    @Property(tries = 300)
    void ipv6ParitiesAreTheLowBitsOfTheHash(@ForAll final long keySeed, @ForAll final long sh, @ForAll final long sl,
        @ForAll final long dh, @ForAll final long dl, @ForAll @IntRange(max = 65535) final int sourcePort,
        @ForAll @IntRange(max = 65535) final int destinationPort, @ForAll @IntRange(max = 16) final int bits)
    {
        final byte[] key = new byte[ToeplitzHash.KEY_LENGTH];
        new Random(keySeed).nextBytes(key);
        final ToeplitzHash hash = new ToeplitzHash(key);
        final int[][] masks = ToeplitzMasks.of(key, bits, ToeplitzMasks.WORDS6);
        final int mask = (1 << bits) - 1;
        final int[] words = {(int)(sh >>> 32), (int)sh, (int)(sl >>> 32), (int)sl, (int)(dh >>> 32), (int)dh,
            (int)(dl >>> 32), (int)dl, sourcePort << 16 | destinationPort};
        assertEquals(hash.hashIpv6(sh, sl, dh, dl, sourcePort, destinationPort) & mask, lowBits(masks, words));
        words[8] = 0;
        assertEquals(hash.hashIpv6(sh, sl, dh, dl) & mask, lowBits(masks, words));
    }

    private static int lowBits(final int[][] masks, final int[] words)
    {
        int bucket = 0;
        for (int j = 0; j < masks.length; j++)
        {
            int x = 0;
            for (int w = 0; w < words.length; w++)
            {
                x ^= words[w] & masks[j][w];
            }
            bucket |= (Integer.bitCount(x) & 1) << j;
        }
        return bucket;
    }

    private static int lowBits(final int[][] masks, final int source, final int destination, final int ports)
    {
        int bucket = 0;
        for (int j = 0; j < masks.length; j++)
        {
            final int x = source & masks[j][0] ^ destination & masks[j][1] ^ ports & masks[j][2];
            bucket |= (Integer.bitCount(x) & 1) << j;
        }
        return bucket;
    }
}
