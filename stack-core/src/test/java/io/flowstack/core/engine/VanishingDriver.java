package io.flowstack.core.engine;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.FrameHandler;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.Steering;

import java.util.ArrayList;
import java.util.List;

/**
 * A fake device queue that can vanish: it fails on its next read ({@link #failOnRead(int)}) or its next write
 * ({@link #failOnWrite(int)}) with an errno, as a TAP whose namespace was deleted does (EBADFD on both), and keeps
 * failing. It records how often it is used afterwards, what it sent and whether it was closed.
 */
final class VanishingDriver implements NetworkDriver
{
    private final int ifIndex;
    private final int handle;
    private final List<PacketBuffer> queued = new ArrayList<>();
    private int pendingFrames;
    private int readErrno;
    private int writeErrno;
    private int failure;
    int receivesAfterFailure;
    int transmitsAfterFailure;
    int sent;
    boolean closed;

    VanishingDriver(final int ifIndex, final int handle)
    {
        this.ifIndex = ifIndex;
        this.handle = handle;
    }

    /** Frames waiting to be read (filled with zeros of 60 bytes each). */
    void arrive(final int frames)
    {
        pendingFrames += frames;
    }

    void failOnRead(final int errno)
    {
        readErrno = errno;
    }

    void failOnWrite(final int errno)
    {
        writeErrno = errno;
    }

    @Override
    public int receive(final BufferPool pool, final FrameHandler handler, final int limit)
    {
        if (failure != 0)
        {
            receivesAfterFailure++;
            return 0;
        }
        if (readErrno != 0)
        {
            failure = readErrno;
            return 0;
        }
        int n = 0;
        while (n < limit && pendingFrames > 0)
        {
            final PacketBuffer b = pool.acquire();
            b.window(b.offset(), 60).ifIndex(ifIndex);
            pendingFrames--;
            n++;
            handler.onFrame(b);
        }
        return n;
    }

    @Override
    public void transmit(final PacketBuffer frame)
    {
        if (failure != 0)
        {
            transmitsAfterFailure++;
        }
        queued.add(frame);
    }

    @Override
    public int flush()
    {
        int written = 0;
        for (final PacketBuffer frame : queued)
        {
            if (failure == 0 && writeErrno != 0)
            {
                failure = writeErrno;
            }
            if (failure == 0)
            {
                written++;
            }
            frame.release();
        }
        queued.clear();
        sent += written;
        return written;
    }

    @Override
    public int failure()
    {
        return failure;
    }

    @Override
    public int mtu()
    {
        return 1500;
    }

    @Override
    public long macAddress()
    {
        return 0x02_00_00_00_00_01L + ifIndex;
    }

    @Override
    public Steering steering()
    {
        return Steering.NONE;
    }

    @Override
    public int waitHandle()
    {
        return closed ? -1 : handle;
    }

    @Override
    public void close()
    {
        closed = true;
        for (final PacketBuffer frame : queued)
        {
            frame.release();
        }
        queued.clear();
    }
}
