/**
 * flowstack's public API: the assembled stack and its builder ({@code FlowStack}), the per-core context
 * ({@code CoreContext}), TCP connections and their handlers, options and configuration ({@code io.flowstack.tcp.api}),
 * blocking sockets ({@code io.flowstack.tcp.socket}) and simulated hosts ({@code io.flowstack.tcp.sim}). TCP's
 * machinery (the TCB, buffers, RTT, loss recovery, congestion control) is internal.
 */
module io.flowstack.tcp
{
    requires transitive io.flowstack.ip;
    requires org.jctools.core;

    exports io.flowstack.tcp;
    exports io.flowstack.tcp.api;
    exports io.flowstack.tcp.sim;
    exports io.flowstack.tcp.socket;
}
