/**
 * BPF without a compiler: instructions of extended BPF ({@link io.flowstack.tap.bpf.EbpfAssembler}) and classic
 * BPF ({@link io.flowstack.tap.bpf.ClassicAssembler}) emitted from Java, and the {@code bpf(2)} system call
 * ({@link io.flowstack.tap.bpf.Bpf}): load programs (with the verifier's log when the kernel refuses one), create
 * and update maps, run a loaded program on a frame ({@code BPF_PROG_TEST_RUN}). Encodings follow the kernel's
 * Documentation/bpf/standardization/instruction-set.rst and include/uapi/linux/bpf.h, filter.h; nothing is
 * compiled at build or run time outside the JVM. Setup code only: nothing here is on a per-frame path.
 */
package io.flowstack.tap.bpf;
