/**
 * Exact steering in the kernel: programs generated from the running {@link io.flowstack.core.flow.FlowOwnership}
 * (its Toeplitz key, the indirection table of every protocol class, steering rules, the interface's designation
 * and the flows pinned through a reprogramming) that give every frame the queue of its owner core, so that no
 * core receives a frame another core owns. Extended BPF for multi-queue TAP ({@code TUNSETSTEERINGEBPF}) and
 * AF_PACKET fanout ({@code PACKET_FANOUT_EBPF}), with the table and the pins in maps updated while traffic runs;
 * classic BPF for fanout where extended BPF is refused ({@code PACKET_FANOUT_CBPF}), regenerated on every change.
 */
package io.flowstack.tap.steer;
