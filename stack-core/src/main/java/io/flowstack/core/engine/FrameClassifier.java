package io.flowstack.core.engine;

import io.flowstack.core.buffer.PacketBuffer;

/**
 * Says which core owns a received frame: the engine's view of the ownership function. Implemented above the
 * engine (the IP layer knows how to find a frame's flow); must be cheap, must not throw, must not allocate.
 */
@FunctionalInterface
public interface FrameClassifier
{
    /** Process the frame where it is (for example a frame too short to classify: it will be dropped there). */
    int HERE = -1;

    /**
     * @param frame a received frame, window at the Ethernet header; not modified.
     * @return the owning core, or {@link #HERE}.
     */
    int owner(PacketBuffer frame);
}
