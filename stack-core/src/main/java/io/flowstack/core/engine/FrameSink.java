package io.flowstack.core.engine;

import io.flowstack.core.buffer.PacketBuffer;

/**
 * Where a core's stack puts frames to send. The frame's {@link PacketBuffer#ifIndex()} names the interface;
 * the sink takes ownership of the buffer.
 */
@FunctionalInterface
public interface FrameSink
{
    /**
     * @param frame a complete Ethernet frame.
     */
    void transmit(PacketBuffer frame);
}
