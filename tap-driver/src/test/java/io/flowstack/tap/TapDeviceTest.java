package io.flowstack.tap;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.Steering;
import io.flowstack.tap.netns.Command;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.sys.ErrnoException;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.testing.Arp;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening, naming and closing TAP devices. Every device is created directly inside a namespace of the test's
 * own ({@link NetNs#callInside}), so none ever appears among the host's interfaces.
 */
class TapDeviceTest
{
    @BeforeEach
    void root()
    {
        RootRequirement.assumeRoot();
    }

    @Test
    void shouldCreateATapReadItsKernelSideAndDeleteItOnClose() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("dev")))
        {
            final String name = Names.device();
            final TapDevice tap = ns.callInside(() -> TapDevice.open(name));
            try
            {
                assertEquals(name, tap.name());
                assertEquals(1, tap.queues());
                assertFalse(tap.isMultiQueue());
                assertTrue(tap.queueFd(0) >= 0);
                assertEquals(1500, tap.mtu());
                final String link = ns.exec("ip", "-o", "link", "show", "dev", name).checkOk().stdout();
                assertTrue(link.contains("link/ether " + MacAddresses.toString(tap.kernelMacAddress())),
                    "kernel MAC " + MacAddresses.toString(tap.kernelMacAddress()) + " not in: " + link);
                final String details = ns.exec("ip", "-d", "-o", "link", "show", "dev", name).checkOk().stdout();
                assertTrue(details.contains("tun type tap"), details);
                assertFalse(Command.run("ip", "-o", "link", "show", "type", "tun").stdout().contains(name),
                    "the TAP must not exist in the host namespace");
            }
            finally
            {
                tap.close();
            }
            tap.close();
            assertEquals(-1, tap.queueFd(0));
            assertFalse(ns.exec("ip", "-o", "link", "show", "type", "tun").stdout().contains(name),
                "closing the last queue deletes the device");
        }
    }

    @Test
    void shouldLetTheKernelChooseTheName() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("dev")))
        {
            try (TapDevice tap = ns.callInside(() -> TapDevice.open("")))
            {
                assertTrue(tap.name().startsWith("tap"), tap.name());
                assertTrue(ns.exec("ip", "-o", "link", "show", "dev", tap.name()).ok());
            }
        }
    }

    @Test
    void shouldFailClearlyWhenTheNameIsHeldByAnOpenTap() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("dev")))
        {
            final String name = Names.device();
            try (TapDevice first = ns.callInside(() -> TapDevice.open(name)))
            {
                final ErrnoException e = assertThrows(ErrnoException.class,
                    () -> ns.callInside(() -> TapDevice.open(name)));
                assertEquals(Linux.EBUSY, e.errno());
                assertTrue(e.getMessage().contains(name), e.getMessage());
                assertTrue(e.getMessage().contains("Device or resource busy"), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
                assertTrue(first.queueFd(0) >= 0, "the first device is unaffected");
            }
        }
    }

    @Test
    void shouldFailClearlyWhenTheNameIsHeldByAnotherKindOfDevice() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("dev")))
        {
            final String name = Names.device();
            final ExecResult veth = ns.exec("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p");
            org.junit.jupiter.api.Assumptions.assumeTrue(veth.ok(), "veth unavailable: " + veth.stderr());
            final ErrnoException e = assertThrows(ErrnoException.class,
                () -> ns.callInside(() -> TapDevice.open(name)));
            assertEquals(Linux.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("not a TAP"), e.getMessage());
        }
    }

    @Test
    void shouldOpenAMultiQueueTapWithOneDescriptorPerQueue() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("dev")))
        {
            final String name = Names.device();
            try (TapDevice tap = ns.callInside(() -> TapDevice.open(name, 3)))
            {
                assertEquals(3, tap.queues());
                assertTrue(tap.isMultiQueue());
                assertNotEquals(tap.queueFd(0), tap.queueFd(1));
                assertNotEquals(tap.queueFd(1), tap.queueFd(2));
                final String details = ns.exec("ip", "-d", "-o", "link", "show", "dev", name).checkOk().stdout();
                assertTrue(details.contains("multi_queue"), details);

                final long mac = MacAddresses.randomLocalUnicastDistinctFrom(tap.kernelMacAddress());
                final TapDriver driver = tap.driver(1, 3, mac);
                assertEquals(Steering.LEARNED, driver.steering());
                assertEquals(tap.queueFd(1), driver.waitHandle());
                driver.close();
                driver.close();
                assertEquals(-1, tap.queueFd(1), "closing the driver closes its queue");
                assertEquals(-1, driver.waitHandle());
                assertTrue(ns.exec("ip", "-o", "link", "show", "dev", name).ok(), "other queues keep the device");
            }
            assertFalse(ns.exec("ip", "-o", "link", "show", "type", "tun").stdout().contains(name));
        }
    }

    @Test
    void shouldRejectBadArguments()
    {
        assertThrows(IllegalArgumentException.class, () -> TapDevice.open("fst0", 0));
        assertThrows(IllegalArgumentException.class, () -> TapDevice.open("fst0", TapDevice.MAX_QUEUES + 1));
        assertThrows(IllegalArgumentException.class, () -> TapDevice.open("fst-name-longer-than-15"));
    }

    @Test
    void shouldSetTheMtuWhileTheDeviceIsInTheCallersNamespace() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("dev")))
        {
            final String name = Names.device();
            try (TapDevice tap = ns.callInside(() -> TapDevice.open(name)))
            {
                ns.callInside(() ->
                {
                    tap.setMtu(1400);
                    return null;
                });
                assertEquals(1400, tap.mtu());
                assertEquals(1400, tap.driver(0, 1, 0x02_00_00_00_00_01L).mtu());
                assertTrue(ns.exec("ip", "-o", "link", "show", "dev", name).stdout().contains("mtu 1400"));
                // From the host namespace the name does not resolve.
                final IOException e = assertThrows(IOException.class, () -> tap.setMtu(1300));
                assertTrue(e.getMessage().contains("SIOCSIFMTU"), e.getMessage());
            }
        }
    }

    @Test
    void shouldCountAFailedWriteInsteadOfThrowing() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("dev")))
        {
            final String name = Names.device();
            try (TapDevice tap = ns.callInside(() -> TapDevice.open(name)))
            {
                final BufferPool pool = new BufferPool(0, 4, 2048, 128);
                final TapDriver driver = tap.driver(0, 1, MacAddresses.randomLocalUnicastDistinctFrom(0));
                // The link is down: the kernel refuses the write (EIO).
                final PacketBuffer frame = Arp.write(pool.acquire(), MacAddresses.BROADCAST, Arp.OP_REQUEST,
                    driver.macAddress(), Arp.ipv4("198.18.0.2"), 0, Arp.ipv4("198.18.0.1"));
                driver.transmit(frame);
                assertEquals(0, driver.flush());
                assertEquals(1, driver.txDrops());
                assertEquals(1, driver.txLinkDown(), "a down link is no error: counted apart");
                assertEquals(0, driver.errors());
                assertEquals(5, driver.lastErrno(), "EIO");
                assertEquals(4, pool.available(), "the dropped frame went back to its pool");

                // Transmit after close drops and releases too.
                driver.close();
                driver.transmit(pool.acquire().window(128, 60));
                assertEquals(2, driver.txDrops());
                assertEquals(4, pool.available());
                assertEquals(0, driver.receive(pool, PacketBuffer::release, 8));
            }
        }
    }
}
