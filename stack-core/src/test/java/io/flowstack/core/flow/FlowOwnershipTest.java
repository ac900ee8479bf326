package io.flowstack.core.flow;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowOwnershipTest
{
    private static final int UDP = 17;
    private static final int TCP = 6;
    private static final int ICMP = 1;
    private static final int LOCAL = 0xC612_0002;

    private static FlowOwnership ownership(final int cores, final SteeringRules rules, final int[] designated, final int[] classes)
    {
        final IndirectionTable table = IndirectionTable.uniform(IndirectionTable.DEFAULT_SIZE, cores);
        return new FlowOwnership(cores, new ToeplitzHash(ToeplitzHash.microsoftKey()), table, rules, designated, classes);
    }

    private static int[] all(final int cores)
    {
        final int[] c = new int[cores];
        java.util.Arrays.fill(c, FlowOwnership.ALL_CLASSES);
        return c;
    }

    @Test
    void shouldCheckRulesBeforeDesignationAndHash()
    {
        final FlowOwnership o = ownership(2, new SteeringRules().add(SteeringRule.parse("udp:53@1")), new int[]{0}, all(2));
        for (int port = 1000; port < 1100; port++)
        {
            assertEquals(1, o.ownerOfFlow(0, UDP, 0xC612_0001, LOCAL, port, 53), "rule wins");
            assertEquals(0, o.ownerOfFlow(0, UDP, 0xC612_0001, LOCAL, port, 54), "designated interface");
        }
        assertEquals(0, o.ownerOfNonIp(0));
    }

    @Test
    void shouldApplyRulesToIpv6FlowsAsToIpv4Ones()
    {
        final long lh = 0x2001_0002_0000_0000L;
        final long ll = 2;
        final SteeringRules rules = new SteeringRules()
            .add(SteeringRule.parse("udp:53@1"))
            .add(SteeringRule.parse("tcp:[2001:2::2]:80@2"))
            .add(SteeringRule.parse("icmpv6:[2001:2::2]@2"));
        final FlowOwnership o = ownership(3, rules, new int[]{FlowOwnership.HASHED, 0}, all(3));
        final Random random = new Random(2);
        final int[] tcp81 = new int[3];
        for (int i = 0; i < 3000; i++)
        {
            final long rh = random.nextLong();
            final long rl = random.nextLong();
            final int port = 1024 + random.nextInt(60000);
            assertEquals(1, o.ownerOfFlow6(0, UDP, rh, rl, lh, ll, port, 53), "a rule without address: both families");
            assertEquals(1, o.ownerOfFlow6(1, UDP, rh, rl, lh, ll, port, 53), "a rule comes before designation");
            assertEquals(2, o.ownerOfFlow6(0, TCP, rh, rl, lh, ll, port, 80), "an IPv6 address rule");
            assertEquals(2, o.ownerOfAddresses6(0, 58, rh, rl, lh, ll), "an IPv6 address rule without port");
            tcp81[o.ownerOfFlow6(0, TCP, rh, rl, lh, ll + 1, port, 80)]++;
            // An outgoing flow never gets a local port a rule steers to another core.
            final int local = o.selectLocalPort6(0, 0, TCP, lh, ll, rh, rl, 443, 80, 81, port, p -> false);
            assertTrue(local == -1 || local == 81, "port 80 is ruled to core 2: " + local);
        }
        assertTrue(tcp81[0] > 800 && tcp81[1] > 800 && tcp81[2] > 800, "another address is hashed");
    }

    @Test
    void shouldGiveNoHashedFlowsOfAProtocolToACoreThatDoesNotRunIt()
    {
        // Core 1 runs ICMP only: it takes hashed ICMP but no hashed UDP or TCP; a rule may still steer UDP there.
        final int icmpOnly = 1 << FlowOwnership.CLASS_ICMP;
        final FlowOwnership o = ownership(2, new SteeringRules().add(SteeringRule.parse("udp:53@1")),
            new int[]{FlowOwnership.HASHED}, new int[]{FlowOwnership.ALL_CLASSES, icmpOnly});
        final Random random = new Random(1);
        int icmpOnCore1 = 0;
        for (int i = 0; i < 5000; i++)
        {
            final int remote = random.nextInt();
            final int port = 1024 + random.nextInt(60000);
            assertEquals(0, o.ownerOfFlow(0, UDP, remote, LOCAL, port, 7));
            assertEquals(0, o.ownerOfFlow(0, TCP, remote, LOCAL, port, 80));
            assertEquals(1, o.ownerOfFlow(0, UDP, remote, LOCAL, port, 53));
            icmpOnCore1 += o.ownerOfAddresses(0, ICMP, remote, LOCAL);
        }
        assertTrue(icmpOnCore1 > 2000 && icmpOnCore1 < 3000, "ICMP still hashed over both cores: " + icmpOnCore1);
        assertTrue(o.runs(1, ICMP));
        assertTrue(!o.runs(1, UDP));
    }

    @Test
    void shouldRefuseAProtocolThatNoCoreRuns()
    {
        final int icmpOnly = 1 << FlowOwnership.CLASS_ICMP;
        assertThrows(IllegalArgumentException.class,
            () -> ownership(1, new SteeringRules(), new int[]{FlowOwnership.HASHED}, new int[]{icmpOnly}));
    }

    @Test
    void shouldHandOutPortsOfADesignatedInterfaceOnlyOnItsCore()
    {
        final FlowOwnership o = ownership(2, new SteeringRules(), new int[]{1}, all(2));
        assertEquals(-1, o.selectLocalPort(0, 0, UDP, LOCAL, 0xC612_0001, 9000, 32768, 60999, 0, p -> false));
        final int port = o.selectLocalPort(1, 0, UDP, LOCAL, 0xC612_0001, 9000, 32768, 60999, 0, p -> false);
        assertTrue(port >= 32768 && port <= 60999);
    }

    @Property(tries = 300)
    void shouldPickLocalPortsWhoseRepliesComeBackToTheCore(
        @ForAll @IntRange(min = 1, max = 16) final int cores,
        @ForAll final int remote,
        @ForAll @IntRange(min = 1, max = 65535) final int remotePort,
        @ForAll final int start)
    {
        final FlowOwnership o = ownership(cores, new SteeringRules(), new int[]{FlowOwnership.HASHED}, all(cores));
        for (int core = 0; core < cores; core++)
        {
            final int port = o.selectLocalPort(core, 0, TCP, LOCAL, remote, remotePort, 1024, 65535, start, p -> false);
            assertTrue(port >= 1024, "a port for core " + core);
            assertEquals(core, o.ownerOfFlow(0, TCP, remote, LOCAL, remotePort, port));
        }
    }

    @Test
    void shouldMoveFlowsWhenReprogrammed()
    {
        final FlowOwnership o = ownership(2, new SteeringRules(), new int[]{FlowOwnership.HASHED}, all(2));
        final IndirectionTable everythingOnOne = IndirectionTable.uniform(IndirectionTable.DEFAULT_SIZE, 1);
        for (int b = 0; b < everythingOnOne.size(); b++)
        {
            everythingOnOne.set(b, 1);
        }
        o.reprogram(everythingOnOne);
        for (int port = 1000; port < 1200; port++)
        {
            assertEquals(1, o.ownerOfFlow(0, UDP, 0xC612_0001, LOCAL, port, 7));
        }
    }
}
