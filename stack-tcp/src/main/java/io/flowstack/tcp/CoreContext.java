package io.flowstack.tcp;

import io.flowstack.core.engine.Command;
import io.flowstack.core.engine.CoreEngine;
import io.flowstack.ip.IpStack;
import io.flowstack.tcp.api.TcpService;
import io.flowstack.tcp.tcb.TcpLayer;

/**
 * What an application instance sees of its core: the stack to bind on, and a way to hand work to the core from
 * other threads.
 */
public final class CoreContext
{
    private final int coreId;
    private final CoreEngine engine;
    private final IpStack ip;
    private final TcpLayer tcp;

    CoreContext(final int coreId, final CoreEngine engine, final IpStack ip, final TcpLayer tcp)
    {
        this.coreId = coreId;
        this.engine = engine;
        this.ip = ip;
        this.tcp = tcp;
    }

    /**
     * @return the core's TCP (listen, connect); null if this core does not run TCP.
     */
    public TcpService tcp()
    {
        return tcp;
    }

    /**
     * @return this core's index.
     */
    public int coreId()
    {
        return coreId;
    }

    /**
     * @return the core's IP stack (UDP endpoints, ICMP); use it only on the core's thread.
     */
    public IpStack ip()
    {
        return ip;
    }

    /**
     * Runs a command on the core's thread. Safe from any thread.
     *
     * @param command the work.
     * @return false if the core's command queue is full.
     */
    public boolean submit(final Command command)
    {
        return engine.submit(command);
    }

    /**
     * @return the core's engine.
     */
    public CoreEngine engine()
    {
        return engine;
    }
}
