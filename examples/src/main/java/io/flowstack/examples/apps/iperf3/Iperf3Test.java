package io.flowstack.examples.apps.iperf3;

import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;

/**
 * One iperf3 test, driven from its control connection on that connection's core: parameters, stream creation,
 * start, end, the result exchange. The server's side of esnet/iperf's {@code iperf_run_server} and
 * {@code iperf_handle_message_server}: PARAM_EXCHANGE, the client's JSON parameters, CREATE_STREAMS, the streams
 * (each opening with the test's cookie), TEST_START and TEST_RUNNING, the client's TEST_END, EXCHANGE_RESULTS (the
 * client's JSON, then ours), DISPLAY_RESULTS, the client's IPERF_DONE.
 */
final class Iperf3Test implements TcpHandler
{
    /** Where the test is. */
    private enum Phase
    {
        PARAMS, STREAMS, RUNNING, RESULTS, DISPLAY, DONE
    }

    /** Slack beyond -t and -O before a test that has not ended is abandoned (iperf3's server allows 5 s). */
    private static final long WATCHDOG_SLACK_MS = 10_000;

    private final Iperf3Server server;
    private final String cookie;
    private final TcpConnection control;
    private final CoreContext core;
    private final Iperf3Server.Buffers buffers;
    private final List<Iperf3Stream> connecting = new ArrayList<>();
    private ByteBuffer input = ByteBuffer.allocate(1024);
    private volatile Phase phase = Phase.PARAMS;
    private Iperf3Params params;
    private int expected;
    private Iperf3Stream[] streams = new Iperf3Stream[0];
    private int finished;
    /** DISPLAY_RESULTS sent: only the client's IPERF_DONE is left (read from other cores). */
    private volatile boolean resultsShown;
    private boolean clientResults;
    private ProcessCpu cpuStart;
    private double[] cpu;
    private long startNs;
    private long endNs;
    private ScheduledFuture<?> watchdog;
    private ScheduledFuture<?> omitTimer;

    Iperf3Test(final Iperf3Server server, final String cookie, final TcpConnection control, final CoreContext core,
        final Iperf3Server.Buffers buffers)
    {
        this.server = server;
        this.cookie = cookie;
        this.control = control;
        this.core = core;
        this.buffers = buffers;
    }

    String cookie()
    {
        return cookie;
    }

    /** The control connection is ours: ask for the parameters. */
    void begin()
    {
        control.noDelay(true); // one state byte per step: never wait for an ACK to send the next
        sendState(Iperf3Protocol.PARAM_EXCHANGE);
    }

    @Override
    public void onConnected(final TcpConnection c)
    {
    }

    @Override
    public void onData(final TcpConnection c)
    {
        int n;
        while ((n = c.read(buffers.scratch, 0, buffers.scratch.capacity())) > 0)
        {
            if (input.remaining() < n)
            {
                if (input.position() + n > Iperf3Protocol.MAX_JSON + 4)
                {
                    abort("the client sent more than " + Iperf3Protocol.MAX_JSON + " bytes of control messages");
                    return;
                }
                final ByteBuffer bigger = ByteBuffer.allocate(Math.max(input.capacity() * 2, input.position() + n));
                input.flip();
                bigger.put(input);
                input = bigger;
            }
            buffers.scratch.getBytes(0, input, input.position(), n);
            input.position(input.position() + n);
        }
        input.flip();
        try
        {
            process();
        }
        finally
        {
            input.compact();
        }
    }

    private void process()
    {
        while (phase != Phase.DONE)
        {
            if (phase == Phase.PARAMS || (phase == Phase.RESULTS && !clientResults))
            {
                final byte[] json = takeJson();
                if (json == null)
                {
                    return;
                }
                if (phase == Phase.PARAMS)
                {
                    onParameters(json);
                }
                else
                {
                    clientResults = true; // the client's own figures: it prints them itself
                    sendResultsWhenReady();
                }
            }
            else
            {
                if (!input.hasRemaining())
                {
                    return;
                }
                onState(input.get());
            }
        }
    }

    /** @return a length-prefixed JSON message, or null until all of it is in. */
    private byte[] takeJson()
    {
        if (input.remaining() < 4)
        {
            return null;
        }
        final int length = input.getInt(input.position());
        if (length < 0 || length > Iperf3Protocol.MAX_JSON)
        {
            serverError(Iperf3Protocol.IERECVPARAMS, "a control message of " + length + " bytes");
            return null;
        }
        if (input.remaining() < 4 + length)
        {
            return null;
        }
        input.getInt();
        final byte[] json = new byte[length];
        input.get(json);
        return json;
    }

    private void onParameters(final byte[] json)
    {
        try
        {
            params = Iperf3Params.parse(json);
        }
        catch (final IOException e)
        {
            serverError(Iperf3Protocol.IERECVPARAMS, "unreadable parameters");
            return;
        }
        if (params.unsupported() != null)
        {
            serverError(Iperf3Protocol.IEUNIMP, params.unsupported() + " are not served here");
            return;
        }
        expected = params.receivingStreams() + params.sendingStreams();
        if (params.timeSeconds() > 0)
        {
            final long ms = (params.timeSeconds() + params.omitSeconds()) * 1000L + WATCHDOG_SLACK_MS;
            watchdog = server.schedule(core, () -> abort("no TEST_END " + ms / 1000 + " s after the start"), ms);
        }
        phase = Phase.STREAMS;
        sendState(Iperf3Protocol.CREATE_STREAMS);
    }

    /**
     * A connection with this test's cookie (on its own core).
     *
     * @return its stream, or null when the test takes no more streams.
     */
    Iperf3Stream addStream(final TcpConnection c, final CoreContext streamCore, final Iperf3Server.Buffers streamBuffers)
    {
        final Iperf3Stream stream;
        synchronized (this)
        {
            if (phase != Phase.STREAMS || connecting.size() >= expected)
            {
                return null;
            }
            final int index = connecting.size();
            // iperf3's server takes the receiving streams first (the client opens them first).
            stream = new Iperf3Stream(this, Iperf3Protocol.streamId(index), index >= params.receivingStreams(), c,
                streamCore, streamBuffers, params.blockSize());
            connecting.add(stream);
            if (connecting.size() < expected)
            {
                return stream;
            }
        }
        Iperf3Server.runOn(streamCore, core, this::streamsConnected);
        return stream;
    }

    private void streamsConnected()
    {
        if (phase != Phase.STREAMS)
        {
            return;
        }
        synchronized (this)
        {
            streams = connecting.toArray(new Iperf3Stream[0]);
        }
        phase = Phase.RUNNING;
        cpuStart = ProcessCpu.now();
        startNs = System.nanoTime();
        sendState(Iperf3Protocol.TEST_START);
        sendState(Iperf3Protocol.TEST_RUNNING);
        if (params.omitSeconds() > 0)
        {
            omitTimer = server.schedule(core, this::omitEnded, params.omitSeconds() * 1000L);
        }
        for (final Iperf3Stream s : streams)
        {
            if (params.noDelay())
            {
                Iperf3Server.runOn(core, s.core(), () -> s.connection().noDelay(true));
            }
            if (s.sender())
            {
                Iperf3Server.runOn(core, s.core(), s::startSending);
            }
        }
    }

    private void omitEnded()
    {
        if (phase == Phase.RUNNING)
        {
            for (final Iperf3Stream s : streams)
            {
                s.omitEnded();
            }
            cpuStart = ProcessCpu.now();
            startNs = System.nanoTime();
        }
    }

    private void onState(final byte state)
    {
        switch (state)
        {
            case Iperf3Protocol.TEST_START -> { } // older clients announce it; nothing to do
            case Iperf3Protocol.TEST_END ->
            {
                if (phase != Phase.RUNNING)
                {
                    abort("TEST_END before the streams were connected");
                    return;
                }
                endNs = System.nanoTime();
                cpu = ProcessCpu.now().since(cpuStart);
                phase = Phase.RESULTS;
                sendState(Iperf3Protocol.EXCHANGE_RESULTS);
                for (final Iperf3Stream s : streams)
                {
                    Iperf3Server.runOn(core, s.core(), s::finish);
                }
            }
            case Iperf3Protocol.IPERF_DONE ->
            {
                if (phase != Phase.DISPLAY)
                {
                    abort("IPERF_DONE before the results");
                    return;
                }
                phase = Phase.DONE;
                control.close();
                end();
            }
            case Iperf3Protocol.CLIENT_TERMINATE -> abort("the client was interrupted");
            default -> serverError(Iperf3Protocol.IEMESSAGE, "unknown control message " + state);
        }
    }

    /** A stream has closed after TEST_END (called on its core). */
    void streamFinished(final CoreContext streamCore)
    {
        Iperf3Server.runOn(streamCore, core, () ->
        {
            finished++;
            sendResultsWhenReady();
        });
    }

    private void sendResultsWhenReady()
    {
        if (phase != Phase.RESULTS || !clientResults || finished < streams.length)
        {
            return;
        }
        final double seconds = (endNs - startNs) / 1e9;
        final List<Iperf3Results.Stream> results = new ArrayList<>();
        long received = 0;
        long sent = 0;
        long retransmits = 0;
        String cc = "";
        for (final Iperf3Stream s : streams)
        {
            results.add(new Iperf3Results.Stream(s.id(), s.sender(), s.bytes(), s.retransmits()));
            if (s.sender())
            {
                sent += s.bytes();
                retransmits += s.retransmits();
            }
            else
            {
                received += s.bytes();
            }
            cc = s.congestionControl();
        }
        final byte[] json = Iperf3Results.toJson(results, seconds, cpu, cc.toLowerCase(Locale.ROOT));
        final UnsafeBuffer message = new UnsafeBuffer(new byte[4 + json.length]);
        message.putInt(0, json.length, java.nio.ByteOrder.BIG_ENDIAN);
        message.putBytes(4, json);
        if (!write(message, message.capacity()))
        {
            return;
        }
        phase = Phase.DISPLAY;
        resultsShown = true;
        sendState(Iperf3Protocol.DISPLAY_RESULTS);
        server.report(String.format(Locale.ROOT, "test from %s: %d stream%s, %.2f s%s%s%s, cpu %.0f%%",
            peer(), streams.length, streams.length == 1 ? "" : "s", seconds,
            received > 0 || sent == 0 ? String.format(Locale.ROOT, ", received %d bytes (%.2f Gbit/s)", received,
                received * 8 / seconds / 1e9) : "",
            sent > 0 ? String.format(Locale.ROOT, ", sent %d bytes (%.2f Gbit/s)", sent, sent * 8 / seconds / 1e9) : "",
            sent > 0 ? ", " + retransmits + " retransmits" : "", cpu[0]));
    }

    private String peer()
    {
        return Ipv4Flyweight.addressToString(control.remoteAddress()) + ":" + control.remotePort()
            + (params != null && !params.clientVersion().isEmpty() ? " (iperf " + params.clientVersion() + ")" : "");
    }

    @Override
    public void onPeerClosed(final TcpConnection c)
    {
        if (phase != Phase.DONE)
        {
            abort("the client closed the control connection");
        }
        c.close();
    }

    @Override
    public void onClosed(final TcpConnection c, final int reason)
    {
        if (phase != Phase.DONE)
        {
            abort("control connection " + TcpHandler.reasonName(reason));
        }
    }

    /** Ends the test early: every stream reset, the control connection closed, one line why. */
    private void abort(final String why)
    {
        if (phase == Phase.DONE)
        {
            return;
        }
        phase = Phase.DONE;
        server.report("test from " + peer() + " ended early: " + why);
        for (final Iperf3Stream s : streams.length > 0 ? streams : snapshotConnecting())
        {
            Iperf3Server.runOn(core, s.core(), s::abort);
        }
        control.close();
        end();
    }

    private synchronized Iperf3Stream[] snapshotConnecting()
    {
        return connecting.toArray(new Iperf3Stream[0]);
    }

    /** Tells the client why its test is refused (iperf's SERVER_ERROR: the code and an errno of 0). */
    private void serverError(final int code, final String why)
    {
        buffers.control.putByte(0, Iperf3Protocol.SERVER_ERROR);
        buffers.control.putInt(1, code, java.nio.ByteOrder.BIG_ENDIAN);
        buffers.control.putInt(5, 0, java.nio.ByteOrder.BIG_ENDIAN);
        write(buffers.control, 9);
        abort("refused: " + why);
    }

    private void sendState(final byte state)
    {
        buffers.control.putByte(0, state);
        write(buffers.control, 1);
    }

    private boolean write(final UnsafeBuffer message, final int length)
    {
        if (control.write(message, 0, length) == length)
        {
            return true;
        }
        abort("the control connection's send buffer is full");
        return false;
    }

    /** @return true once the results are shown and the test only waits for the client's IPERF_DONE. */
    boolean resultsShown()
    {
        return resultsShown;
    }

    private void end()
    {
        if (watchdog != null)
        {
            watchdog.cancel(false);
        }
        if (omitTimer != null)
        {
            omitTimer.cancel(false);
        }
        server.ended(this);
    }
}
