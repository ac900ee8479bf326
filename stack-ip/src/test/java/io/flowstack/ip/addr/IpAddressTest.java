package io.flowstack.ip.addr;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpAddressTest
{
    @Test
    void shouldHoldIpv4AsItsMappedForm()
    {
        final IpAddress a = IpAddress.parse("198.18.0.1");
        assertTrue(a.isIpv4());
        assertEquals(IpAddress.IPV4, a.family());
        assertEquals(0, a.high());
        assertEquals(0x0000_FFFF_C612_0001L, a.low());
        assertEquals(0xC612_0001, a.ipv4());
        assertEquals("198.18.0.1", a.toString());
        assertEquals(a, IpAddress.parse("::ffff:198.18.0.1"), "RFC 4291 2.5.5.2: the mapped form is the same address");
        assertArrayEquals(new byte[]{(byte)198, 18, 0, 1}, a.toBytes());
    }

    @Test
    void shouldPrintIpv6AsRfc5952Says()
    {
        // RFC 5952 4: lower case, no leading zeros, the longest run of zero words as "::", the first on a tie, a
        // single zero word not shortened.
        assertEquals("2001:2::1", IpAddress.parse("2001:0002:0000:0000:0000:0000:0000:0001").toString());
        assertEquals("2001:db8::1:0:0:1", IpAddress.parse("2001:db8:0:0:1:0:0:1").toString());
        assertEquals("2001:db8:0:1:1:1:1:1", IpAddress.parse("2001:db8:0:1:1:1:1:1").toString());
        assertEquals("2001:0:0:1::1", IpAddress.parse("2001:0:0:1:0:0:0:1").toString());
        assertEquals("fe80::2:ff:fe00:2", IpAddress.parse("FE80::2:FF:FE00:2").toString());
        assertEquals("::", IpAddress.IPV6_ANY.toString());
        assertEquals("::1", IpAddress.parse("::1").toString());
        assertEquals("ff02::1:ff00:2", IpAddress.parse("ff02:0:0:0:0:1:ff00:2").toString());
    }

    @Test
    void shouldRefuseWhatIsNotALiteral()
    {
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("198.18.0"));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("2001:2::1%eth0"));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("2001:2::1::2"));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("300.1.1.1"));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(""));
        assertThrows(IllegalStateException.class, () -> IpAddress.parse("2001:2::1").ipv4());
    }

    @Test
    void shouldTellWildcards()
    {
        assertTrue(IpAddress.IPV4_ANY.isAny());
        assertTrue(IpAddress.IPV6_ANY.isAny());
        assertFalse(IpAddress.parse("::1").isAny());
        assertNotEquals(IpAddress.IPV4_ANY, IpAddress.IPV6_ANY);
        assertFalse(IpAddress.IPV6_ANY.isIpv4());
    }

    @Property
    void shouldRoundTripThroughTextBytesAndInetAddress(@ForAll final long high, @ForAll final long low)
        throws Exception
    {
        final IpAddress a = IpAddress.of(high, low);
        assertEquals(a, IpAddress.parse(a.toString()));
        assertEquals(a, IpAddress.of(a.toBytes()));
        assertEquals(a, IpAddress.of(a.toInetAddress()));
        assertEquals(a, IpAddress.of(InetAddress.getByName(a.toString())));
        assertEquals(a.hashCode(), IpAddress.of(high, low).hashCode());
        assertEquals(IpAddress.isIpv4(high, low), a.isIpv4());
    }

    @Property
    void shouldRoundTripIpv4(@ForAll final int address)
    {
        final IpAddress a = IpAddress.ofIpv4(address);
        assertEquals(address, a.ipv4());
        assertEquals(a, IpAddress.parse(a.toString()));
        assertEquals(a, IpAddress.of(a.toInetAddress()));
        assertEquals(IpAddress.ipv4Low(address), a.low());
    }
}
