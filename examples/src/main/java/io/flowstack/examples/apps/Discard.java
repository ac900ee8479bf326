package io.flowstack.examples.apps;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.CoreSetup;
import io.flowstack.tcp.api.ReadHandler;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;

import java.net.BindException;

/**
 * TCP discard (RFC 863): reads and forgets everything; closes when the peer closes. It reads in place
 * ({@link TcpConnection#read(ReadHandler)}): the bytes are consumed where they arrived, never copied out.
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
        final ReadHandler forget = (buffer, offset, length) -> length;
        final TcpHandler handler = new TcpHandler()
        {
            @Override
            public void onConnected(final TcpConnection c)
            {
            }

            @Override
            public void onData(final TcpConnection c)
            {
                while (c.read(forget) > 0)
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
