package io.flowstack.tcp.tcb;

import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.cc.CongestionControl;

/**
 * What tests in other packages may read of a connection's internals (the simulator hands out {@link TcpConnection}s).
 */
public final class Tcbs
{
    private Tcbs()
    {
    }

    /**
     * @param connection a connection of this stack.
     * @return its sender's congestion control.
     */
    public static CongestionControl congestionControl(final TcpConnection connection)
    {
        return ((Tcb)connection).snd.cc;
    }
}
