package io.flowstack.examples.apps;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.CoreSetup;
import io.flowstack.tcp.api.ReadHandler;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;

import java.net.BindException;

/**
 * TCP echo (RFC 862): every byte goes back; when the peer closes, we close after the last byte. Reads only what
 * the send buffer can take, so a slow reader on the other side slows the writer down (back-pressure). The bytes
 * go from the receive buffer straight into the send buffer (read in place, {@link TcpConnection#read(ReadHandler)}):
 * one copy.
 */
public final class TcpEcho implements CoreSetup
{
    private final int port;

    /**
     * @param port port to listen on, on every core.
     */
    public TcpEcho(final int port)
    {
        this.port = port;
    }

    @Override
    public void setup(final CoreContext core) throws BindException
    {
        final Handler handler = new Handler();
        core.listen(port, c -> handler);
    }

    private static final class Handler implements TcpHandler
    {
        /** The connection being pumped (the handler serves every connection of its core, one at a time). */
        private TcpConnection current;
        /** Echoes what it is handed, as much as the send buffer takes; the rest stays to be read. */
        private final ReadHandler echo = (buffer, offset, length) -> Math.max(0, current.write(buffer, offset, length));

        @Override
        public void onConnected(final TcpConnection c)
        {
        }

        @Override
        public void onData(final TcpConnection c)
        {
            pump(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            pump(c);
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            pump(c);
        }

        private void pump(final TcpConnection c)
        {
            current = c;
            while (c.readable() > 0 && c.writable() > 0 && c.read(echo) > 0)
            {
                // until one side has no more
            }
            if (c.readable() == 0 && c.read(echo) < 0)
            {
                // Peer done and everything echoed: close our side too.
                c.close();
            }
        }
    }
}
