package io.flowstack.tcp.socket;

import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
/**
 * The blocking API on a core whose buffer memory runs out: a connection's send buffer that cannot get its ring
 * takes nothing, and the socket keeps those bytes until memory frees, instead of dropping them.
 */
class FlowSocketMemoryTest
{
    private static final int A = Ipv4Flyweight.parseAddress("198.18.0.1");
    private static final int B = Ipv4Flyweight.parseAddress("198.18.0.2");
    private static final int BUFFER = 1 << 16;

    private final FlowStack a;
    private final FlowStack b;

    FlowSocketMemoryTest() throws Exception
    {
        final MemoryDriver da = new MemoryDriver(0, 0x02_00_00_00_00_01L, 1500, 1 << 24);
        final MemoryDriver db = new MemoryDriver(0, 0x02_00_00_00_00_02L, 1500, 1 << 24);
        MemoryDriver.link(da, db);
        a = FlowStack.builder().cores(1).addInterface(new IpInterface(0, 0x02_00_00_00_00_01L, A, 24, 1500, 0),
            NetworkDevice.shared(da)).build().start();
        // The echo server's core has memory for one ring at a time: its receive and send rings take turns.
        final TcpConfig tight = TcpConfig.DEFAULT.withBuffers(BUFFER).withLimits(TcpLimits.DEFAULT.withBufferMemory(BUFFER));
        b = FlowStack.builder().cores(1).tcp(tight).addInterface(new IpInterface(0, 0x02_00_00_00_00_02L, B, 24, 1500, 0),
            NetworkDevice.shared(db)).build().start();
    }

    @AfterEach
    void stop()
    {
        a.close();
        b.close();
    }

    @Test
    void shouldEchoEveryByteWhileTheCoresBufferMemoryTakesTurns() throws Exception
    {
        final FlowServerSocket server = FlowServerSocket.listen(b, 7, 16);
        final byte[] data = new byte[1 << 20];
        new Random(5).nextBytes(data);
        StreamEcho.echoAndCheck(server, a, 0, B, data, Duration.ofSeconds(20));
        server.close();
    }
}
