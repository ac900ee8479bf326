package io.flowstack.tcp;

import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.NetworkDevice;
import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-core API's errors, as a Java application expects them: at the call, with the JDK's exception types and
 * messages, and never a stack trace printed by a core for an application's mistake.
 */
class CoreContextTest
{
    private static final int ADDRESS = Ipv4Flyweight.parseAddress("198.18.0.2");

    private final List<String> notices = new CopyOnWriteArrayList<>();
    private final List<Throwable> coreErrors = new CopyOnWriteArrayList<>();
    private FlowStack stack;

    private FlowStack.Builder builder()
    {
        final MemoryDriver driver = new MemoryDriver(0, 0x02_00_00_00_00_02L, 1500, 1 << 20);
        return FlowStack.builder().cores(2)
            .addInterface(new IpInterface(0, 0x02_00_00_00_00_02L, ADDRESS, 24, 1500, 0), NetworkDevice.shared(driver))
            .notices(notices::add)
            .errorHandler(coreErrors::add);
    }

    @AfterEach
    void close()
    {
        if (stack != null)
        {
            stack.close();
        }
        assertEquals(List.of(), coreErrors, "a core reported an exception through its error handler");
    }

    @Test
    void shouldThrowBindExceptionForAPortInUseOrOutOfRange() throws Exception
    {
        stack = builder().onEachCore(core -> core.listen(7, c -> null)).build();
        final CoreContext core = stack.core(0);
        assertEquals("Address already in use: TCP port 7 listens on core 0",
            assertThrows(BindException.class, () -> core.listen(7, c -> null)).getMessage());
        assertEquals("Invalid port 0: a port to listen on is 1..65535",
            assertThrows(BindException.class, () -> core.listen(0, c -> null)).getMessage());
        assertEquals("Invalid port 70000: a port to listen on is 1..65535",
            assertThrows(BindException.class, () -> core.listen(70000, c -> null)).getMessage());
        core.bindUdp(53, (ep, src, port, buf, off, len) -> { });
        assertEquals("Address already in use: UDP port 53 is bound on core 0",
            assertThrows(BindException.class, () -> core.bindUdp(53, (ep, src, port, buf, off, len) -> { })).getMessage());
        assertEquals("Invalid port 70000: a port to listen on is 1..65535",
            assertThrows(BindException.class, () -> core.bindUdp(70000, (ep, src, port, buf, off, len) -> { }))
                .getMessage());
    }

    @Test
    void shouldFailTheBuildWithTheSetupsBindException()
    {
        final BindException e = assertThrows(BindException.class, () -> builder()
            .onEachCore(core -> core.listen(7, c -> null))
            .onEachCore(core -> core.listen(7, c -> null))
            .build());
        assertEquals("Address already in use: TCP port 7 listens on core 0", e.getMessage());
    }

    @Test
    void shouldThrowConnectExceptionWithoutARoute() throws Exception
    {
        stack = builder().build();
        final int elsewhere = Ipv4Flyweight.parseAddress("203.0.113.9");
        assertEquals("Network is unreachable: no interface routes to 203.0.113.9",
            assertThrows(ConnectException.class, () -> stack.core(0).connect(elsewhere, 80, null)).getMessage());
        assertEquals("Network is unreachable: no interface routes to 203.0.113.9",
            assertThrows(ConnectException.class, () -> stack.core(0).openUdp(elsewhere, 53, null)).getMessage());
    }

    @Test
    void shouldNameTheThreadWhenCalledFromAnotherThread() throws Exception
    {
        stack = builder().build().start();
        final CompletableFuture<String> coreThread = new CompletableFuture<>();
        stack.core(1).submit(core -> coreThread.complete(Thread.currentThread().getName()));
        assertEquals("flowstack-core-1", coreThread.get(5, TimeUnit.SECONDS));
        final CoreContext core = stack.core(1);
        assertFalse(core.inCoreThread());
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> core.listen(7, c -> null));
        assertEquals("core 1 belongs to thread flowstack-core-1, called from thread " + Thread.currentThread().getName()
            + ": call it from the core's callbacks, or hand the work to the core with submit", e.getMessage());
        assertThrows(IllegalStateException.class, () -> core.connect(ADDRESS - 1, 80, null));
        assertThrows(IllegalStateException.class, () -> core.bindUdp(53, null));
        assertThrows(IllegalStateException.class, () -> core.openUdp(ADDRESS - 1, 53, null));
        assertThrows(IllegalStateException.class, () -> core.unlisten(7));
        // From the core's own thread the same call works.
        final CompletableFuture<Boolean> listened = new CompletableFuture<>();
        core.submit(c ->
        {
            c.listen(7, x -> null);
            listened.complete(c.inCoreThread());
        });
        assertTrue(listened.get(5, TimeUnit.SECONDS));
    }

    @Test
    void shouldReportAFailedTaskInOneLineAndCarryOn() throws Exception
    {
        stack = builder().build().start();
        final CoreContext core = stack.core(0);
        core.submit(c ->
        {
            throw new IOException("the application's mistake");
        });
        final CompletableFuture<Void> next = new CompletableFuture<>();
        core.submit(c -> next.complete(null));
        next.get(5, TimeUnit.SECONDS);
        assertEquals(1, core.counter("engine.command_failures"));
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).startsWith("core 0: a submitted task failed: java.io.IOException: the application's "
            + "mistake at io.flowstack.tcp.CoreContextTest."), notices.get(0));
    }
}
