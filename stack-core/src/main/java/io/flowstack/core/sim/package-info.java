/**
 * Deterministic network simulation and fault injection.
 * <p>
 * A {@link io.flowstack.core.sim.Simulator} runs many cores of many hosts on one thread against a
 * {@link io.flowstack.core.time.VirtualClock}: frames travel over {@link io.flowstack.core.sim.SimLink}s (one
 * way each, with bandwidth, queue, delay, jitter and seeded faults from a
 * {@link io.flowstack.core.sim.FaultProfile}) and through {@link io.flowstack.core.sim.SimSwitch}es; time jumps
 * to the next event. The same seed gives the same frames at the same virtual times, so a failing run replays
 * exactly ({@link io.flowstack.core.sim.SimulationSeed}).
 * <p>
 * The same {@link io.flowstack.core.sim.FaultInjector} decorates real drivers
 * ({@link io.flowstack.core.sim.FaultyDriver}, {@link io.flowstack.core.sim.FaultyDevice}), so a live TAP run can
 * lose, duplicate, corrupt and delay frames too.
 */
package io.flowstack.core.sim;
