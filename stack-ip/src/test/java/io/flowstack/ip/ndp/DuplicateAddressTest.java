package io.flowstack.ip.ndp;

import io.flowstack.ip.Frames6;
import io.flowstack.ip.StackHarness;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.net.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.flowstack.ip.StackHarness.PEER_IP6;
import static io.flowstack.ip.StackHarness.PEER_MAC;
import static io.flowstack.ip.StackHarness.STACK_IP6;
import static io.flowstack.ip.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Duplicate address detection's outcome (RFC 4862 5.4.3-5.4.5, RFC 4429): while our addresses are optimistic, an
 * advertisement for one of them, or another node's probe for it, makes it a duplicate: counted, one line, no
 * longer answered for or sent from, while the other address carries on; once detection is over, a conflict is
 * counted and the address defended and kept.
 */
class DuplicateAddressTest
{
    private static final IpAddress ALL_NODES = IpAddress.parse("ff02::1");
    private static final IpAddress STACK_SOLICITED = IpAddress.parse("ff02::1:ff00:2");
    private static final long ALL_NODES_MAC = 0x3333_0000_0001L;
    private static final long STACK_SOLICITED_MAC = 0x3333_FF00_0002L;

    private final StackHarness h = StackHarness.dualStack();
    private final List<String> notices = new ArrayList<>();
    private IpAddress linkLocal;

    @BeforeEach
    void start()
    {
        h.stack.notices(notices::add);
        final IpInterface ifc = h.stack.ipv6().interfaceAt(0);
        linkLocal = IpAddress.of(IpInterface.LINK_LOCAL_HIGH, ifc.linkLocalLow());
        h.engine.start();
        h.transmitted();
    }

    @AfterEach
    void noLeak()
    {
        assertEquals(h.pool.capacity(), h.pool.available(), "every buffer back in the pool");
    }

    /** Another node advertises our address, unsolicited, to all nodes (RFC 4861 7.2.6). */
    private static byte[] advertisementOf(final IpAddress target)
    {
        return Frames6.ipv6(ALL_NODES_MAC, PEER_MAC, PEER_IP6, ALL_NODES, Frames6.ICMPV6, 255,
            Frames6.icmpv6(PEER_IP6, ALL_NODES, 136, 0, NdpLayer.FLAG_OVERRIDE, Frames6.ndBody(target, 2, PEER_MAC)));
    }

    private static byte[] echoTo(final IpAddress destination)
    {
        return Frames6.ipv6(STACK_MAC, PEER_MAC, PEER_IP6, destination, Frames6.ICMPV6, 64,
            Frames6.icmpv6(PEER_IP6, destination, 128, 0, 0x0001_0001, new byte[8]));
    }

    private boolean routes(final IpAddress destination)
    {
        return h.stack.network().route(new Route(), destination.high(), destination.low());
    }

    @Test
    void shouldGiveUpAnOptimisticAddressThatAnotherNodeAdvertises()
    {
        h.learnPeer6();
        assertTrue(routes(PEER_IP6));
        assertEquals(0, h.exchange(advertisementOf(STACK_IP6)).size(), "nothing to say to the owner");
        assertEquals(1, h.counters.get("ndp.dad.conflicts"));
        assertEquals(1, h.counters.get("ndp.dad.duplicates"));
        assertTrue(h.stack.isDuplicate(0, STACK_IP6));
        assertFalse(h.stack.isDuplicate(0, linkLocal));
        assertEquals(1, notices.size(), "one line: " + notices);
        assertTrue(notices.get(0).contains("2001:2::2") && notices.get(0).contains("duplicate"), notices.get(0));

        // Not answered for: neither an echo nor a solicitation; not sent from: no route to a global destination.
        assertEquals(0, h.exchange(echoTo(STACK_IP6)).size());
        assertEquals(0, h.exchange(Frames6.ipv6(STACK_SOLICITED_MAC, PEER_MAC, PEER_IP6, STACK_SOLICITED,
            Frames6.ICMPV6, 255, Frames6.icmpv6(PEER_IP6, STACK_SOLICITED, 135, 0, 0,
                Frames6.ndBody(STACK_IP6, 1, PEER_MAC)))).size());
        assertFalse(routes(PEER_IP6), "no source for a global destination");
        assertEquals(1, h.counters.get("ipv6.rx.not_for_us"), "the echo to the duplicate");

        // The link-local address carries on.
        final List<byte[]> reply = h.exchange(echoTo(linkLocal));
        assertEquals(1, reply.size());
        assertEquals(129, reply.get(0)[54] & 0xFF);
        // A second advertisement is a conflict again, not a second duplicate or line.
        h.exchange(advertisementOf(STACK_IP6));
        assertEquals(2, h.counters.get("ndp.dad.conflicts"));
        assertEquals(1, h.counters.get("ndp.dad.duplicates"));
        assertEquals(1, notices.size());
    }

    @Test
    void shouldGiveUpAnOptimisticAddressThatAnotherNodeProbesFor()
    {
        // RFC 4862 5.4.3: a probe from the unspecified address for our optimistic link-local address.
        final IpAddress solicited = IpAddress.of(0xFF02_0000_0000_0000L,
            0x0000_0001_FF00_0000L | (linkLocal.low() & 0xFF_FFFFL));
        final List<byte[]> out = h.exchange(Frames6.ipv6(0x3333_FF00_0000L | (linkLocal.low() & 0xFF_FFFFL),
            PEER_MAC, IpAddress.IPV6_ANY, solicited, Frames6.ICMPV6, 255,
            Frames6.icmpv6(IpAddress.IPV6_ANY, solicited, 135, 0, 0, Frames6.ndBody(linkLocal, 1, 0))));
        assertEquals(0, out.size(), "not defended: it is theirs");
        assertTrue(h.stack.isDuplicate(0, linkLocal));
        assertFalse(h.stack.isDuplicate(0, STACK_IP6));
        assertEquals(1, h.counters.get("ndp.dad.duplicates"));
        assertFalse(routes(IpAddress.parse("fe80::1")), "no source for a link-local destination");
        // The global address still answers, from itself.
        h.learnPeer6();
        assertEquals(1, h.exchange(echoTo(STACK_IP6)).size());
    }

    @Test
    void shouldDefendAndKeepAnAddressOnceDetectionIsOver()
    {
        h.clock.advance(NdpLayer.RETRANS_TIMER_NS);
        h.learnPeer6();
        assertEquals(0, h.exchange(advertisementOf(STACK_IP6)).size());
        assertEquals(1, h.counters.get("ndp.dad.conflicts"), "counted");
        assertEquals(0, h.counters.get("ndp.dad.duplicates"), "but ours: detection is over");
        assertFalse(h.stack.isDuplicate(0, STACK_IP6));
        assertTrue(notices.isEmpty());
        assertEquals(1, h.exchange(echoTo(STACK_IP6)).size());
        // Another node's probe for it is answered with an advertisement to all nodes (RFC 4862 5.4.3).
        final List<byte[]> defended = h.exchange(Frames6.ipv6(STACK_SOLICITED_MAC, PEER_MAC, IpAddress.IPV6_ANY,
            STACK_SOLICITED, Frames6.ICMPV6, 255, Frames6.icmpv6(IpAddress.IPV6_ANY, STACK_SOLICITED, 135, 0, 0,
                Frames6.ndBody(STACK_IP6, 1, 0))));
        assertEquals(1, defended.size());
        assertEquals(136, defended.get(0)[54] & 0xFF);
        assertFalse(h.stack.isDuplicate(0, STACK_IP6));
    }
}
