package com.example.echo;

import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tap.TapDevice;
import io.flowstack.tap.netns.NetNs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The echo server on a TAP whose kernel side lives in a namespace made for the test (198.18.0.1 there, the stack
 * 198.18.0.2): the kernel's own sockets, inside the namespace, send to both ports and read the echo back. Needs
 * root; skips without, unless -Dflowstack.requireRoot=true.
 */
class EchoServerTest
{
    private static final String STACK = "198.18.0.2";

    @Test
    void shouldEchoInTheBlockingAndTheCallbackStyle() throws Exception
    {
        requireRoot();
        final long pid = ProcessHandle.current().pid();
        try (NetNs ns = NetNs.create("fstest-example-" + pid);
            TapDevice tap = TapDevice.open("fsex" + pid % 100_000, 1, true))
        {
            final long kernelMac = tap.kernelMacAddress();                  // read before the move hides it
            ns.moveLink(tap.name());
            ns.addAddress(tap.name(), "198.18.0.1/24");
            ns.linkUp(tap.name());
            try (EchoServer server = EchoServer.start(tap, Ipv4Flyweight.parseAddress(STACK), 24))
            {
                final byte[] payload = new byte[300_000];
                new Random(kernelMac).nextBytes(payload);
                for (final int port : new int[]{EchoServer.BLOCKING_PORT, EchoServer.CALLBACK_PORT})
                {
                    final byte[] back = ns.callInside(() -> exchange(port, payload));
                    assertArrayEquals(payload, back, "echo on port " + port);
                }
            }
        }
    }

    /** From a kernel socket: connect, send everything, half-close, read to the end. */
    private static byte[] exchange(final int port, final byte[] payload) throws IOException
    {
        try (Socket s = new Socket())
        {
            s.connect(new InetSocketAddress(STACK, port), 5_000);
            s.setSoTimeout(10_000);
            final Thread writer = new Thread(() ->
            {
                try
                {
                    s.getOutputStream().write(payload);
                    s.shutdownOutput();
                }
                catch (final IOException e)
                {
                    System.err.println("writer: " + e);
                }
            });
            writer.start();
            final byte[] back = s.getInputStream().readAllBytes();
            writer.join(10_000);
            return back;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void requireRoot() throws IOException
    {
        final boolean root = new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
            StandardCharsets.US_ASCII).strip().equals("0");
        if (!root && Boolean.getBoolean("flowstack.requireRoot"))
        {
            fail("needs root (a namespace and a TAP), and -Dflowstack.requireRoot=true requires it");
        }
        assumeTrue(root, "needs root (a namespace and a TAP)");
    }
}
