package io.flowstack.core.counter;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;

/**
 * Builds {@link CountersManager}s over memory the caller chooses.
 */
public final class CountersFactory
{
    private CountersFactory()
    {
    }

    /**
     * @param maxCounters how many counters fit.
     * @return a manager over private direct memory.
     */
    public static CountersManager inMemory(final int maxCounters)
    {
        final UnsafeBuffer meta = new UnsafeBuffer(ByteBuffer.allocateDirect(maxCounters * CountersReader.METADATA_LENGTH));
        final UnsafeBuffer values = new UnsafeBuffer(ByteBuffer.allocateDirect(maxCounters * CountersReader.COUNTER_LENGTH));
        return new CountersManager(meta, values);
    }
}
