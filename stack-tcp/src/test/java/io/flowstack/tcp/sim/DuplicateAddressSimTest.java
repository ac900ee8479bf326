package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.ip.addr.IpAddress;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hosts start with the same IPv6 address: each hears the other's duplicate address detection probe while its
 * own address is optimistic (RFC 4862 5.4.3), and both give it up, on every core (the core that takes Neighbor
 * Discovery tells the others), with one line each; their link-local addresses stay.
 */
class DuplicateAddressSimTest
{
    private static final long MS = 1_000_000L;
    private static final IpAddress SHARED = IpAddress.parse("2001:2::2");

    @Test
    void shouldGiveUpAnAddressTwoHostsClaimOnEveryCore()
    {
        final List<String> notices = new CopyOnWriteArrayList<>();
        try (SimNetwork net = new SimNetwork(7))
        {
            final SimHost a = net.newHost("a").cores(2).address("198.18.0.1/24").ipv6(SHARED + "/64")
                .configure(b -> b.notices(notices::add)).build();
            final SimHost b = net.newHost("b").cores(1).address("198.18.0.2/24").ipv6(SHARED + "/64")
                .configure(x -> x.notices(notices::add)).build();
            net.connect(a, b, FaultProfile.parse("delay=1ms"), FaultProfile.parse("delay=1ms"));
            net.runFor(100 * MS);
            for (int core = 0; core < 2; core++)
            {
                assertTrue(a.stack().ip(core).isDuplicate(0, SHARED), "host a, core " + core);
                final long linkLocalLow = a.stack().ip(core).ipv6().interfaceAt(0).linkLocalLow();
                assertFalse(a.stack().ip(core).isDuplicate(0, IpAddress.of(0xFE80_0000_0000_0000L, linkLocalLow)));
            }
            assertTrue(b.stack().ip(0).isDuplicate(0, SHARED), "host b");
            assertEquals(1, a.counter("ndp.dad.duplicates"), "one core found it, the other was told");
            assertEquals(1, b.counter("ndp.dad.duplicates"));
            assertEquals(2, notices.size(), "one line per host: " + notices);
        }
    }
}
