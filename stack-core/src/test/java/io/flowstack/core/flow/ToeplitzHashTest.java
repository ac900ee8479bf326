package io.flowstack.core.flow;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Toeplitz hash against the Microsoft RSS verification suite, the bit-by-bit definition, and its algebra.
 */
class ToeplitzHashTest
{
    private static final ToeplitzHash MICROSOFT = new ToeplitzHash(ToeplitzHash.microsoftKey());

    /** Microsoft RSS verification suite, IPv4: source, source port, destination, destination port, hashes. */
    private static final Object[][] IPV4_VECTORS = {
        {"66.9.149.187", 2794, "161.142.100.80", 1766, 0x323e8fc2, 0x51ccc178},
        {"199.92.111.2", 14230, "65.69.140.83", 4739, 0xd718262a, 0xc626b0ea},
        {"24.19.198.95", 12898, "12.22.207.184", 38024, 0xd2d0a5de, 0x5c2b394a},
        {"38.27.205.30", 48228, "209.142.163.6", 2217, 0x82989176, 0xafc7327f},
        {"153.39.163.191", 44251, "202.188.127.2", 1303, 0x5d1809c5, 0x10e828a2},
    };

    /** Microsoft RSS verification suite, IPv6. */
    private static final Object[][] IPV6_VECTORS = {
        {"3ffe:2501:200:1fff::7", 2794, "3ffe:2501:200:3::1", 1766, 0x2cc18cd5, 0x40207d3d},
        {"3ffe:501:8::260:97ff:fe40:efab", 14230, "ff02::1", 4739, 0x0f0c461c, 0xdde51bbf},
        {"3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251, "fe80::200:f8ff:fe21:67cf", 38024, 0x4b61e985, 0x02d1feef},
    };

    private static volatile int sink;

    @Test
    void shouldMatchMicrosoftIpv4Vectors()
    {
        for (final Object[] v : IPV4_VECTORS)
        {
            final byte[] source = address((String)v[0]);
            final byte[] destination = address((String)v[2]);
            final int sourcePort = (Integer)v[1];
            final int destinationPort = (Integer)v[3];
            final int addressesOnly = (Integer)v[4];
            final int withPorts = (Integer)v[5];
            final int s = ByteBuffer.wrap(source).getInt();
            final int d = ByteBuffer.wrap(destination).getInt();

            assertEquals(addressesOnly, MICROSOFT.hashIpv4(s, d), () -> "table, addresses: " + v[0]);
            assertEquals(withPorts, MICROSOFT.hashIpv4(s, d, sourcePort, destinationPort),
                () -> "table, 4-tuple: " + v[0]);

            final byte[] input = input(source, destination, sourcePort, destinationPort);
            assertEquals(addressesOnly, MICROSOFT.hash(input, 0, 8), () -> "reference, addresses: " + v[0]);
            assertEquals(withPorts, MICROSOFT.hash(input, 0, 12), () -> "reference, 4-tuple: " + v[0]);
        }
    }

    @Test
    void shouldMatchMicrosoftIpv6Vectors()
    {
        for (final Object[] v : IPV6_VECTORS)
        {
            final byte[] source = address((String)v[0]);
            final byte[] destination = address((String)v[2]);
            final int sourcePort = (Integer)v[1];
            final int destinationPort = (Integer)v[3];
            final int addressesOnly = (Integer)v[4];
            final int withPorts = (Integer)v[5];

            assertEquals(addressesOnly, MICROSOFT.hashIpv6(source, destination), () -> "table, addresses: " + v[0]);
            assertEquals(withPorts, MICROSOFT.hashIpv6(source, destination, sourcePort, destinationPort),
                () -> "table, 4-tuple: " + v[0]);

            final byte[] input = input(source, destination, sourcePort, destinationPort);
            assertEquals(addressesOnly, MICROSOFT.hash(input, 0, 32), () -> "reference, addresses: " + v[0]);
            assertEquals(withPorts, MICROSOFT.hash(input, 0, 36), () -> "reference, 4-tuple: " + v[0]);
        }
    }

    @Test
    void shouldHashAtAnOffset()
    {
        final Object[] v = IPV4_VECTORS[0];
        final byte[] tuple = input(address((String)v[0]), address((String)v[2]), (Integer)v[1], (Integer)v[3]);
        final byte[] shifted = new byte[tuple.length + 5];
        System.arraycopy(tuple, 0, shifted, 5, tuple.length);
        assertEquals((Integer)v[5], MICROSOFT.hash(shifted, 5, 12));
        assertEquals(0, MICROSOFT.hash(shifted, 0, 0));
    }

    @Property(tries = 300)
    void shouldMatchReferenceForIpv4(
        @ForAll @Size(ToeplitzHash.KEY_LENGTH) final byte[] key,
        @ForAll final int source,
        @ForAll final int destination,
        @ForAll @IntRange(max = 65535) final int sourcePort,
        @ForAll @IntRange(max = 65535) final int destinationPort)
    {
        final ToeplitzHash hash = new ToeplitzHash(key);
        final byte[] input = input(ipv4(source), ipv4(destination), sourcePort, destinationPort);
        assertEquals(hash.hash(input, 0, 8), hash.hashIpv4(source, destination));
        assertEquals(hash.hash(input, 0, 12), hash.hashIpv4(source, destination, sourcePort, destinationPort));
    }

    @Property(tries = 300)
    void shouldMatchReferenceForIpv6(
        @ForAll @Size(ToeplitzHash.KEY_LENGTH) final byte[] key,
        @ForAll @Size(16) final byte[] source,
        @ForAll @Size(16) final byte[] destination,
        @ForAll @IntRange(max = 65535) final int sourcePort,
        @ForAll @IntRange(max = 65535) final int destinationPort)
    {
        final ToeplitzHash hash = new ToeplitzHash(key);
        final byte[] input = input(source, destination, sourcePort, destinationPort);
        assertEquals(hash.hash(input, 0, 32), hash.hashIpv6(source, destination));
        assertEquals(hash.hash(input, 0, 36), hash.hashIpv6(source, destination, sourcePort, destinationPort));
    }

    @Property(tries = 300)
    void shouldGiveEqualHashesForSwappedTuplesWithSymmetricKey(
        @ForAll final int a,
        @ForAll final int b,
        @ForAll @Size(16) final byte[] a6,
        @ForAll @Size(16) final byte[] b6,
        @ForAll @IntRange(max = 65535) final int portA,
        @ForAll @IntRange(max = 65535) final int portB)
    {
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.symmetricKey());
        assertEquals(hash.hashIpv4(a, b), hash.hashIpv4(b, a));
        assertEquals(hash.hashIpv4(a, b, portA, portB), hash.hashIpv4(b, a, portB, portA));
        assertEquals(hash.hashIpv6(a6, b6), hash.hashIpv6(b6, a6));
        assertEquals(hash.hashIpv6(a6, b6, portA, portB), hash.hashIpv6(b6, a6, portB, portA));

        // steering-facts.md: the price of symmetry is that the high 16 bits equal the low 16 bits.
        final int h = hash.hashIpv4(a, b, portA, portB);
        assertEquals(h >>> 16, h & 0xFFFF);
    }

    @Property(tries = 300)
    void shouldBeLinearOverGf2(
        @ForAll @Size(ToeplitzHash.KEY_LENGTH) final byte[] key,
        @ForAll @Size(36) final byte[] x,
        @ForAll @Size(36) final byte[] y,
        @ForAll @IntRange(max = 36) final int length)
    {
        final ToeplitzHash hash = new ToeplitzHash(key);
        final byte[] xor = new byte[36];
        for (int i = 0; i < xor.length; i++)
        {
            xor[i] = (byte)(x[i] ^ y[i]);
        }
        assertEquals(hash.hash(x, 0, length) ^ hash.hash(y, 0, length), hash.hash(xor, 0, length));

        final ByteBuffer bx = ByteBuffer.wrap(x);
        final ByteBuffer by = ByteBuffer.wrap(y);
        final int s1 = bx.getInt(0);
        final int d1 = bx.getInt(4);
        final int s2 = by.getInt(0);
        final int d2 = by.getInt(4);
        final int p1 = bx.getInt(8);
        final int p2 = by.getInt(8);
        assertEquals(hash.hashIpv4(s1, d1, p1 >>> 16, p1 & 0xFFFF) ^ hash.hashIpv4(s2, d2, p2 >>> 16, p2 & 0xFFFF),
            hash.hashIpv4(s1 ^ s2, d1 ^ d2, (p1 ^ p2) >>> 16, (p1 ^ p2) & 0xFFFF));
        assertEquals(0, hash.hashIpv4(0, 0, 0, 0));
    }

    @Test
    void shouldDrawRandomKeysWithFullRankPortMapForEveryTableSize()
    {
        final Random random = new Random(7);
        for (int i = 0; i < 20; i++)
        {
            final byte[] key = ToeplitzHash.randomKey(random);
            assertEquals(ToeplitzHash.KEY_LENGTH, key.length);
            final ToeplitzHash hash = new ToeplitzHash(key);
            for (int size = 1; size <= IndirectionTable.MAX_SIZE; size <<= 1)
            {
                final LocalPortSelector selector = new LocalPortSelector(hash, new IndirectionTable(size));
                assertEquals(Integer.numberOfTrailingZeros(size), selector.rank(), "table size " + size);
            }
        }
        assertArrayEquals(ToeplitzHash.randomKey(new Random(99)), ToeplitzHash.randomKey(new Random(99)));
    }

    @Test
    void shouldNeverDrawAKeyOfOneRepeatedByte()
    {
        // A Random that returns one repeated byte first: randomKey must draw again rather than return it.
        final Random repeatedFirst = new Random(5)
        {
            private boolean first = true;

            @Override
            public void nextBytes(final byte[] bytes)
            {
                if (first)
                {
                    java.util.Arrays.fill(bytes, (byte)0x05);
                    first = false;
                }
                else
                {
                    super.nextBytes(bytes);
                }
            }
        };
        final byte[] key = ToeplitzHash.randomKey(repeatedFirst);
        assertNotEquals(0x05050505, ByteBuffer.wrap(key).getInt());

        // steering-facts.md: such a key reaches only a fraction of a 128-entry table.
        final byte[] repeated = new byte[ToeplitzHash.KEY_LENGTH];
        java.util.Arrays.fill(repeated, (byte)0x05);
        assertTrue(ToeplitzHash.destinationPortRank(repeated, 7) < 7);
    }

    @Test
    void shouldBuildTheKnownKeys()
    {
        final byte[] symmetric = ToeplitzHash.symmetricKey();
        for (int i = 0; i < ToeplitzHash.KEY_LENGTH; i += 2)
        {
            assertEquals((byte)0x6d, symmetric[i]);
            assertEquals((byte)0x5a, symmetric[i + 1]);
        }
        final byte[] microsoft = ToeplitzHash.microsoftKey();
        assertEquals(0x6d5a56da, ByteBuffer.wrap(microsoft).getInt(0));
        assertEquals(0xbeac01fa, ByteBuffer.wrap(microsoft).getInt(36));
    }

    @Test
    void shouldCopyTheKeyInAndOut()
    {
        final byte[] key = ToeplitzHash.microsoftKey();
        final ToeplitzHash hash = new ToeplitzHash(key);
        key[0] = 0;
        assertArrayEquals(ToeplitzHash.microsoftKey(), hash.key());
        hash.key()[1] = 0;
        assertArrayEquals(ToeplitzHash.microsoftKey(), hash.key());
        assertEquals(0x51ccc178, hash.hashIpv4(0x420995bb, 0xa18e6450, 2794, 1766));
    }

    @Test
    void shouldRejectKeysOfWrongLength()
    {
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new ToeplitzHash(new byte[39])));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new ToeplitzHash(new byte[41])));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new ToeplitzHash(null)));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> MICROSOFT.hash(new byte[37], 0, 37)));
    }

    @Test
    void shouldParseKeysWithAndWithoutSeparators()
    {
        final byte[] expected = ToeplitzHash.microsoftKey();
        final String colons = "6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:" +
            "ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa";
        assertArrayEquals(expected, ToeplitzHash.parseKey(colons));
        assertArrayEquals(expected, ToeplitzHash.parseKey(colons.replace(":", "")));
        assertArrayEquals(expected, ToeplitzHash.parseKey(colons.replace(':', '-').toUpperCase()));
        assertArrayEquals(expected, ToeplitzHash.parseKey(colons.replace(':', ' ')));
        assertArrayEquals(expected, ToeplitzHash.parseKey(" " + colons.replace(":", "").replaceAll("(.{8})", "$1 ")));
        assertArrayEquals(ToeplitzHash.symmetricKey(), ToeplitzHash.parseKey("6d5a".repeat(20)));
    }

    @Test
    void shouldRejectMalformedKeysWithOneLineReasons()
    {
        final String good = "6d5a".repeat(20);
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> ToeplitzHash.parseKey(good + "00")));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> ToeplitzHash.parseKey(good.substring(2))));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> ToeplitzHash.parseKey(good + "0")));
        assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> ToeplitzHash.parseKey("6g" + good.substring(2))));
        assertOneLine(assertThrows(IllegalArgumentException.class,
            () -> ToeplitzHash.parseKey("0x" + good.substring(2))));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> ToeplitzHash.parseKey("")));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> ToeplitzHash.parseKey(null)));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> ToeplitzHash.parseKey("6d:5a\n" + good.substring(4)));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("position 5"), e.getMessage());
    }

    @Test
    void shouldNotAllocateWhenHashingIpv4Tuples()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ToeplitzHash hash = new ToeplitzHash(ToeplitzHash.randomKey(new Random(1)));
        sink = hashMany(hash, 300_000, 3); // warm up, let the JIT compile it

        final long overheadStart = threads.getCurrentThreadAllocatedBytes();
        final long overheadEnd = threads.getCurrentThreadAllocatedBytes();
        final long start = threads.getCurrentThreadAllocatedBytes();
        sink = hashMany(hash, 100_000, 11);
        final long end = threads.getCurrentThreadAllocatedBytes();

        final long allocated = (end - start) - (overheadEnd - overheadStart);
        assertTrue(allocated < 1024, () -> "allocated " + allocated + " bytes over 100,000 hashes");
    }

    private static int hashMany(final ToeplitzHash hash, final int count, final int seed)
    {
        int h = seed;
        for (int i = 0; i < count; i++)
        {
            h = hash.hashIpv4(h, i * 0x9E3779B9, i & 0xFFFF, (h >>> 7) & 0xFFFF) ^ i;
        }
        return h;
    }

    static void assertOneLine(final IllegalArgumentException e)
    {
        final String message = e.getMessage();
        assertTrue(message != null && !message.isBlank(), "message present");
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "one line: " + message);
    }

    private static byte[] address(final String literal)
    {
        try
        {
            // Literals only: InetAddress parses them without a name lookup.
            return InetAddress.getByName(literal).getAddress();
        }
        catch (final UnknownHostException e)
        {
            throw new AssertionError(e);
        }
    }

    private static byte[] ipv4(final int address)
    {
        return ByteBuffer.allocate(4).putInt(address).array();
    }

    private static byte[] input(
        final byte[] source, final byte[] destination, final int sourcePort, final int destinationPort)
    {
        return ByteBuffer.allocate(source.length + destination.length + 4)
            .put(source).put(destination).putShort((short)sourcePort).putShort((short)destinationPort).array();
    }
}
