package io.flowstack.tcp.api;

import org.agrona.DirectBuffer;

/**
 * Takes received bytes where they lie in the connection's receive buffer, without a copy
 * ({@link TcpConnection#read(ReadHandler)}): a parser or a sink reads them in place, an echo writes them straight
 * into the send buffer.
 */
@FunctionalInterface
public interface ReadHandler
{
    /**
     * @param buffer the receive buffer; valid during this call only (consumed bytes are overwritten by later data).
     *               Read it; do not write to it, and do not call the connection's read methods from here.
     * @param offset first readable byte.
     * @param length readable bytes at this place (the buffer is a ring: bytes past its end come in a second call).
     * @return bytes consumed, 0 to {@code length}; fewer than {@code length} ends the read and the rest stays
     *         readable.
     */
    int onBytes(DirectBuffer buffer, int offset, int length);
}
