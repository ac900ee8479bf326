/**
 * flowstack's Linux devices: TAP ({@code TapDevice}), AF_PACKET raw sockets ({@code io.flowstack.tap.packet}),
 * network namespaces and veth pairs ({@code io.flowstack.tap.netns}), and exact steering in the kernel
 * ({@code io.flowstack.tap.steer}). The BPF assemblers are internal. {@code io.flowstack.tap.sys} (system calls
 * through JNR-FFI) is exported because JNR-FFI defines its generated implementations of those interfaces in an
 * unnamed module, which can reach only unconditionally exported packages; of it only {@code ErrnoException} and
 * {@code Privileges} are meant for applications.
 */
module io.flowstack.tap
{
    requires transitive io.flowstack.core;
    requires org.jnrproject.ffi;

    exports io.flowstack.tap;
    exports io.flowstack.tap.netns;
    exports io.flowstack.tap.packet;
    exports io.flowstack.tap.steer;
    exports io.flowstack.tap.sys;
}
