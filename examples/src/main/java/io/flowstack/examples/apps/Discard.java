package io.flowstack.examples.apps;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.CoreSetup;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.BindException;

/**
 * TCP discard (RFC 863): reads and forgets everything; closes when the peer closes.
 */
public final class Discard implements CoreSetup
{
    private final int port;

    /**
     * @param port port to listen on, on every core.
     */
    public Discard(final int port)
    {
        this.port = port;
    }

    @Override
    public void setup(final CoreContext core) throws BindException
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1 << 16]);
        final TcpHandler handler = new TcpHandler()
        {
            @Override
            public void onConnected(final TcpConnection c)
            {
            }

            @Override
            public void onData(final TcpConnection c)
            {
                while (c.read(scratch, 0, scratch.capacity()) > 0)
                {
                    // discard
                }
            }

            @Override
            public void onPeerClosed(final TcpConnection c)
            {
                onData(c);
                c.close();
            }
        };
        core.listen(port, c -> handler);
    }
}
