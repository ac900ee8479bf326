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
    /** One queue: software dispatches every frame. */
    NONE
}
