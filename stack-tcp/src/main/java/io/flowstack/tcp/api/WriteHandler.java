package io.flowstack.tcp.api;

import org.agrona.MutableDirectBuffer;

/**
 * Produces bytes to send where they will lie in the connection's send buffer, without a copy
 * ({@link TcpConnection#write(WriteHandler)}): an encoder or a generator writes them in place, as an Aeron publisher
 * does into a claimed range of its log.
 */
@FunctionalInterface
public interface WriteHandler
{
    /**
     * @param buffer the send buffer; valid during this call only. Write to {@code offset .. offset + length - 1}
     *               only, and do not call the connection's write methods from here (a close or shutdown from here
     *               drops what this call wrote).
     * @param offset first free byte.
     * @param length free bytes at this place (the buffer is a ring: room past its end comes in a second call).
     * @return bytes written from {@code offset}, 0 to {@code length}; they are queued to send. Fewer than
     *         {@code length} ends the write.
     */
    int onRoom(MutableDirectBuffer buffer, int offset, int length);
}
