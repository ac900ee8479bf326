/**
 * Flow steering (DESIGN.md, "Ownership and steering"): the Toeplitz hash over the inbound tuple, the indirection
 * table from hash to core, exact-match rules checked before it, and the choice of outgoing local ports whose
 * replies hash back to the connecting core. Addresses are plain ints (IPv4, as read big-endian from the header)
 * or two longs of either family ({@link io.flowstack.core.wire.AddressBits}): this package depends on no IP
 * classes.
 */
package io.flowstack.core.flow;
