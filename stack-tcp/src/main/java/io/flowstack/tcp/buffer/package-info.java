/**
 * The per-connection building blocks a TCB uses: the send buffer (data written and not yet acknowledged), the
 * receive buffer (data in order for the application plus out-of-order data held at its place) and the RTT
 * estimator (RFC 6298).
 * <p>
 * Both buffers are rings indexed directly by sequence number: byte {@code seq} lives at {@code seq & (capacity -
 * 1)}. Since the capacity is a power of two and divides 2^32, the index stays right across the 2^32 wrap and no
 * base offset has to be kept. They allocate nothing after construction; comparisons of sequence numbers go
 * through {@link io.flowstack.core.seq.Seq}.
 */
package io.flowstack.tcp.buffer;
