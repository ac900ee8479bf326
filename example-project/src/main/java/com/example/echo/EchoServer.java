package com.example.echo;

import io.flowstack.ip.iface.IpInterface;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tap.EpollWaiter;
import io.flowstack.tap.MacAddresses;
import io.flowstack.tap.TapDevice;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.socket.FlowServerSocket;
import io.flowstack.tcp.socket.FlowSocket;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;

/**
 * A TCP echo server on flowstack, twice: on port 7 in the blocking style (a {@link FlowServerSocket}, a thread per
 * connection, streams) and on port 8 in the callback style (a listener on each core, {@link TcpHandler} callbacks on
 * the core's thread).
 */
public final class EchoServer implements AutoCloseable
{
    /** The blocking echo's port. */
    public static final int BLOCKING_PORT = 7;
    /** The callback echo's port. */
    public static final int CALLBACK_PORT = 8;

    private final FlowStack stack;
    private final FlowServerSocket server;
    private final Thread acceptor;

    private EchoServer(final FlowStack stack, final FlowServerSocket server)
    {
        this.stack = stack;
        this.server = server;
        this.acceptor = new Thread(this::acceptLoop, "echo-acceptor");
        acceptor.start();
    }

    /**
     * Runs the stack on a TAP and serves both echoes.
     *
     * @param tap     the TAP (its kernel side configured by whoever made it).
     * @param address the stack's IPv4 address.
     * @param prefix  its prefix length.
     * @return the running server.
     * @throws IOException when the stack cannot start or a port is taken.
     */
    public static EchoServer start(final TapDevice tap, final int address, final int prefix) throws IOException
    {
        final long mac = MacAddresses.randomLocalUnicastDistinctFrom(tap.kernelMacAddress());
        final FlowStack stack = FlowStack.builder()
            .addInterface(new IpInterface(0, mac, address, prefix, tap.mtu(), 0), tap)
            .waiterFactory(EpollWaiter::new)                          // block on the TAP when idle
            .onEachCore(core -> core.listen(CALLBACK_PORT, connection -> new Echo()))
            .build()
            .start();
        try
        {
            return new EchoServer(stack, FlowServerSocket.listen(stack, BLOCKING_PORT, 64));
        }
        catch (final IOException e)
        {
            stack.close();
            throw e;
        }
    }

    private void acceptLoop()
    {
        while (true)
        {
            final FlowSocket socket;
            try
            {
                socket = server.accept(Duration.ZERO);
            }
            catch (final IOException e)
            {
                return;                                                 // closed
            }
            new Thread(() ->
            {
                try (socket)
                {
                    socket.getInputStream().transferTo(socket.getOutputStream());
                    socket.shutdownOutput();
                }
                catch (final SocketException e)
                {
                    // the peer reset: nothing to echo any more
                }
                catch (final IOException e)
                {
                    System.err.println("echo: " + e.getMessage());
                }
            }, "echo-" + socket).start();
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        server.close();
        acceptor.join();
        stack.close();
    }

    /** The callback echo: whatever arrives goes back, as far as the send buffer takes it. */
    private static final class Echo implements TcpHandler
    {
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1 << 16]);

        @Override
        public void onConnected(final TcpConnection c)
        {
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = Math.min(Math.min(c.readable(), c.writable()), scratch.capacity())) > 0)
            {
                c.read(scratch, 0, n);
                c.write(scratch, 0, n);
            }
            if (c.readable() == 0 && c.read(scratch, 0, 0) < 0)
            {
                c.close();                                              // the peer is done and all went back
            }
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            onData(c);
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            onData(c);
        }
    }

    /**
     * {@code java -cp ... com.example.echo.EchoServer TAP ADDRESS/PREFIX}: serves on an existing TAP (for example
     * made with {@code ip tuntap add fs0 mode tap}) until stopped.
     *
     * @param args the TAP's name and the stack's address.
     * @throws Exception when it cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length != 2 || !args[1].contains("/"))
        {
            System.err.println("usage: EchoServer TAP ADDRESS/PREFIX");
            System.exit(2);
        }
        final String[] cidr = args[1].split("/");
        final EchoServer server = start(TapDevice.open(args[0]), Ipv4Flyweight.parseAddress(cidr[0]),
            Integer.parseInt(cidr[1]));
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                server.close();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.println("echo on " + args[1] + " ports " + BLOCKING_PORT + " (blocking) and " + CALLBACK_PORT
            + " (callbacks)");
        Thread.currentThread().join();
    }
}
