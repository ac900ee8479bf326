package io.flowstack.tcp;

/**
 * What a reprogramming of the indirection table did ({@link FlowStack#reprogram}).
 *
 * @param completed       false when it was abandoned (a core's command queue stayed full).
 * @param pinned          live connections kept with their core although the new table moved their bucket.
 * @param latePins        of those, connections opened during the handover itself (pinned at the switch).
 * @param refusedByKernel pins or table updates a device's kernel copy did not take (those frames are forwarded).
 * @param nanos           time from the request to the kernel's switch.
 */
public record HandoverReport(boolean completed, int pinned, int latePins, int refusedByKernel, long nanos)
{
}
