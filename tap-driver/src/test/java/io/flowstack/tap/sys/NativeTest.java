package io.flowstack.tap.sys;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The libc binding and constants; needs no root.
 */
class NativeTest
{
    /** _IOW(type, nr, int) as linux/ioctl.h computes it on x86_64 and aarch64. */
    private static long iow(final char type, final int nr)
    {
        return (1L << 30) | (4L << 16) | ((long)type << 8) | nr;
    }

    @Test
    void shouldMatchTheKernelsIoctlNumbers()
    {
        assertEquals(iow('T', 202), Linux.TUNSETIFF);
        assertEquals(iow('T', 203), Linux.TUNSETPERSIST);
        assertEquals(iow('T', 217), Linux.TUNSETQUEUE);
        assertEquals(04000, Linux.O_NONBLOCK);
        assertEquals(02000000, Linux.O_CLOEXEC);
        assertEquals(02000000, Linux.EPOLL_CLOEXEC);
        assertEquals(04000, Linux.EFD_NONBLOCK);
    }

    @Test
    void shouldReportErrnoOfAFailedReadWithoutThrowing()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
        assertEquals(-1, Native.LIBC.read(-1, buffer.addressOffset(), 64));
        assertEquals(Linux.EBADF, Native.errno());
    }

    @Test
    void shouldReadAndWriteThroughRawAddresses() throws Exception
    {
        final int fd = Native.check(Native.LIBC.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC), "eventfd");
        try
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64, 64));
            buffer.putLong(8, 41L);
            assertEquals(8, Native.LIBC.write(fd, buffer.addressOffset() + 8, 8));
            buffer.putLong(8, 1L);
            assertEquals(8, Native.LIBC.write(fd, buffer.addressOffset() + 8, 8));
            assertEquals(8, Native.LIBC.read(fd, buffer.addressOffset() + 16, 8));
            assertEquals(42L, buffer.getLong(16));
            assertEquals(-1, Native.LIBC.read(fd, buffer.addressOffset(), 8));
            assertEquals(Linux.EAGAIN, Native.errno());
        }
        finally
        {
            Native.closeQuietly(fd);
        }
    }

    @Test
    void shouldExplainAFailedSetupCallInOneLine()
    {
        final int rc = Native.LIBC.open("/nonexistent/flowstack", Linux.O_RDWR | Linux.O_CLOEXEC);
        final ErrnoException e = assertThrows(ErrnoException.class, () -> Native.check(rc, "open /nonexistent"));
        assertEquals(2, e.errno());
        assertEquals("open /nonexistent: No such file or directory (errno 2)", e.getMessage());
    }

    @Test
    void shouldBuildAnInterfaceRequest()
    {
        final IfReq ifr = new IfReq().clear().name("fst0").flags((short)0x1002);
        assertEquals("fst0", ifr.name());
        assertEquals(0x1002, ifr.flags());
        ifr.intValue(1500);
        assertEquals(1500, ifr.intValue());
        assertTrue(ifr.address() != 0);
        assertThrows(IllegalArgumentException.class, () -> ifr.name("sixteen-chars-xx"));
    }
}
