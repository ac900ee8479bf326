package io.flowstack.examples.apps;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.CoreSetup;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.BindException;

/**
 * TCP echo (RFC 862): every byte goes back; when the peer closes, we close after the last byte. Reads only what
 * the send buffer can take, so a slow reader on the other side slows the writer down (back-pressure).
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
        private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1 << 16]);

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
            while (true)
            {
                final int n = Math.min(Math.min(c.readable(), c.writable()), scratch.capacity());
                if (n <= 0)
                {
                    break;
                }
                c.read(scratch, 0, n);
                c.write(scratch, 0, n);
            }
            if (c.readable() == 0 && c.read(scratch, 0, 0) < 0)
            {
                // Peer done and everything echoed: close our side too.
                c.close();
            }
        }
    }
}
