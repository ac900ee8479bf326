package io.flowstack.examples.apps;

import io.flowstack.tcp.CoreContext;
import io.flowstack.tcp.CoreSetup;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import io.flowstack.tcp.api.WriteHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.BindException;

/**
 * TCP source (the chargen idea, with zeros): writes as fast as the connection takes until the peer closes, in place.
 */
public final class Source implements CoreSetup
{
    private final int port;

    /**
     * @param port port to listen on, on every core.
     */
    public Source(final int port)
    {
        this.port = port;
    }

    @Override
    public void setup(final CoreContext core) throws BindException
    {
        // Zeros written where they will be sent from (TcpConnection.write(WriteHandler)): no copy from a buffer.
        final WriteHandler zeros = (buffer, offset, length) ->
        {
            buffer.setMemory(offset, length, (byte)0);
            return length;
        };
        final UnsafeBuffer sink = new UnsafeBuffer(new byte[1 << 12]);
        final TcpHandler handler = new TcpHandler()
        {
            @Override
            public void onConnected(final TcpConnection c)
            {
                fill(c);
            }

            @Override
            public void onWritable(final TcpConnection c)
            {
                fill(c);
            }

            @Override
            public void onData(final TcpConnection c)
            {
                while (c.read(sink, 0, sink.capacity()) > 0)
                {
                    // requests are ignored
                }
            }

            @Override
            public void onPeerClosed(final TcpConnection c)
            {
                c.close();
            }

            private void fill(final TcpConnection c)
            {
                c.write(zeros);
            }
        };
        core.listen(port, c -> handler);
    }
}
