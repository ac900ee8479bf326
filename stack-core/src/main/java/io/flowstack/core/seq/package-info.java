/**
 * Sequence-number arithmetic (RFC 9293 3.4): 32-bit TCP sequence numbers held in Java {@code int}s and compared
 * modulo 2^32. Every comparison of sequence numbers in the stack goes through {@link io.flowstack.core.seq.Seq};
 * a plain {@code <} on two sequence numbers is a bug as soon as the connection crosses 2^31 or 2^32.
 */
package io.flowstack.core.seq;
