package io.flowstack.core.driver;

import io.flowstack.core.buffer.PacketBuffer;

/**
 * Receives frames from a {@link NetworkDriver}. The handler takes ownership of the buffer: it must release it
 * or pass it on (to a transmit path or another core's queue).
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * @param frame an Ethernet frame; its {@link PacketBuffer#ifIndex()} names the interface it came from.
     */
    void onFrame(PacketBuffer frame);
}
