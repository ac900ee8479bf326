package io.flowstack.examples.kernel;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/**
 * The kernel's side of {@code flowstack demo}: small clients on the kernel's own sockets (ICMP echo, UDP, TCP,
 * HTTP), run inside a namespace with {@code ip netns exec NS java -cp flowstack.jar
 * io.flowstack.examples.kernel.KernelClient ...}, doing what ping, socat and curl would, so the demo needs no
 * tool beyond Java and iproute2. Each prints what it did and exits 0 when the exchange worked, 1 when not.
 */
@Command(name = "kernel-client", mixinStandardHelpOptions = true,
    description = "Kernel-socket clients: ping, udp, tcp, http.",
    subcommands = {PingCommand.class, KernelClient.Udp.class, KernelClient.Tcp.class, KernelClient.Http.class})
public final class KernelClient
{
    /**
     * @param args a subcommand and its arguments.
     */
    public static void main(final String[] args)
    {
        final CommandLine cli = new CommandLine(new KernelClient());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            commandLine.getErr().println(commandLine.getCommandName() + ": " + ex.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }

    /** {@code udp HOST PORT TEXT}: one datagram, its echo awaited (socat - UDP:HOST:PORT). */
    @Command(name = "udp", mixinStandardHelpOptions = true,
        description = "Sends TEXT in a UDP datagram and prints the reply; 'Connection refused' on ICMP port unreachable.")
    static final class Udp implements Callable<Integer>
    {
        @Parameters(index = "0", paramLabel = "HOST")
        String host;

        @Parameters(index = "1", paramLabel = "PORT")
        int port;

        @Parameters(index = "2", paramLabel = "TEXT")
        String text;

        @Option(names = "--tries", description = "Datagrams to send while no reply comes (default 3).")
        int tries = 3;

        @Override
        public Integer call() throws IOException
        {
            final byte[] data = text.getBytes(StandardCharsets.UTF_8);
            final SnmpCounters before = SnmpCounters.read();
            try (DatagramSocket socket = new DatagramSocket())
            {
                // Connected, so the kernel reports an ICMP port unreachable for this flow as ECONNREFUSED.
                socket.connect(new InetSocketAddress(host, port));
                socket.setSoTimeout(700);
                System.out.println("from " + socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort()
                    + " to " + host + ":" + port + ": " + text);
                for (int attempt = 1; attempt <= tries; attempt++)
                {
                    socket.send(new DatagramPacket(data, data.length));
                    final byte[] back = new byte[65_536];
                    final DatagramPacket reply = new DatagramPacket(back, back.length);
                    try
                    {
                        socket.receive(reply);
                        final String echoed = new String(back, 0, reply.getLength(), StandardCharsets.UTF_8);
                        System.out.println("reply: " + echoed);
                        return echoed.equals(text) ? 0 : 1;
                    }
                    catch (final PortUnreachableException refused)
                    {
                        System.out.println("udp: " + host + ":" + port + ": Connection refused (ICMP port unreachable;"
                            + " kernel counters: " + SnmpCounters.read().describeSince(before, "Icmp.InDestUnreachs") + ")");
                        return 1;
                    }
                    catch (final SocketTimeoutException retry)
                    {
                        System.out.println("no reply in 700 ms" + (attempt < tries ? ", again" : ""));
                    }
                }
                return 1;
            }
        }
    }

    /** {@code tcp HOST PORT TEXT}: connect, send, half-close, read to the end (socat - TCP:HOST:PORT). */
    @Command(name = "tcp", mixinStandardHelpOptions = true,
        description = "Connects, sends TEXT and a newline, closes its sending side and prints all it reads back.")
    static final class Tcp implements Callable<Integer>
    {
        @Parameters(index = "0", paramLabel = "HOST")
        String host;

        @Parameters(index = "1", paramLabel = "PORT")
        int port;

        @Parameters(index = "2", paramLabel = "TEXT")
        String text;

        @Override
        public Integer call() throws IOException
        {
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(host, port), 2000);
                socket.setSoTimeout(2000);
                System.out.println("connected from " + socket.getLocalAddress().getHostAddress() + ":"
                    + socket.getLocalPort() + " to " + host + ":" + port);
                final OutputStream out = socket.getOutputStream();
                out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
                socket.shutdownOutput();
                final String back = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                System.out.print("read until the peer closed: " + back);
                return back.equals(text + "\n") ? 0 : 1;
            }
        }
    }

    /** {@code http URL [--sha256]}: one GET over HTTP/1.1 (curl URL, or curl URL | sha256sum). */
    @Command(name = "http", mixinStandardHelpOptions = true,
        description = "GETs URL with java.net.http and prints the status and the body (or its SHA-256).")
    static final class Http implements Callable<Integer>
    {
        @Parameters(paramLabel = "URL")
        URI url;

        @Option(names = "--sha256", description = "Print the body's length and SHA-256 instead of the body.")
        boolean sha256;

        @Override
        public Integer call() throws IOException, InterruptedException, NoSuchAlgorithmException
        {
            final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
            final HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(15)).GET().build();
            final HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            System.out.println("GET " + url + ": HTTP " + response.statusCode());
            try (InputStream body = response.body())
            {
                if (sha256)
                {
                    final MessageDigest md = MessageDigest.getInstance("SHA-256");
                    final byte[] chunk = new byte[65_536];
                    long length = 0;
                    for (int n; (n = body.read(chunk)) > 0; length += n)
                    {
                        md.update(chunk, 0, n);
                    }
                    System.out.println(length + " bytes, sha256 " + HexFormat.of().formatHex(md.digest()));
                }
                else
                {
                    System.out.print(new String(body.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            return response.statusCode() == 200 ? 0 : 1;
        }
    }
}
