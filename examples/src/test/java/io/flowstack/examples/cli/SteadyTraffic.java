package io.flowstack.examples.cli;

import io.flowstack.tap.netns.NetNs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic that keeps running while a test looks at the server: many UDP flows (one socket each, so one flow each)
 * and many concurrent TCP connections to an echo port, made from inside a namespace (the sockets keep to it), then
 * driven round after round from a background thread. Each round sends one datagram on every UDP flow and a chunk on
 * every connection and checks every echo byte for byte; what never comes back or comes back different is counted,
 * and the test asserts those counts are zero.
 */
final class SteadyTraffic implements AutoCloseable
{
    private static final int CHUNK = 1024;

    private final List<DatagramSocket> udp = new ArrayList<>();
    private final List<Socket> tcp = new ArrayList<>();
    private final InetSocketAddress udpTarget;
    private final Thread thread;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong udpLost = new AtomicLong();
    private final AtomicLong udpRetried = new AtomicLong();
    private final AtomicLong tcpBad = new AtomicLong();
    private final AtomicLong tcpBytes = new AtomicLong();
    private volatile boolean running = true;
    private volatile Throwable failure;

    private SteadyTraffic(final InetSocketAddress udpTarget)
    {
        this.udpTarget = udpTarget;
        this.thread = new Thread(this::loop, "steady-traffic");
        this.thread.setDaemon(true);
    }

    /**
     * Opens the flows and connections inside {@code netns} and starts the rounds.
     */
    static SteadyTraffic start(final NetNs netns, final String address, final int udpPort, final int udpFlows,
        final int tcpPort, final int tcpConnections) throws IOException
    {
        final SteadyTraffic t = new SteadyTraffic(new InetSocketAddress(InetAddress.getByName(address), udpPort));
        try
        {
            netns.callInside(() ->
            {
                for (int i = 0; i < udpFlows; i++)
                {
                    final DatagramSocket s = new DatagramSocket(0);
                    s.setSoTimeout(300);
                    t.udp.add(s);
                }
                for (int i = 0; i < tcpConnections; i++)
                {
                    final Socket s = new Socket();
                    s.connect(new InetSocketAddress(InetAddress.getByName(address), tcpPort), 5000);
                    s.setSoTimeout(5000);
                    s.setTcpNoDelay(true);
                    t.tcp.add(s);
                }
                return null;
            });
        }
        catch (final IOException | RuntimeException e)
        {
            t.close();
            throw e;
        }
        t.thread.start();
        return t;
    }

    private void loop()
    {
        final Random random = new Random(13);
        final byte[] datagram = new byte[64];
        final byte[] back = new byte[2048];
        final byte[] chunk = new byte[CHUNK];
        final byte[] echo = new byte[CHUNK];
        try
        {
            while (running)
            {
                final long round = rounds.get();
                for (int i = 0; i < udp.size(); i++)
                {
                    fill(datagram, round, i);
                    udp.get(i).send(new DatagramPacket(datagram, datagram.length, udpTarget));
                }
                for (int i = 0; i < udp.size(); i++)
                {
                    fill(datagram, round, i);
                    if (!echoed(udp.get(i), datagram, back))
                    {
                        // Ask once more: a datagram the kernel itself dropped is not a flow that lost its way.
                        udpRetried.incrementAndGet();
                        udp.get(i).send(new DatagramPacket(datagram, datagram.length, udpTarget));
                        if (!echoed(udp.get(i), datagram, back))
                        {
                            udpLost.incrementAndGet();
                        }
                    }
                }
                random.nextBytes(chunk);
                for (final Socket s : tcp)
                {
                    s.getOutputStream().write(chunk);
                }
                for (final Socket s : tcp)
                {
                    final InputStream in = s.getInputStream();
                    int got = 0;
                    while (got < CHUNK)
                    {
                        final int n = in.read(echo, got, CHUNK - got);
                        if (n < 0)
                        {
                            throw new IOException("connection closed by the server after " + tcpBytes.get() + " bytes");
                        }
                        got += n;
                    }
                    if (!Arrays.equals(chunk, echo))
                    {
                        tcpBad.incrementAndGet();
                    }
                    tcpBytes.addAndGet(CHUNK);
                }
                rounds.incrementAndGet();
            }
        }
        catch (final Throwable e)
        {
            if (running)
            {
                failure = e;
            }
        }
    }

    /** Reads until this round's echo arrives (a late echo of an earlier try is skipped) or the timeout. */
    private static boolean echoed(final DatagramSocket s, final byte[] sent, final byte[] back) throws IOException
    {
        try
        {
            while (true)
            {
                final DatagramPacket reply = new DatagramPacket(back, back.length);
                s.receive(reply);
                if (reply.getLength() == sent.length && Arrays.equals(sent, Arrays.copyOf(back, sent.length)))
                {
                    return true;
                }
            }
        }
        catch (final SocketTimeoutException e)
        {
            return false;
        }
    }

    private static void fill(final byte[] datagram, final long round, final int flow)
    {
        for (int i = 0; i < datagram.length; i++)
        {
            datagram[i] = (byte)(round * 31 + flow * 7 + i);
        }
    }

    /** Waits until {@code more} further rounds have run; fails if the traffic failed or stalled. */
    void awaitRounds(final int more) throws Exception
    {
        final long target = rounds.get() + more;
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (rounds.get() < target)
        {
            if (failure != null)
            {
                throw new AssertionError("traffic failed after " + rounds.get() + " rounds: " + failure, failure);
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("traffic stalled at round " + rounds.get());
            }
            Thread.sleep(10);
        }
    }

    /**
     * @return the UDP flows' source ports, one per flow, as the kernel picked them.
     */
    int[] udpSourcePorts()
    {
        return udp.stream().mapToInt(DatagramSocket::getLocalPort).toArray();
    }

    long rounds()
    {
        return rounds.get();
    }

    long udpLost()
    {
        return udpLost.get();
    }

    long udpRetried()
    {
        return udpRetried.get();
    }

    long tcpBad()
    {
        return tcpBad.get();
    }

    long tcpBytes()
    {
        return tcpBytes.get();
    }

    Throwable failure()
    {
        return failure;
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        for (final DatagramSocket s : udp)
        {
            s.close();
        }
        for (final Socket s : tcp)
        {
            try
            {
                s.close();
            }
            catch (final IOException ignored)
            {
                // closing anyway
            }
        }
    }
}
