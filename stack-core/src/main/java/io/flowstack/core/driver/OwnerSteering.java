package io.flowstack.core.driver;

import io.flowstack.core.flow.FlowOwnership;

/**
 * A device's own copy of the ownership function, kept in the kernel (a BPF program and its maps) so that the
 * device delivers every frame to the queue of the core that owns it: queue i to core i ({@link Steering#EXACT}).
 * The stack keeps it in step with the cores' copies through {@link #apply(FlowOwnership)}.
 */
public interface OwnerSteering extends AutoCloseable
{
    /**
     * Makes the device answer as {@code ownership} does: the same tables and the same pins. New and moved pins go
     * in before the table changes and stale ones come out after it, so a flow pinned before and after never
     * moves. The table itself changes at one instant for all flows.
     * <p>
     * Never throws: what the kernel does not take (a full pin map, a refused update) is returned and counted, and
     * those frames land by the table (their owner forwards them).
     *
     * @param ownership the state to mirror; read only.
     * @return pins the device could not take.
     */
    int apply(FlowOwnership ownership);

    /**
     * @return what steers, e.g. "eBPF TUNSETSTEERINGEBPF".
     */
    String describe();

    /**
     * Detaches the program (the device falls back to its own steering) and releases the kernel objects.
     * Idempotent.
     */
    @Override
    void close();
}
