package io.flowstack.core.driver;

/**
 * How a driver delivers flows to cores, as DESIGN.md ("Ownership and steering") describes.
 */
public enum Steering
{
    /** The device delivers each flow to its owner's queue. */
    EXACT,
    /** The device learns a flow's queue from the queue we transmit it on; new flows land anywhere. */
    LEARNED,
    /**
     * The device spreads flows over its queues with a flow-consistent hash of its own that we cannot reproduce
     * (AF_PACKET fanout HASH, seeded randomly by the kernel): each flow stays on one queue, but that queue's core
     * need not own it, so strays are forwarded, and outgoing flows cannot aim at a queue.
     */
    HASHED,
    /** No flow steering: one queue, or queues filled without regard to flows; software dispatches every frame. */
    NONE
}
