package io.flowstack.tcp;

import io.flowstack.core.counter.CounterDescriptor;
import io.flowstack.core.counter.CounterKind;
import io.flowstack.core.counter.CounterSnapshot;
import io.flowstack.core.counter.CountersFactory;
import io.flowstack.core.counter.StackCounter;
import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.core.engine.EngineCounter;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.ip.arp.ArpCounter;
import io.flowstack.ip.icmp.IcmpCounter;
import io.flowstack.ip.icmp6.Icmpv6Counter;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.ipv4.Ipv4Counter;
import io.flowstack.ip.ipv4.ReassemblyCounter;
import io.flowstack.ip.ipv6.Ipv6Counter;
import io.flowstack.ip.ipv6.Ipv6ReassemblyCounter;
import io.flowstack.ip.link.EthernetCounter;
import io.flowstack.ip.ndp.NdpCounter;
import io.flowstack.ip.udp.UdpCounter;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.socket.FlowServerSocket;
import io.flowstack.tcp.socket.SocketCounter;
import io.flowstack.tcp.tcb.TcpCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every counter a stack allocates is declared once, by its layer's descriptor enum, with its kind and unit; and
 * what a reader in another process sees of a counter (its key) says the same. The stack has both families and a
 * blocking listener, so every layer allocates its counters.
 */
class CounterDeclarationTest
{
    /** Every layer's declarations. */
    private static final List<Class<? extends Enum<? extends CounterDescriptor>>> LAYERS = List.of(
        StackCounter.class, EngineCounter.class, EthernetCounter.class, ArpCounter.class, NdpCounter.class,
        IcmpCounter.class, Icmpv6Counter.class, Ipv4Counter.class, ReassemblyCounter.class, Ipv6Counter.class,
        Ipv6ReassemblyCounter.class, UdpCounter.class, TcpCounter.class, SocketCounter.class, SteeringCounter.class);

    private static Map<String, CounterDescriptor> declared()
    {
        final Map<String, CounterDescriptor> byLabel = new HashMap<>();
        for (final Class<? extends Enum<? extends CounterDescriptor>> layer : LAYERS)
        {
            for (final Enum<? extends CounterDescriptor> e : layer.getEnumConstants())
            {
                final CounterDescriptor d = (CounterDescriptor)e;
                assertNull(byLabel.put(d.label(), d), d.label() + " declared twice");
                assertFalse(d.unit().isEmpty(), d.label() + " has a unit");
                assertTrue(d.label().matches("[a-z0-9_]+(\\.[a-z0-9_]+)+"), d.label());
            }
        }
        return byLabel;
    }

    @Test
    void shouldAllocateOnlyDeclaredCountersWithTheirKindAndUnit() throws Exception
    {
        final Map<String, CounterDescriptor> declared = declared();
        final CountersManager manager = CountersFactory.inMemory(4096);
        final MemoryDriver driver = new MemoryDriver(0, 0x02_00_00_00_00_02L, 1500, 1 << 10);
        try (FlowStack stack = FlowStack.builder()
            .cores(2)
            .counters(manager)
            .addInterface(new IpInterface(0, 0x02_00_00_00_00_02L, Ipv4Flyweight.parseAddress("198.18.0.2"), 24, 1500,
                0).withIpv6(IpAddress.parse("2001:2::2"), 64), NetworkDevice.shared(driver))
            .build();
            FlowServerSocket server = FlowServerSocket.listen(stack, 8080, 16))
        {
            final CounterSnapshot snapshot = CounterSnapshot.of(manager);
            final List<String> undeclared = new ArrayList<>();
            for (final String label : snapshot.labels())
            {
                final CounterDescriptor d = declared.get(label);
                if (d == null)
                {
                    undeclared.add(label);
                    continue;
                }
                assertEquals(new CounterSnapshot.Declaration(d.kind(), d.unit()), snapshot.declaration(label), label);
            }
            assertEquals(List.of(), undeclared, "allocated without a declaration");
            assertEquals(List.of(0, 1), List.copyOf(snapshot.cores()));
            assertEquals(CounterKind.GAUGE, snapshot.declaration("flows.owned").kind());
            assertEquals("bytes", snapshot.declaration("engine.bytes_in").unit());
            assertEquals(CounterKind.GAUGE, snapshot.declaration("tcp.memory.bytes").kind());
            for (final String label : List.of("tcp.rx.segments", "ndp.rx.solicitations", "icmp6.rx.messages",
                "ipv6.rx.packets", "ipv6.reasm.fragments", "ndp.resolved", "arp.resolved", "eth.rx.frames",
                "tcp.accept_queue.overflows", "engine.queues_failed"))
            {
                assertTrue(snapshot.labels().contains(label), label + " is allocated, so checked");
            }
        }
    }
}
