package io.flowstack.examples.apps;

import io.flowstack.examples.apps.iperf3.Iperf3Server;
import io.flowstack.tcp.CoreSetup;

import java.util.Locale;

/**
 * An application named on the command line as {@code NAME[:PORT]}.
 *
 * @param name application name.
 * @param port port it serves.
 */
public record AppSpec(String name, int port)
{
    /** Names the command line accepts. */
    public static final String KNOWN = "udp-echo, echo, discard, source, http, iperf3";

    /**
     * @param text {@code NAME[:PORT]}.
     * @return the spec.
     * @throws IllegalArgumentException with a one-line reason.
     */
    public static AppSpec parse(final String text)
    {
        final int colon = text.indexOf(':');
        final String name = (colon < 0 ? text : text.substring(0, colon)).toLowerCase(Locale.ROOT);
        final int port;
        if (colon < 0)
        {
            port = defaultPort(name);
        }
        else
        {
            try
            {
                port = Integer.parseInt(text.substring(colon + 1));
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("bad port in --app " + text);
            }
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("port out of range in --app " + text);
        }
        return new AppSpec(name, port);
    }

    private static int defaultPort(final String name)
    {
        return switch (name)
        {
            case "udp-echo", "echo" -> 7;
            case "discard" -> 9;
            case "source" -> 19;
            case "http" -> 80;
            case "iperf3" -> Iperf3Server.DEFAULT_PORT;
            default -> throw new IllegalArgumentException("unknown app '" + name + "' (known: " + KNOWN + ")");
        };
    }

    /**
     * @param httpRoot directory the http application serves, or null for its fixed answer.
     * @return the application, one instance per core.
     */
    public CoreSetup create(final java.nio.file.Path httpRoot)
    {
        return switch (name)
        {
            case "udp-echo" -> new UdpEcho(port);
            case "echo" -> new TcpEcho(port);
            case "discard" -> new Discard(port);
            case "source" -> new Source(port);
            case "http" -> new HttpServer(port, httpRoot);
            case "iperf3" -> new Iperf3Server(port);
            default -> throw new IllegalArgumentException("unknown app '" + name + "' (known: " + KNOWN + ")");
        };
    }

    @Override
    public String toString()
    {
        return name + ":" + port;
    }
}
