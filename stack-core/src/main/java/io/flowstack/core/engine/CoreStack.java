package io.flowstack.core.engine;

import io.flowstack.core.buffer.PacketBuffer;
import org.agrona.DirectBuffer;

/**
 * One core's protocol stack as a single-threaded state machine: frames, time and commands go in; frames go out
 * through the {@link FrameSink} it was built with, and application events come out as callbacks on the same
 * thread. It holds no thread and does no I/O; time is the core's cached clock ({@link CoreServices#time()}),
 * which the engine sets as each frame is read and as each stage of the cycle begins, so every layer sees the same
 * time for a frame and none keeps a time of its own. The same object runs on a core's thread against a device or, many at once, inside a
 * simulator on virtual time.
 */
public interface CoreStack
{
    /**
     * Called once before the first frame: send what a stack says when it comes up (gratuitous ARP).
     */
    void onStart();

    /**
     * Processes one received frame to completion. Takes ownership of the buffer. Never throws for any input.
     *
     * @param frame the frame, window at the Ethernet header.
     */
    void onFrame(PacketBuffer frame);

    /**
     * Runs the timers that are due.
     *
     * @return amount of work done (0 when nothing was due).
     */
    int onTime();

    /**
     * @return the earliest time at which {@link #onTime()} has work, or {@link Long#MAX_VALUE}.
     */
    long nextDeadline();

    /**
     * Applies a control message another core broadcast through {@link CoreServices#broadcast}.
     *
     * @param type   message type.
     * @param buffer message bytes, valid during the call.
     * @param offset first byte.
     * @param length length.
     */
    default void onControl(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
    }
}
