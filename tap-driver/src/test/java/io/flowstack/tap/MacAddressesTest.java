package io.flowstack.tap;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MacAddressesTest
{
    @Test
    void shouldFormatAndParseLikeIpDoes()
    {
        assertEquals("02:00:5e:10:00:ff", MacAddresses.toString(0x02005e1000ffL));
        assertEquals(0x02005e1000ffL, MacAddresses.parse("02:00:5E:10:00:FF"));
        assertEquals(0x02005e1000ffL, MacAddresses.parse("02-00-5e-10-00-ff"));
        assertThrows(IllegalArgumentException.class, () -> MacAddresses.parse("02:00:5e:10:00"));
        assertThrows(IllegalArgumentException.class, () -> MacAddresses.parse("02:00:5e:10:00:fff"));
    }

    @Test
    void shouldClassifyAddresses()
    {
        assertTrue(MacAddresses.isLocallyAdministered(0x020000000001L));
        assertFalse(MacAddresses.isLocallyAdministered(0x001b21000001L));
        assertTrue(MacAddresses.isUnicast(0x020000000001L));
        assertFalse(MacAddresses.isUnicast(MacAddresses.BROADCAST));
        assertFalse(MacAddresses.isUnicast(0x01005e000001L));
    }

    @Test
    void shouldWriteInWireOrder()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[8]);
        MacAddresses.write(b, 1, 0x0a0b0c0d0e0fL);
        assertEquals(0x0a, b.getByte(1));
        assertEquals(0x0f, b.getByte(6));
        assertEquals(0x0a0b0c0d0e0fL, MacAddresses.read(b, 1));
    }
}
