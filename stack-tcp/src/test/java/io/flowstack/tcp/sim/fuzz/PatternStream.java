package io.flowstack.tcp.sim.fuzz;

import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One end of the transfer the fuzzer must not break: writes its stream (byte i is {@link #byteAt(long, long)} of its
 * seed) for as long as it is told to, then closes its side; checks every byte it reads against the peer's stream.
 * Both ends write at once, so both directions carry data while frames are injected.
 */
final class PatternStream implements TcpHandler
{
    private final long seed;
    private final long peerSeed;
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[1 << 16]);
    private final UnsafeBuffer in = new UnsafeBuffer(new byte[1 << 16]);
    final int core;
    TcpConnection connection;
    long written;
    long read;
    long mismatches;
    long firstMismatch = -1;
    boolean finishing;
    boolean outputShut;
    boolean peerClosed;
    int closedReason = -1;

    PatternStream(final long seed, final long peerSeed, final int core)
    {
        this.seed = seed;
        this.peerSeed = peerSeed;
        this.core = core;
    }

    /** Byte {@code offset} of the stream of {@code seed}: cheap, and no short period. */
    static byte byteAt(final long seed, final long offset)
    {
        long z = seed + offset * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
        return (byte)(z >>> 56);
    }

    /** Stop writing (after what is written) and close this side. Call on the connection's core. */
    void finish()
    {
        finishing = true;
        if (connection != null)
        {
            onWritable(connection);
        }
    }

    boolean done()
    {
        return closedReason >= 0;
    }

    boolean intact(final PatternStream peer)
    {
        return mismatches == 0 && peerClosed && read == peer.written && closedReason == CLOSED_NORMALLY;
    }

    @Override
    public void onConnected(final TcpConnection c)
    {
        connection = c;
        onWritable(c);
    }

    @Override
    public void onWritable(final TcpConnection c)
    {
        while (!finishing)
        {
            final int chunk = out.capacity();
            for (int i = 0; i < chunk; i++)
            {
                out.putByte(i, byteAt(seed, written + i));
            }
            final int n = c.write(out, 0, chunk);
            if (n <= 0)
            {
                return;
            }
            written += n;
        }
        if (!outputShut)
        {
            outputShut = true;
            c.shutdownOutput();
        }
    }

    @Override
    public void onData(final TcpConnection c)
    {
        int n;
        while ((n = c.read(in, 0, in.capacity())) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                if (in.getByte(i) != byteAt(peerSeed, read + i))
                {
                    if (firstMismatch < 0)
                    {
                        firstMismatch = read + i;
                    }
                    mismatches++;
                }
            }
            read += n;
        }
    }

    @Override
    public void onPeerClosed(final TcpConnection c)
    {
        onData(c);
        peerClosed = true;
        if (finishing && !outputShut)
        {
            onWritable(c);
        }
    }

    @Override
    public void onClosed(final TcpConnection c, final int reason)
    {
        closedReason = reason;
    }

    @Override
    public String toString()
    {
        return "wrote " + written + ", read " + read + (mismatches > 0 ? ", " + mismatches + " bytes wrong from offset "
            + firstMismatch : "") + (peerClosed ? ", peer closed" : "") + (closedReason >= 0 ? ", "
            + TcpHandler.reasonName(closedReason) : ", open");
    }
}
