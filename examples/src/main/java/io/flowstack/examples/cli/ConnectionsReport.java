package io.flowstack.examples.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.flowstack.ip.addr.IpAddress;
import io.flowstack.tcp.FlowStack;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpInfo;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code flowstack stat --connections}: every TCP connection of a running serve, in the spirit of {@code ss -ti}.
 * The serving process collects them (each core lists its own, on its own thread, as a submitted task) and
 * answers on its control socket with one line of JSON; {@code stat} prints it as a table or passes it on.
 * <p>
 * The JSON: {@code {"connections":[{"core":0,"local":"198.18.0.2:5201","remote":"198.18.0.1:40122",
 * "state":"ESTABLISHED","cc":"cubic","srttUs":..,"rttvarUs":..,"rtoMs":..,"mss":..,"rcvMss":..,"cwnd":..,
 * "ssthresh":..,"sndWnd":..,"rcvWnd":..,"inFlight":..,"bytesAcked":..,"bytesReceived":..,"retransmits":..,
 * "timeouts":..,"sndBuf":..,"rcvBuf":..}]}}; cwnd, ssthresh, windows and buffers in bytes, ssthresh -1 before the
 * first loss.
 */
final class ConnectionsReport
{
    private static final long TIMEOUT_MS = 2_000;
    private static final JsonFactory JSON = new JsonFactory();

    /** One connection as its core saw it. */
    private record Row(int core, String local, String remote, TcpInfo info)
    {
    }

    private ConnectionsReport()
    {
    }

    /**
     * Asks every core for its connections and waits for all of them (at most 2 s).
     *
     * @param stack the running stack.
     * @return {@code ok JSON} or {@code error REASON}, one line.
     */
    static String collect(final FlowStack stack)
    {
        final int cores = stack.cores();
        final List<List<Row>> perCore = new ArrayList<>();
        final CountDownLatch done = new CountDownLatch(cores);
        for (int i = 0; i < cores; i++)
        {
            final int core = i;
            final List<Row> rows = new ArrayList<>();
            perCore.add(rows);
            // A core that runs no TCP lists nothing.
            if (!stack.core(core).submit(ctx ->
            {
                try
                {
                    ctx.forEachConnection(c -> rows.add(row(core, c)));
                }
                finally
                {
                    done.countDown();
                }
            }))
            {
                return "error core " + core + "'s task queue is full; try again";
            }
        }
        try
        {
            if (!done.await(TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                return "error not every core answered within " + TIMEOUT_MS + " ms";
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return "error interrupted";
        }
        final StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text))
        {
            g.writeStartObject();
            g.writeArrayFieldStart("connections");
            for (final List<Row> rows : perCore)
            {
                for (final Row r : rows)
                {
                    write(g, r);
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return "ok " + text;
    }

    private static Row row(final int core, final TcpConnection c)
    {
        return new Row(core, endpoint(c.localIpAddress(), c.localPort()),
            endpoint(c.remoteIpAddress(), c.remotePort()), c.info(new TcpInfo()));
    }

    /** As ss prints them: {@code 198.18.0.2:5201}, {@code [2001:2::2]:5201}. */
    private static String endpoint(final IpAddress address, final int port)
    {
        return (address.isIpv4() ? address.toString() : "[" + address + "]") + ":" + port;
    }

    private static void write(final JsonGenerator g, final Row r) throws IOException
    {
        final TcpInfo i = r.info();
        g.writeStartObject();
        g.writeNumberField("core", r.core());
        g.writeStringField("local", r.local());
        g.writeStringField("remote", r.remote());
        g.writeStringField("state", i.state.toString());
        g.writeStringField("cc", i.congestionControl);
        g.writeNumberField("srttUs", i.srttNs / 1000);
        g.writeNumberField("rttvarUs", i.rttvarNs / 1000);
        g.writeNumberField("rtoMs", i.rtoNs / 1_000_000);
        g.writeNumberField("mss", i.sendMss);
        g.writeNumberField("rcvMss", i.receiveMss);
        g.writeNumberField("cwnd", i.cwnd);
        g.writeNumberField("ssthresh", i.ssthresh == Integer.MAX_VALUE ? -1 : i.ssthresh);
        g.writeNumberField("sndWnd", i.sendWindow);
        g.writeNumberField("rcvWnd", i.receiveWindow);
        g.writeNumberField("inFlight", i.inFlight);
        g.writeNumberField("bytesAcked", i.bytesAcked);
        g.writeNumberField("bytesReceived", i.bytesReceived);
        g.writeNumberField("retransmits", i.retransmits);
        g.writeNumberField("timeouts", i.timeouts);
        g.writeNumberField("sndBuf", i.sendBuffer);
        g.writeNumberField("rcvBuf", i.receiveBuffer);
        g.writeEndObject();
    }

    /**
     * Prints the connections as {@code ss -ti} does: a line per connection with its state and addresses, then an
     * indented line of its TCP state (cwnd and ssthresh in segments of the send MSS, as ss shows them; rtt and
     * rttvar in milliseconds; rto in milliseconds; bytes both ways).
     *
     * @param json the {@code connections} object.
     * @return the text, lines ending in newlines.
     */
    static String table(final JsonNode json)
    {
        final JsonNode list = json.path("connections");
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"State", "Core", "Local Address:Port", "Peer Address:Port"});
        for (final JsonNode c : list)
        {
            rows.add(new String[]{c.path("state").asText(), c.path("core").asText(), c.path("local").asText(),
                c.path("remote").asText()});
        }
        final int[] width = new int[4];
        for (final String[] r : rows)
        {
            for (int i = 0; i < 4; i++)
            {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        final StringBuilder b = new StringBuilder();
        for (int n = 0; n < rows.size(); n++)
        {
            final String[] r = rows.get(n);
            for (int i = 0; i < 4; i++)
            {
                b.append(r[i]).append(i == 3 ? "" : " ".repeat(width[i] - r[i].length() + 2));
            }
            b.append('\n');
            if (n > 0)
            {
                b.append('\t').append(detail(list.get(n - 1))).append('\n');
            }
        }
        return b.toString();
    }

    private static String detail(final JsonNode c)
    {
        final long mss = Math.max(1, c.path("mss").asLong());
        final long ssthresh = c.path("ssthresh").asLong();
        return String.format(Locale.ROOT, "%s rto:%d rtt:%.3f/%.3f mss:%d rcvmss:%d cwnd:%d ssthresh:%s snd_wnd:%d"
                + " rcv_wnd:%d unacked:%d bytes_acked:%d bytes_received:%d retrans:%d timeouts:%d sndbuf:%d rcvbuf:%d",
            c.path("cc").asText().toLowerCase(Locale.ROOT), c.path("rtoMs").asLong(),
            c.path("srttUs").asLong() / 1000.0, c.path("rttvarUs").asLong() / 1000.0, mss, c.path("rcvMss").asLong(),
            (c.path("cwnd").asLong() + mss - 1) / mss, ssthresh < 0 ? "-" : Long.toString((ssthresh + mss - 1) / mss),
            c.path("sndWnd").asLong(), c.path("rcvWnd").asLong(), c.path("inFlight").asLong(),
            c.path("bytesAcked").asLong(), c.path("bytesReceived").asLong(), c.path("retransmits").asLong(),
            c.path("timeouts").asLong(), c.path("sndBuf").asLong(), c.path("rcvBuf").asLong());
    }
}
