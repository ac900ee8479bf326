package io.flowstack.tcp.tcb;

import io.flowstack.ip.wire.TcpOptions;
import org.agrona.MutableDirectBuffer;

/**
 * The parsed view of one arriving segment that the state machine works on: RFC 9293 names (SEG.SEQ, SEG.ACK,
 * SEG.LEN, SEG.WND). Reused for every segment of a core.
 */
final class Segment
{
    int ifIndex;
    /** Source and destination addresses, {@link io.flowstack.ip.addr.IpAddress}'s two longs each. */
    long sourceHigh;
    long sourceLow;
    long destinationHigh;
    long destinationLow;
    int sourcePort;
    int destinationPort;
    int seq;
    int ack;
    int flags;
    int window;
    final TcpOptions options = new TcpOptions();
    MutableDirectBuffer buffer;
    int payloadOffset;
    int payloadLength;
    /** Payload bytes per original segment of a large one the device coalesced (or a local sender never cut), 0 otherwise. */
    int gsoSize;

    boolean syn()
    {
        return (flags & TcpFlags.SYN) != 0;
    }

    boolean ack()
    {
        return (flags & TcpFlags.ACK) != 0;
    }

    boolean rst()
    {
        return (flags & TcpFlags.RST) != 0;
    }

    boolean fin()
    {
        return (flags & TcpFlags.FIN) != 0;
    }

    /**
     * @return the size of the segments this one stands for: its own payload length, or the device's segment size
     *         for a large segment.
     */
    int segmentSize()
    {
        return gsoSize > 0 ? gsoSize : payloadLength;
    }

    /**
     * @return SEG.LEN: payload plus one for SYN and one for FIN.
     */
    int len()
    {
        return payloadLength + (syn() ? 1 : 0) + (fin() ? 1 : 0);
    }
}
