package io.flowstack.ip.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TCP options: Linux's layouts, illegal lengths refused (RFC 9293 MUST-7), unknown options skipped (MUST-6),
 * window scale clamped (RFC 7323 2.3).
 */
class TcpOptionsTest
{
    private final TcpOptions options = new TcpOptions();

    private int parse(final String hex)
    {
        final UnsafeBuffer buffer = Hex.buffer("ee " + hex + " ee");
        return options.parse(buffer, 1, buffer.capacity() - 2);
    }

    private String emitted()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[TcpFlyweight.MAX_OPTIONS_LENGTH + 2]);
        buffer.setMemory(0, buffer.capacity(), (byte)0xEE);
        final int length = options.emit(buffer, 1);
        assertEquals(options.length(), length);
        assertEquals(0, length % 4, "options end on a 32-bit boundary");
        assertEquals((byte)0xEE, buffer.getByte(0));
        assertEquals((byte)0xEE, buffer.getByte(length + 1), "nothing written past length()");
        return Hex.hex(buffer, 1, length);
    }

    @Test
    void shouldRefuseIllegalLengths()
    {
        final String[] bad = {
            "02",                               // kind without a length byte
            "08 00 00 00",                      // length 0 (RFC 9293 MUST-7's example)
            "22 01 00 00",                      // unknown kind, length 1
            "02 04 05",                         // MSS running past the end
            "02 03 05 01",                      // MSS length 3
            "02 05 05 b4 00",                   // MSS length 5
            "03 02 01 01",                      // window scale length 2
            "03 04 07 00",                      // window scale length 4
            "04 03 00 01",                      // SACK-permitted length 3
            "08 09 00 00 00 00 00 00 00 01",    // timestamps length 9
            "08 0b 00 00 00 00 00 00 00 00 00 01",
            "01 01 05 02",                      // SACK without blocks
            "01 01 05 06 00 00 00 01",          // SACK with half a block
            "01 01 05 0b 00 00 00 01 00 00 00 02 00", // SACK length 11
            "01 01 22 06 00 00",                // unknown kind running past the end
        };
        for (final String hex : bad)
        {
            assertEquals(TcpFlyweight.BAD_OPTIONS, parse(hex), hex);
            assertEquals(TcpFlyweight.BAD_OPTIONS,
                TcpOptions.validate(Hex.buffer(hex), 0, Hex.bytes(hex).length), hex);
            assertEquals(TcpOptions.ABSENT, options.mss(), "cleared after a failure");
        }
    }

    @Test
    void shouldClearPartialResultOnFailure()
    {
        assertEquals(TcpFlyweight.BAD_OPTIONS, parse("02 04 05 b4 01 03 03 07 08 00"));
        assertEquals(TcpOptions.ABSENT, options.mss());
        assertEquals(TcpOptions.ABSENT, options.windowScale());
    }

    @Test
    void shouldSkipUnknownOptionsAndStopAtEol()
    {
        // Kind 30 (MPTCP) with 4 bytes of its own, then MSS; after EOL anything may follow.
        assertEquals(TcpFlyweight.VALID, parse("1e 06 00 01 02 03 02 04 02 18 00 02 01 ff"));
        assertEquals(536, options.mss());
        assertEquals(TcpOptions.ABSENT, options.windowScale(), "bytes after EOL are padding");

        assertEquals(TcpFlyweight.VALID, parse(""));
        assertEquals(TcpFlyweight.VALID, parse("01 01 01 01"));
        assertEquals(TcpFlyweight.VALID, parse("00 00 00 00"));
        assertEquals(TcpOptions.ABSENT, options.mss());
    }

    @Test
    void shouldClampWindowScaleAbove14()
    {
        assertEquals(TcpFlyweight.VALID, parse("01 03 03 0e"));
        assertEquals(14, options.windowScale());
        assertFalse(options.windowScaleClamped());

        assertEquals(TcpFlyweight.VALID, parse("01 03 03 0f"));
        assertEquals(14, options.windowScale(), "RFC 7323 2.3: MUST use 14");
        assertTrue(options.windowScaleClamped());

        assertEquals(TcpFlyweight.VALID, parse("01 03 03 ff"));
        assertEquals(14, options.windowScale());
        assertTrue(options.windowScaleClamped());

        assertEquals(TcpFlyweight.VALID, parse("01 03 03 00"));
        assertEquals(0, options.windowScale(), "shift 0 is present, unlike an absent option");
        assertFalse(options.windowScaleClamped());
    }

    @Test
    void shouldReadFourSackBlocks()
    {
        assertEquals(TcpFlyweight.VALID, parse(
            "05 22 00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04" +
            "ff ff ff f0 00 00 00 10 80 00 00 00 80 00 00 01 01 01"));
        assertEquals(4, options.sackBlockCount());
        assertEquals(1, options.sackLeft(0));
        assertEquals(2, options.sackRight(0));
        assertEquals(0xFFFF_FFF0, options.sackLeft(2));
        assertEquals(0x10, options.sackRight(2));
        assertEquals(0x8000_0001, options.sackRight(3));
    }

    @Test
    void shouldKeepLastOfRepeatedOption()
    {
        assertEquals(TcpFlyweight.VALID, parse("02 04 05 b4 02 04 02 18"));
        assertEquals(536, options.mss());
    }

    @Test
    void shouldEmitInLinuxOrder()
    {
        options.reset().mss(1460).sackPermitted(true).timestamps(0xf76cbfa9, 0).windowScale(7);
        assertEquals("02 04 05 b4 04 02 08 0a f7 6c bf a9 00 00 00 00 01 03 03 07", emitted());

        options.reset().mss(1460).sackPermitted(true).windowScale(7);
        assertEquals("02 04 05 b4 01 01 04 02 01 03 03 07", emitted());

        options.reset().mss(1460).timestamps(1, 2);
        assertEquals("02 04 05 b4 01 01 08 0a 00 00 00 01 00 00 00 02", emitted());

        options.reset().mss(536);
        assertEquals("02 04 02 18", emitted());

        options.reset().windowScale(0);
        assertEquals("01 03 03 00", emitted());

        options.reset();
        assertEquals("", emitted());
    }

    @Test
    void shouldEmitOnlySackBlocksThatFit()
    {
        options.reset().timestamps(1, 2);
        for (int i = 0; i < 4; i++)
        {
            assertTrue(options.addSackBlock(i * 100, i * 100 + 10));
        }
        assertFalse(options.addSackBlock(1, 2), "at most four blocks");
        assertEquals(40, options.length(), "timestamps leave room for three blocks");
        assertEquals(
            "01 01 08 0a 00 00 00 01 00 00 00 02 01 01 05 1a" +
            " 00 00 00 00 00 00 00 0a 00 00 00 64 00 00 00 6e 00 00 00 c8 00 00 00 d2",
            emitted());

        options.clearTimestamps();
        assertEquals(36, options.length(), "without timestamps all four fit");

        options.mss(1460).windowScale(7).timestamps(1, 2);
        assertEquals(40, options.length(), "MSS, timestamps and window scale leave room for two");
        options.sackPermitted(true).clearSackBlocks();
        assertEquals(20, options.length());
    }

    @Test
    void shouldRoundTripThroughParse()
    {
        options.reset().mss(9000).sackPermitted(true).timestamps(-1, 0x8000_0000).windowScale(14);
        options.addSackBlock(0xFFFF_FF00, 0x100);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[40]);
        final int length = options.emit(buffer, 0);

        final TcpOptions parsed = new TcpOptions();
        assertEquals(TcpFlyweight.VALID, parsed.parse(buffer, 0, length));
        assertEquals(options.toString(), parsed.toString());
        assertEquals(9000, parsed.mss());
        assertEquals(0xFFFF_FF00, parsed.sackLeft(0));
    }
}
