package io.flowstack.examples.kernel;

import io.flowstack.core.wire.InternetChecksum;
import io.flowstack.tap.sys.ErrnoException;
import io.flowstack.tap.sys.LibC;
import io.flowstack.tap.sys.Linux;
import io.flowstack.tap.sys.Native;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ICMP echo (RFC 792) through a kernel raw socket, {@code socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)}, as ping does
 * when it is root: we write the ICMP message, the kernel adds the IP header and fragments above the MTU; reads
 * return whole (reassembled) IP datagrams. The socket is connected to the peer and filtered to echo replies
 * ({@code ICMP_FILTER}, raw(7)), so nothing else reaches it. Needs CAP_NET_RAW. Not for hot paths.
 */
final class IcmpEchoSocket implements AutoCloseable
{
    /** socket(2): raw socket. */
    private static final int SOCK_RAW = 3;
    /** IP protocol number of ICMP. */
    private static final int IPPROTO_ICMP = 1;
    /** setsockopt level of raw sockets and its option holding a bit mask of ICMP types to drop (linux/icmp.h). */
    private static final int SOL_RAW = 255;
    private static final int ICMP_FILTER = 1;
    /** Receive timeout ({@code struct timeval}), so a read waits at most that long (socket(7)). */
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int ECHO_REPLY = 0;
    private static final int ECHO_REQUEST = 8;
    private static final int HEADER = 8;
    private static final int MAX_DATAGRAM = 65_535;

    private final LibC libc = Native.LIBC;
    private final int fd;
    private final UnsafeBuffer out = direct(MAX_DATAGRAM);
    private final UnsafeBuffer in = direct(MAX_DATAGRAM);
    private final UnsafeBuffer scratch = direct(16);
    private long timeoutMs = -1;

    /** One echo reply: its sequence number, ICMP length, and whether it returned our data unchanged. */
    record Reply(int sequence, int icmpLength, boolean dataIntact)
    {
    }

    private IcmpEchoSocket(final int fd)
    {
        this.fd = fd;
    }

    /**
     * @param peer the address to ping.
     * @return a socket that sends to and receives echo replies from {@code peer} only.
     * @throws IOException without CAP_NET_RAW, or when the kernel refuses.
     */
    static IcmpEchoSocket open(final Inet4Address peer) throws IOException
    {
        final int fd = Native.LIBC.socket(Linux.AF_INET, SOCK_RAW | Linux.SOCK_CLOEXEC, IPPROTO_ICMP);
        if (fd < 0)
        {
            throw new ErrnoException("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) (needs root)", Native.errno());
        }
        final IcmpEchoSocket s = new IcmpEchoSocket(fd);
        try
        {
            s.scratch.putInt(0, ~(1 << ECHO_REPLY), ByteOrder.nativeOrder());
            Native.check(s.libc.setsockopt(fd, SOL_RAW, ICMP_FILTER, s.scratch.addressOffset(), 4), "ICMP_FILTER");
            // struct sockaddr_in: family (host order), port 0, address (network order), zero padding.
            s.scratch.setMemory(0, 16, (byte)0);
            s.scratch.putShort(0, (short)Linux.AF_INET, ByteOrder.nativeOrder());
            s.scratch.putBytes(4, peer.getAddress());
            Native.check(s.libc.connect(fd, s.scratch.addressOffset(), 16), "connect " + peer.getHostAddress());
            return s;
        }
        catch (final IOException | RuntimeException e)
        {
            s.close();
            throw e;
        }
    }

    private static UnsafeBuffer direct(final int size)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(size));
    }

    /**
     * Sends an echo request: identifier, sequence number and {@code dataLength} bytes of a known pattern.
     *
     * @throws IOException when the kernel refuses to send.
     */
    void send(final int identifier, final int sequence, final int dataLength) throws IOException
    {
        out.putByte(0, (byte)ECHO_REQUEST);
        out.putByte(1, (byte)0);
        out.putShort(2, (short)0);
        out.putShort(4, (short)identifier, ByteOrder.BIG_ENDIAN);
        out.putShort(6, (short)sequence, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < dataLength; i++)
        {
            out.putByte(HEADER + i, pattern(sequence, i));
        }
        final int length = HEADER + dataLength;
        out.putShort(2, (short)InternetChecksum.checksum(out, 0, length), ByteOrder.BIG_ENDIAN);
        if (libc.write(fd, out.addressOffset(), length) != length)
        {
            throw new ErrnoException("send ICMP echo request", Native.errno());
        }
    }

    private static byte pattern(final int sequence, final int i)
    {
        return (byte)(i + sequence);
    }

    /**
     * Waits for the next echo reply carrying {@code identifier}; replies to others are skipped.
     *
     * @param identifier our identifier.
     * @param timeoutNs  how long to wait at most.
     * @return the reply, or null when none came in time (or one came with a bad checksum, which is not ours to
     *     trust: the caller sees it as lost).
     * @throws IOException when reading fails.
     */
    Reply receive(final int identifier, final long timeoutNs) throws IOException
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (true)
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                return null;
            }
            setTimeout(left);
            final long n = libc.read(fd, in.addressOffset(), MAX_DATAGRAM);
            if (n < 0)
            {
                final int errno = Native.errno();
                if (errno == Linux.EAGAIN || errno == Linux.EINTR)
                {
                    continue;
                }
                throw new ErrnoException("receive ICMP", errno);
            }
            final int ihl = (in.getByte(0) & 0x0F) * 4;
            final int icmpLength = (int)n - ihl;
            if (icmpLength < HEADER || (in.getByte(ihl) & 0xFF) != ECHO_REPLY
                || (in.getShort(ihl + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF) != identifier)
            {
                continue;
            }
            if (InternetChecksum.checksum(in, ihl, icmpLength) != 0)
            {
                continue;
            }
            final int sequence = in.getShort(ihl + 6, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            boolean intact = true;
            for (int i = 0; i < icmpLength - HEADER; i++)
            {
                intact &= in.getByte(ihl + HEADER + i) == pattern(sequence, i);
            }
            return new Reply(sequence, icmpLength, intact);
        }
    }

    private void setTimeout(final long ns) throws IOException
    {
        // Whole milliseconds, at least one: a zero timeval would mean "wait forever".
        final long ms = Math.max(1, ns / 1_000_000);
        if (ms == timeoutMs)
        {
            return;
        }
        scratch.putLong(0, ms / 1000);
        scratch.putLong(8, ms % 1000 * 1000);
        Native.check(libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, scratch.addressOffset(), 16), "SO_RCVTIMEO");
        timeoutMs = ms;
    }

    @Override
    public void close()
    {
        libc.close(fd);
    }
}
