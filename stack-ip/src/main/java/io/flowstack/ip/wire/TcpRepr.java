package io.flowstack.ip.wire;

import org.agrona.DirectBuffer;

/**
 * Value form of a TCP header with the options the stack uses (RFC 9293 3.1, RFC 7323, RFC 2018), for tests and
 * setup code. SACK blocks are not part of it: they are per-ACK state, see {@link TcpOptions}. The data is the
 * caller's: it is in place after the header before {@link #emit(TcpFlyweight, int, int)}, or copied there by
 * {@link #emit(TcpFlyweight, int, int, DirectBuffer, int)}.
 *
 * @param sourcePort           source port.
 * @param destinationPort      destination port.
 * @param sequenceNumber       SEG.SEQ.
 * @param acknowledgmentNumber SEG.ACK.
 * @param flags                control bits, e.g. {@code TcpFlyweight.SYN | TcpFlyweight.ACK}.
 * @param window               window field as sent (unscaled).
 * @param urgentPointer        urgent pointer.
 * @param mss                  MSS option, or {@link TcpOptions#ABSENT}.
 * @param windowScale          window scale shift count (0 to 14), or {@link TcpOptions#ABSENT}.
 * @param sackPermitted        SACK-permitted option present.
 * @param timestamps           timestamps option present.
 * @param tsVal                TSval, 0 without timestamps.
 * @param tsEcr                TSecr, 0 without timestamps.
 * @param payloadLength        bytes of data after the header.
 */
public record TcpRepr(
    int sourcePort,
    int destinationPort,
    int sequenceNumber,
    int acknowledgmentNumber,
    int flags,
    int window,
    int urgentPointer,
    int mss,
    int windowScale,
    boolean sackPermitted,
    boolean timestamps,
    int tsVal,
    int tsEcr,
    int payloadLength)
{
    /**
     * Reads a header and its options.
     *
     * @param f       a view on which {@link TcpFlyweight#check()} returned {@link TcpFlyweight#VALID}, wrapped
     *                with exactly the segment length.
     * @param options scratch value, filled from {@code f}'s options.
     * @return the header's values (the checksum is not kept, SACK blocks are dropped).
     */
    public static TcpRepr parse(final TcpFlyweight f, final TcpOptions options)
    {
        options.parse(f);
        return new TcpRepr(
            f.sourcePort(),
            f.destinationPort(),
            f.sequenceNumber(),
            f.acknowledgmentNumber(),
            f.flags(),
            f.window(),
            f.urgentPointer(),
            options.mss(),
            options.windowScale(),
            options.sackPermitted(),
            options.hasTimestamps(),
            options.tsVal(),
            options.tsEcr(),
            f.payloadLength());
    }

    /**
     * Writes every header field, the options, the data offset and the checksum over the IPv4 pseudo-header,
     * header and {@link #payloadLength()} bytes of data already in place at {@link #headerLength()}.
     *
     * @param f     a view with at least {@link #tcpLength()} bytes.
     * @param srcIp source address of the IPv4 header.
     * @param dstIp destination address of the IPv4 header.
     */
    public void emit(final TcpFlyweight f, final int srcIp, final int dstIp)
    {
        final TcpOptions options = options(new TcpOptions());
        final int headerLength = TcpFlyweight.HEADER_LENGTH + options.emit(f.buffer(), f.optionsOffset());
        f.sourcePort(sourcePort)
            .destinationPort(destinationPort)
            .sequenceNumber(sequenceNumber)
            .acknowledgmentNumber(acknowledgmentNumber)
            .dataOffset(headerLength)
            .flags(flags)
            .window(window)
            .urgentPointer(urgentPointer)
            .computeChecksum(srcIp, dstIp, headerLength + payloadLength);
    }

    /**
     * Copies {@link #payloadLength()} bytes of data after the header, then emits as
     * {@link #emit(TcpFlyweight, int, int)}.
     *
     * @param f             a view with at least {@link #tcpLength()} bytes.
     * @param srcIp         source address of the IPv4 header.
     * @param dstIp         destination address of the IPv4 header.
     * @param payload       the data.
     * @param payloadOffset index of the first data byte in {@code payload}.
     */
    public void emit(
        final TcpFlyweight f, final int srcIp, final int dstIp, final DirectBuffer payload, final int payloadOffset)
    {
        f.buffer().putBytes(f.offset() + headerLength(), payload, payloadOffset, payloadLength);
        emit(f, srcIp, dstIp);
    }

    /**
     * Writes this header's options into a reusable value, clearing it first.
     *
     * @param target the value to fill.
     * @return {@code target}
     */
    public TcpOptions options(final TcpOptions target)
    {
        target.reset().mss(mss).windowScale(windowScale).sackPermitted(sackPermitted);
        if (timestamps)
        {
            target.timestamps(tsVal, tsEcr);
        }
        return target;
    }

    /**
     * @return bytes of the header {@link #emit} writes: 20 plus the options.
     */
    public int headerLength()
    {
        return TcpFlyweight.HEADER_LENGTH + options(new TcpOptions()).length();
    }

    /**
     * @return bytes of the header {@link #emit} writes, as {@link #headerLength()}.
     */
    public int bufferLength()
    {
        return headerLength();
    }

    /**
     * @return the segment length: header plus data, the TCP length of the pseudo-header.
     */
    public int tcpLength()
    {
        return headerLength() + payloadLength;
    }
}
