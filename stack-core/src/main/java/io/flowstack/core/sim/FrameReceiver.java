package io.flowstack.core.sim;

import org.agrona.DirectBuffer;

/**
 * The far end of a {@link SimLink}: a host's port, a switch port, or a test's own endpoint.
 */
@FunctionalInterface
public interface FrameReceiver
{
    /**
     * @param nowNs  virtual time of arrival.
     * @param buffer the frame's bytes, valid only during the call.
     * @param offset first byte.
     * @param length frame length.
     */
    void onFrame(long nowNs, DirectBuffer buffer, int offset, int length);
}
