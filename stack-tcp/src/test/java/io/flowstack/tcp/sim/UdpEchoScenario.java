package io.flowstack.tcp.sim;

import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.sim.FaultInjector;
import io.flowstack.core.sim.FrameLog;
import io.flowstack.core.sim.Simulator;
import io.flowstack.ip.udp.UdpEndpoint;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.CoreSetup;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A request/response application with retries, for the simulation tests: the client's cores send K datagrams of
 * known content (a few at a time per core, each retried every RTO until its echo arrives), the server's cores echo.
 * Both sides check every payload against what was sent (by hash) and record, per datagram handled, the core that
 * handled it and the flow's tuple, so that ownership can be checked afterwards.
 * <p>
 * The shape (client setup, server setup, start, done, verify) is what a TCP scenario will implement too.
 */
final class UdpEchoScenario
{
    static final int PORT = 7;

    private final int requests;
    private final int window;
    private final long rtoNs;
    private final long[] expectedHash;
    private final UnsafeBuffer[] payloads;
    private final boolean[] answered;
    private int answeredCount;
    private long badPayloads;
    private long sends;
    private long echoes;
    /** Per datagram handled: {side (0 client, 1 server), core, source, destination, source port, destination port}. */
    private final List<long[]> handled = new ArrayList<>();
    private Simulator simulator;
    private int serverAddress;
    private int clientAddress;
    private UdpEndpoint[] clientEndpoints;
    private int[] nextRequest;

    /**
     * @param seed     content of the payloads.
     * @param requests K.
     * @param window   outstanding requests per client core.
     * @param rtoNs    application retry interval.
     */
    UdpEchoScenario(final long seed, final int requests, final int window, final long rtoNs)
    {
        this.requests = requests;
        this.window = window;
        this.rtoNs = rtoNs;
        this.expectedHash = new long[requests];
        this.payloads = new UnsafeBuffer[requests];
        this.answered = new boolean[requests];
        for (int i = 0; i < requests; i++)
        {
            final SplittableRandom r = new SplittableRandom(FaultInjector.seedFor(seed, i));
            // At least 18 bytes, so that no frame needs Ethernet padding (a flipped pad bit would go unnoticed).
            final int length = 18 + r.nextInt(600);
            final byte[] bytes = new byte[length];
            r.nextBytes(bytes);
            final UnsafeBuffer b = new UnsafeBuffer(bytes);
            b.putInt(0, i, ByteOrder.BIG_ENDIAN);
            payloads[i] = b;
            expectedHash[i] = FrameLog.hash(b, 0, length);
        }
    }

    /** Index of the request whose intact payload this is, or -1 (corrupt or unknown). */
    private int identify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 4)
        {
            return -1;
        }
        final int id = buffer.getInt(offset, ByteOrder.BIG_ENDIAN);
        if (id < 0 || id >= requests || payloads[id].capacity() != length
            || FrameLog.hash(buffer, offset, length) != expectedHash[id])
        {
            return -1;
        }
        return id;
    }

    CoreSetup server()
    {
        return core -> core.bindUdp(PORT, (ep, src, srcPort, buf, off, len) ->
        {
            handled.add(new long[]{1, core.coreId(), src, serverAddress, srcPort, PORT});
            if (identify(buf, off, len) < 0)
            {
                badPayloads++;
                return;
            }
            ep.send(src, srcPort, buf, off, len);
        });
    }

    CoreSetup client(final int cores, final int server)
    {
        clientEndpoints = new UdpEndpoint[cores];
        nextRequest = new int[cores];
        return core ->
        {
            final int c = core.coreId();
            nextRequest[c] = c;
            clientEndpoints[c] = core.openUdp(server, PORT, (ep, src, srcPort, buf, off, len) ->
            {
                handled.add(new long[]{0, c, src, clientAddress, srcPort, ep.localPort()});
                echoes++;
                final int id = identify(buf, off, len);
                if (id < 0)
                {
                    badPayloads++;
                    return;
                }
                if (!answered[id])
                {
                    answered[id] = true;
                    answeredCount++;
                    sendNext(c, simulator.now());
                }
            });
        };
    }

    /**
     * Starts the client: each core sends its first {@code window} requests (request i belongs to core i mod cores).
     */
    void start(final Simulator sim, final SimHost client, final SimHost server)
    {
        this.simulator = sim;
        this.clientAddress = client.address();
        this.serverAddress = server.address();
        for (int c = 0; c < clientEndpoints.length; c++)
        {
            final int core = c;
            sim.schedule(0, () -> client.engine(core).submit(() ->
            {
                for (int w = 0; w < window; w++)
                {
                    sendNext(core, simulator.now());
                }
            }));
        }
    }

    private void sendNext(final int core, final long now)
    {
        final int id = nextRequest[core];
        if (id >= requests)
        {
            return;
        }
        nextRequest[core] += clientEndpoints.length;
        send(core, id, now);
    }

    private void send(final int core, final int id, final long now)
    {
        sends++;
        clientEndpoints[core].send(serverAddress, PORT, payloads[id], 0, payloads[id].capacity());
        simulator.schedule(now + rtoNs, () ->
        {
            if (!answered[id])
            {
                send(core, id, simulator.now());
            }
        });
    }

    boolean done()
    {
        return answeredCount == requests;
    }

    int answered()
    {
        return answeredCount;
    }

    /**
     * @return payloads that reached an application but were not exactly what was sent.
     */
    long badPayloads()
    {
        return badPayloads;
    }

    long sends()
    {
        return sends;
    }

    long echoes()
    {
        return echoes;
    }

    long handledCount()
    {
        return handled.size();
    }

    /**
     * @return a description of the first datagram handled by a core that does not own its flow, or null.
     */
    String ownershipViolation(final FlowOwnership client, final FlowOwnership server)
    {
        for (final long[] h : handled)
        {
            final FlowOwnership o = h[0] == 0 ? client : server;
            final int owner = o.ownerOfFlow(0, Ipv4Flyweight.PROTO_UDP, (int)h[2], (int)h[3], (int)h[4], (int)h[5]);
            if (owner != h[1])
            {
                return (h[0] == 0 ? "client" : "server") + " core " + h[1] + " handled a datagram from "
                    + Ipv4Flyweight.addressToString((int)h[2]) + ":" + h[4] + " to port " + h[5] + " owned by core " + owner;
            }
        }
        return null;
    }

    @Override
    public String toString()
    {
        return answeredCount + "/" + requests + " answered, " + sends + " sends, " + echoes + " echoes, "
            + badPayloads + " bad payloads";
    }
}
