package io.flowstack.ip.ipv4;

import org.agrona.DirectBuffer;

/**
 * Told about a datagram that timed out in reassembly after its fragment zero had arrived, so that the caller can
 * send ICMP Time Exceeded, code 1 "fragment reassembly time exceeded" (RFC 792; RFC 1122 3.3.2: sent only if
 * fragment zero was received). The reassembler itself sends nothing: it knows no routes and no ICMP.
 */
@FunctionalInterface
public interface ReassemblyTimeoutHandler
{
    /**
     * Called once per expired datagram, before its buffer goes back to the pool. The bytes are only valid during
     * the call: copy what the ICMP message quotes, never keep the buffer.
     *
     * @param buffer holds fragment zero's IP header exactly as received, followed by the first 8 data bytes.
     * @param offset where the IP header starts.
     * @param length header length plus 8: what RFC 792 quotes ("internet header + 64 bits of data").
     */
    void onTimeout(DirectBuffer buffer, int offset, int length);
}
