package io.flowstack.tcp.cc;

/**
 * The states of BBR's state machine (draft-ietf-ccwg-bbr 5.1), ProbeBW in its four phases.
 */
public enum BbrState
{
    /** Doubling the sending rate each round trip until the bandwidth stops growing. */
    STARTUP,
    /** Draining the queue Startup built. */
    DRAIN,
    /** ProbeBW, decelerating: 90% of the estimated bandwidth, until in-flight data is at most the BDP. */
    PROBE_BW_DOWN,
    /** ProbeBW, cruising at the estimated bandwidth until it is time to probe. */
    PROBE_BW_CRUISE,
    /** ProbeBW, refilling the pipe for one round trip before probing. */
    PROBE_BW_REFILL,
    /** ProbeBW, probing: 125% of the estimated bandwidth until it stops growing or loss is too high. */
    PROBE_BW_UP,
    /** Cutting in-flight data to half the BDP for 200 ms and a round trip, to measure the propagation delay. */
    PROBE_RTT
}
