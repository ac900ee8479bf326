package io.flowstack.examples.cli;

import io.flowstack.tap.netns.NetNs;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A UDP echo client for live tests: one datagram from each of many sockets (distinct source ports, so distinct
 * flows), sent from inside a namespace, each echo checked byte for byte.
 */
final class UdpFlows
{
    private UdpFlows()
    {
    }

    /**
     * @return number of flows whose echo came back identical (three tries each).
     */
    static int echo(final NetNs netns, final String address, final int flows) throws IOException
    {
        return netns.callInside(() ->
        {
            final InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(address), 7);
            final List<DatagramSocket> sockets = new ArrayList<>();
            int ok = 0;
            try
            {
                for (int i = 0; i < flows; i++)
                {
                    final DatagramSocket s = new DatagramSocket(0);
                    s.setSoTimeout(1000);
                    sockets.add(s);
                }
                final Random random = new Random(7);
                for (final DatagramSocket s : sockets)
                {
                    final byte[] data = new byte[100];
                    random.nextBytes(data);
                    final byte[] back = new byte[2048];
                    for (int attempt = 0; attempt < 3; attempt++)
                    {
                        s.send(new DatagramPacket(data, data.length, target));
                        try
                        {
                            final DatagramPacket reply = new DatagramPacket(back, back.length);
                            s.receive(reply);
                            assertArrayEquals(data, Arrays.copyOf(back, reply.getLength()), "echo differs");
                            ok++;
                            break;
                        }
                        catch (final SocketTimeoutException retry)
                        {
                            // UDP: ask again
                        }
                    }
                }
            }
            finally
            {
                for (final DatagramSocket s : sockets)
                {
                    s.close();
                }
            }
            return ok;
        });
    }
}
