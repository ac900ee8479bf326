/**
 * flowstack's core: packet buffers, the driver SPI a device implements, flow ownership (the Toeplitz hash, the
 * indirection table, steering rules), time, counters, pcap and the simulator. The per-core engine and sequence
 * arithmetic are internal: only the stack's own modules read them.
 */
module io.flowstack.core
{
    requires transitive org.agrona.core;
    requires org.jctools.core;

    exports io.flowstack.core.buffer;
    exports io.flowstack.core.counter;
    exports io.flowstack.core.driver;
    exports io.flowstack.core.flow;
    exports io.flowstack.core.pcap;
    exports io.flowstack.core.sim;
    exports io.flowstack.core.time;
    exports io.flowstack.core.wire;

    exports io.flowstack.core.engine to io.flowstack.ip, io.flowstack.tcp;
    exports io.flowstack.core.seq to io.flowstack.tcp;
}
