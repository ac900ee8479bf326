package io.flowstack.core.engine;

import io.flowstack.core.buffer.PacketBuffer;
import org.agrona.DirectBuffer;
import io.flowstack.core.time.CoreTime;

/**
 * What a core's stack may ask of its engine besides sending frames: hand a frame to the core that owns it, and
 * tell every other core about a change of shared state (a learned neighbor, a new table), which they apply in
 * {@link CoreStack#onControl}. Shared state is replicated by these messages, never locked.
 */
public interface CoreServices
{
    /**
     * @return this core's index.
     */
    int coreId();

    /**
     * @return number of cores.
     */
    int cores();

    /**
     * The core's time: read by the engine as each frame is read and as each stage of the duty cycle begins
     * (commands, timers), so a frame's time is when it was read. Layers read it here; none keeps a time of its own.
     * A layer about to stamp what it transmits refreshes it ({@link CoreTime#refresh()}).
     *
     * @return the core's cached clock.
     */
    CoreTime time();

    /**
     * Hands a frame (window at an Ethernet header) to another core, which processes it as if it had received it.
     * Takes ownership; a full ring drops the frame and counts it.
     *
     * @param frame the frame.
     * @param core  the owner.
     */
    void forward(PacketBuffer frame, int core);

    /**
     * Sends a control message to every other core.
     *
     * @param type   message type, positive.
     * @param buffer message bytes.
     * @param offset first byte.
     * @param length length.
     */
    void broadcast(int type, DirectBuffer buffer, int offset, int length);
}
