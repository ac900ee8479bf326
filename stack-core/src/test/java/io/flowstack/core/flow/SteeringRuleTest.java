package io.flowstack.core.flow;

import io.flowstack.core.wire.AddressBits;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static io.flowstack.core.flow.ToeplitzHashTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact-match steering rules: the text form and first-match lookup.
 */
class SteeringRuleTest
{
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ICMP = 1;
    private static final int ADDRESS = 0xC6120002; // 198.18.0.2
    private static final long MAPPED = AddressBits.ipv4Low(ADDRESS);
    /** 2001:2::2. */
    private static final long V6_HIGH = 0x2001_0002_0000_0000L;
    private static final long V6_LOW = 2;

    @Test
    void shouldParseTheTextForms()
    {
        final SteeringRule dns = SteeringRule.parse("udp:53@1");
        assertEquals(UDP, dns.protocol());
        assertEquals(53, dns.localPort());
        assertFalse(dns.hasLocalAddress());
        assertEquals(1, dns.core());

        final SteeringRule web = SteeringRule.parse("TCP:8080@0");
        assertEquals(TCP, web.protocol());
        assertEquals(8080, web.localPort());
        assertEquals(0, web.core());

        final SteeringRule ping = SteeringRule.parse("icmp@0");
        assertEquals(ICMP, ping.protocol());
        assertEquals(SteeringRule.ANY_PORT, ping.localPort());

        final SteeringRule addressed = SteeringRule.parse(" udp:198.18.0.2:53@1 ");
        assertTrue(addressed.hasLocalAddress());
        assertEquals(ADDRESS, addressed.localAddress());
        assertEquals(53, addressed.localPort());

        final SteeringRule allUdp = SteeringRule.parse("udp:198.18.0.2@3");
        assertEquals(ADDRESS, allUdp.localAddress());
        assertEquals(SteeringRule.ANY_PORT, allUdp.localPort());
        assertEquals(3, allUdp.core());

        assertEquals(132, SteeringRule.parse("132@2").protocol());
        assertEquals(58, SteeringRule.parse("icmpv6@2").protocol());
        assertEquals(new SteeringRule(UDP, 53, 1), dns);
        assertEquals(new SteeringRule(UDP, ADDRESS, 53, 1), addressed);
        assertFalse(addressed.hasIpv6Address());

        final SteeringRule v6 = SteeringRule.parse("tcp:[2001:2:0::2]:80@1");
        assertTrue(v6.hasLocalAddress());
        assertTrue(v6.hasIpv6Address());
        assertEquals(V6_HIGH, v6.localHigh());
        assertEquals(V6_LOW, v6.localLow());
        assertEquals(0, v6.localAddress());
        assertEquals(80, v6.localPort());
        assertEquals(new SteeringRule(TCP, V6_HIGH, V6_LOW, 80, 1), v6);
        final SteeringRule allV6 = SteeringRule.parse("icmpv6:[2001:2::2]@0");
        assertEquals(SteeringRule.ANY_PORT, allV6.localPort());
        assertEquals(58, allV6.protocol());
    }

    @Test
    void shouldPrintTheTextFormBack()
    {
        for (final String text : new String[] {
            "udp:53@1", "tcp:8080@0", "icmp@0", "udp:198.18.0.2:53@1", "tcp:255.255.255.255@7", "132@2",
            "tcp:[2001:2::2]:80@1", "udp:[fe80::1]@0", "icmpv6:[2001:2:0:1::]@3"})
        {
            assertEquals(text, SteeringRule.parse(text).toString());
            assertEquals(SteeringRule.parse(text), SteeringRule.parse(SteeringRule.parse(text).toString()));
        }
    }

    @Test
    void shouldRejectMalformedRulesWithOneLineReasons()
    {
        for (final String text : new String[] {
            "", " ", "udp:53", "udp:53@", "udp:53@-1", "udp:53@x", "udp:53@1@2", "@1", "foo:53@1", "udp:0@1",
            "udp:65536@1", "udp:-5@1", "udp:+5@1", "icmp:5@0", "udp:198.18.0:53@1", "udp:198.18.0.256:53@1",
            "udp:1.2.3.4:5:6@1", "udp:5:6@1", "udp::53@1", "256@1", "udp:53@99999999999", "udp:5\n3@1",
            "udp:2001:2::2:53@1", "udp:[2001:2::2:53@1", "udp:2001:2::2]:53@1", "udp:[2001:2::zz]:53@1",
            "udp:[198.18.0.2]:53@1", "udp:[::ffff:198.18.0.2]:53@1", "udp:[2001:2::2]53@1", "udp:[2001:2::2]:0@1",
            "icmpv6:[2001:2::2]:5@1", "[2001:2::2]:53@1", "udp:[]:53@1", "udp:[2001:2::2%eth0]:53@1",
            "udp:[[2001:2::2]]:53@1", "udp:[2001:2::2]:[53]@1", "udp:[example.com]:53@1"})
        {
            final IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SteeringRule.parse(text), text);
            assertOneLine(e);
        }
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> SteeringRule.parse(null)));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new SteeringRule(ICMP, 5, 0)));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new SteeringRule(300, 5, 0)));
    }

    @Test
    void shouldMatchTheFirstRuleInOrder()
    {
        final SteeringRules rules = new SteeringRules()
            .add(SteeringRule.parse("udp:198.18.0.2:53@1"))
            .add(SteeringRule.parse("udp:53@2"))
            .add(SteeringRule.parse("tcp:8080@0"))
            .add(SteeringRule.parse("icmp@3"));
        assertEquals(4, rules.size());
        assertEquals("udp:198.18.0.2:53@1,udp:53@2,tcp:8080@0,icmp@3", rules.toString());
        assertEquals(SteeringRule.parse("tcp:8080@0"), rules.get(2));

        assertEquals(1, rules.match(UDP, 0, MAPPED, 53));
        assertEquals(2, rules.match(UDP, 0, MAPPED + 1, 53));
        assertEquals(-1, rules.match(UDP, 0, MAPPED, 54));
        assertEquals(-1, rules.match(TCP, 0, MAPPED, 53));
        assertEquals(0, rules.match(TCP, 0, AddressBits.ipv4Low(0), 8080));
        assertEquals(3, rules.match(ICMP, 0, MAPPED, 0));
        assertEquals(3, rules.match(ICMP, 0, 0, -1));
        assertEquals(-1, rules.match(58, 0, MAPPED, 0));
        assertEquals(-1, new SteeringRules().match(UDP, 0, MAPPED, 53));
        assertEquals("", new SteeringRules().toString());
        // Rules without an address take IPv6 packets too; the IPv4 address rule does not match an IPv6 address.
        assertEquals(2, rules.match(UDP, V6_HIGH, V6_LOW, 53));
        assertEquals(0, rules.match(TCP, V6_HIGH, V6_LOW, 8080));
    }

    @Test
    void shouldMatchAnIpv6AddressOnlyInItsOwnFamily()
    {
        final SteeringRules rules = new SteeringRules()
            .add(SteeringRule.parse("udp:[2001:2::2]:53@1"))
            .add(SteeringRule.parse("udp:198.18.0.2:53@2"))
            .add(SteeringRule.parse("tcp:[2001:2::2]@3"));
        assertEquals("udp:[2001:2::2]:53@1,udp:198.18.0.2:53@2,tcp:[2001:2::2]@3", rules.toString());
        assertEquals(1, rules.match(UDP, V6_HIGH, V6_LOW, 53));
        assertEquals(2, rules.match(UDP, 0, MAPPED, 53));
        assertEquals(-1, rules.match(UDP, V6_HIGH, V6_LOW + 1, 53));
        assertEquals(-1, rules.match(UDP, V6_HIGH ^ 1L << 63, V6_LOW, 53), "the high half counts");
        // ::2 and ::ffff:0.0.0.2 share their low bits with nothing above: the low half alone never matches.
        assertEquals(-1, rules.match(UDP, 0, V6_LOW, 53));
        assertEquals(3, rules.match(TCP, V6_HIGH, V6_LOW, 9));
    }

    @Property(tries = 300)
    void shouldMatchOnlyItsOwnTuple(
        @ForAll final int address,
        @ForAll @IntRange(min = 1, max = 65535) final int port,
        @ForAll final int otherAddress,
        @ForAll @IntRange(min = 1, max = 65535) final int otherPort)
    {
        final SteeringRule rule = new SteeringRule(TCP, address, port, 5);
        final long mapped = AddressBits.ipv4Low(address);
        assertEquals(rule, SteeringRule.parse(rule.toString()));
        assertTrue(rule.matches(TCP, 0, mapped, port));
        assertFalse(rule.matches(UDP, 0, mapped, port));
        assertEquals(otherAddress == address, rule.matches(TCP, 0, AddressBits.ipv4Low(otherAddress), port));
        assertEquals(otherPort == port, rule.matches(TCP, 0, mapped, otherPort));
    }

    @Property(tries = 300)
    void shouldMatchOnlyItsOwnIpv6Tuple(
        @ForAll final long high,
        @ForAll final long low,
        @ForAll @IntRange(min = 1, max = 65535) final int port,
        @ForAll final long otherHigh,
        @ForAll final long otherLow)
    {
        final SteeringRule rule = new SteeringRule(UDP, high, low, port, 2);
        assertEquals(rule, SteeringRule.parse(rule.toString()), rule.toString());
        assertEquals(!AddressBits.isIpv4(high, low), rule.hasIpv6Address());
        assertTrue(rule.matches(UDP, high, low, port));
        assertEquals(otherHigh == high && otherLow == low, rule.matches(UDP, otherHigh, otherLow, port));
        assertFalse(rule.matches(UDP, otherHigh, low, port) && otherHigh != high);
        assertFalse(rule.matches(UDP, high, otherLow, port) && otherLow != low);
    }
}
