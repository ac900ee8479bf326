/**
 * Whole flowstack hosts inside the deterministic simulator of {@code io.flowstack.core.sim}: a {@link
 * io.flowstack.tcp.sim.SimHost} is a {@link io.flowstack.tcp.FlowStack} with N cores on simulated ports and virtual
 * time, driven by the {@link io.flowstack.core.sim.Simulator} instead of threads; a {@link
 * io.flowstack.tcp.sim.SimNetwork} wires hosts back to back or through a switch with given faults.
 */
package io.flowstack.tcp.sim;
