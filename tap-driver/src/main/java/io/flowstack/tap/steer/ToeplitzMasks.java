package io.flowstack.tap.steer;

/**
 * The low bits of the Toeplitz hash as parities, the form both BPF programs compute them in.
 * <p>
 * The hash is linear over GF(2) (see {@link io.flowstack.core.flow.ToeplitzHash}): input bit i (i = 0 is the most
 * significant bit of the first byte) XORs key bits i..i+31 into the result, so hash bit j (j = 0 the least
 * significant) receives key bit i + 31 - j. Bit j of the hash of the IPv4 tuple is therefore the parity of
 * {@code (source & m[j][0]) ^ (destination & m[j][1]) ^ (ports & m[j][2])}, with the three 32-bit words as read
 * big-endian from the header ({@code ports = sourcePort << 16 | destinationPort}). Setting {@code ports} to zero
 * gives the addresses-only hash. IPv6 is the same over nine words: the source's four, the destination's four, the
 * ports (a 36-byte input: input bit 287 meets key bit 318, inside the 40-byte key). The indirection table takes the
 * low bits, so a program needs only log2(table size) parities, whatever the key.
 */
final class ToeplitzMasks
{
    /** Words of the IPv4 input: source, destination, ports. */
    static final int WORDS = 3;
    /** Words of the IPv6 input: source (4), destination (4), ports. */
    static final int WORDS6 = 9;

    private ToeplitzMasks()
    {
    }

    /**
     * @param key   the 40-byte key.
     * @param bits  low hash bits wanted (log2 of the table size), 0..16.
     * @param words 32-bit words of the input: {@link #WORDS} (IPv4) or {@link #WORDS6} (IPv6).
     * @return {@code masks[j][w]}: the bits of word w whose parity is hash bit j.
     */
    static int[][] of(final byte[] key, final int bits, final int words)
    {
        final int[][] masks = new int[bits][words];
        for (int j = 0; j < bits; j++)
        {
            for (int w = 0; w < words; w++)
            {
                int mask = 0;
                for (int b = 0; b < 32; b++)
                {
                    // Bit b of word w is input bit 32w + 31 - b; its key bit for hash bit j is that + 31 - j.
                    if (keyBit(key, 32 * w + 31 - b + 31 - j))
                    {
                        mask |= 1 << b;
                    }
                }
                masks[j][w] = mask;
            }
        }
        return masks;
    }

    private static boolean keyBit(final byte[] key, final int index)
    {
        final int at = index >>> 3;
        return at < key.length && ((key[at] >>> (7 - (index & 7))) & 1) != 0;
    }
}
