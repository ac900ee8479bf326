package io.flowstack.examples.kernel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code kernel-client ping}: what {@code ping -c N -i S -s SIZE -W T HOST} does, on a kernel raw ICMP socket,
 * and at the end what the kernel itself counted (so the echo requests were real ICMP, and the kernel accepted the
 * replies' checksums). Exit 0 when every request was answered with its data intact.
 */
@Command(name = "ping", mixinStandardHelpOptions = true,
    description = "ICMP echo requests through a kernel raw socket (needs root), as ping does.")
final class PingCommand implements Callable<Integer>
{
    @Option(names = "-c", paramLabel = "COUNT", description = "Echo requests to send (default 4).")
    int count = 4;

    @Option(names = "-i", paramLabel = "SECONDS", description = "Seconds between requests (default 1).")
    double interval = 1;

    @Option(names = "-s", paramLabel = "BYTES", description = "Data bytes per request (default 56).")
    int size = 56;

    @Option(names = "-W", paramLabel = "SECONDS", description = "Seconds to wait for the last replies (default 1).")
    double wait = 1;

    @Parameters(paramLabel = "ADDRESS", description = "IPv4 address to ping.")
    String host;

    private boolean[] answered;
    private long[] sentAt;
    private int received;
    private int damaged;
    private double minMs = Double.MAX_VALUE;
    private double maxMs;
    private double sumMs;

    @Override
    public Integer call() throws IOException
    {
        if (count < 1 || size < 0 || size > 65_507 - 8 || !(interval >= 0.001) || !(wait > 0))
        {
            throw new IllegalArgumentException("need -c >= 1, 0 <= -s <= 65499, -i >= 0.001 and -W > 0");
        }
        final InetAddress address = InetAddress.getByName(host);
        if (!(address instanceof Inet4Address))
        {
            throw new IllegalArgumentException("not an IPv4 address: " + host);
        }
        final int identifier = (int)(ProcessHandle.current().pid() & 0xFFFF);
        answered = new boolean[count];
        sentAt = new long[count];
        System.out.printf(Locale.ROOT, "PING %s: %d data bytes, %d echo requests %.0f ms apart (raw ICMP socket)%n",
            host, size, count, interval * 1000);
        final SnmpCounters before = SnmpCounters.read();
        final long start = System.nanoTime();
        try (IcmpEchoSocket socket = IcmpEchoSocket.open((Inet4Address)address))
        {
            for (int i = 0; i < count; i++)
            {
                sentAt[i] = System.nanoTime();
                socket.send(identifier, i + 1, size);
                final boolean last = i == count - 1;
                collect(socket, identifier, sentAt[i] + (long)((last ? wait : interval) * 1e9), last);
            }
        }
        final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        final SnmpCounters after = SnmpCounters.read();
        System.out.printf(Locale.ROOT, "--- %s ping statistics ---%n", host);
        System.out.printf(Locale.ROOT, "%d packets transmitted, %d received, %d%% packet loss, time %dms%n",
            count, received, (count - received) * 100 / count, elapsedMs);
        if (received > 0)
        {
            System.out.printf(Locale.ROOT, "rtt min/avg/max = %.3f/%.3f/%.3f ms%n", minMs, sumMs / received, maxMs);
        }
        String kernel = after.describeSince(before, "Icmp.OutEchos", "Icmp.InEchoReps", "Icmp.InCsumErrors");
        if (size + 28 > 1500)
        {
            kernel += ", " + after.describeSince(before, "Ip.FragCreates", "Ip.ReasmOKs");
        }
        System.out.println("kernel counters (/proc/net/snmp): " + kernel);
        final boolean kernelAgrees = after.since(before, "Icmp.OutEchos") >= count
            && after.since(before, "Icmp.InEchoReps") >= received;
        if (damaged > 0)
        {
            System.out.println(damaged + " replies did not return the request's data");
        }
        return received == count && damaged == 0 && kernelAgrees ? 0 : 1;
    }

    /** Reads replies until {@code deadline}, or, when {@code all}, until every request has its reply. */
    private void collect(final IcmpEchoSocket socket, final int identifier, final long deadline, final boolean all)
        throws IOException
    {
        while (!(all && received == count))
        {
            final long left = deadline - System.nanoTime();
            final IcmpEchoSocket.Reply reply = left > 0 ? socket.receive(identifier, left) : null;
            if (reply == null)
            {
                return;
            }
            final int i = reply.sequence() - 1;
            if (i < 0 || i >= count || answered[i])
            {
                System.out.println(reply.icmpLength() + " bytes from " + host + ": icmp_seq=" + reply.sequence()
                    + " (DUP or unknown!)");
                continue;
            }
            answered[i] = true;
            received++;
            damaged += reply.dataIntact() ? 0 : 1;
            final double ms = (System.nanoTime() - sentAt[i]) / 1e6;
            minMs = Math.min(minMs, ms);
            maxMs = Math.max(maxMs, ms);
            sumMs += ms;
            System.out.printf(Locale.ROOT, "%d bytes from %s: icmp_seq=%d time=%.3f ms%s%n", reply.icmpLength(), host,
                reply.sequence(), ms, reply.dataIntact() ? "" : " (data differs!)");
        }
    }
}
