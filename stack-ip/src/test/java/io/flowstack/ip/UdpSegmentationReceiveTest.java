package io.flowstack.ip;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.MemoryDriver;
import io.flowstack.core.driver.Offloads;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A UDP segmentation frame (USO: a local sender with UDP_SEGMENT, its checksum partial) reaches the application
 * as the datagrams it stands for, gso_size bytes each and a shorter last one; an ordinary datagram as itself.
 */
class UdpSegmentationReceiveTest
{
    @Test
    void shouldDeliverTheDatagramsASegmentationFrameStandsFor()
    {
        final StackHarness h = new StackHarness(1500, Offloads.VIRTIO_NET);
        h.learnPeer();
        final List<byte[]> got = new ArrayList<>();
        h.stack.udp().bind(0, 9, (ep, src, port, buf, off, len) ->
        {
            final byte[] d = new byte[len];
            buf.getBytes(off, d);
            got.add(d);
        });
        final byte[] data = new byte[3500];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)i;
        }
        final byte[] frame = Frames.ipv4(StackHarness.STACK_MAC, StackHarness.PEER_MAC, StackHarness.PEER_IP,
            StackHarness.STACK_IP, Ipv4Flyweight.PROTO_UDP, 1, 0,
            Frames.udp(StackHarness.PEER_IP, StackHarness.STACK_IP, 4000, 9, data));
        // The peer's device hands it over with its virtio-net header, as the kernel writes it to a TAP reader.
        final MemoryDriver peer = new MemoryDriver(0, StackHarness.PEER_MAC, 1500, 1 << 20, Offloads.VIRTIO_NET);
        MemoryDriver.link(peer, h.driver);
        final PacketBuffer out = h.pool.acquire();
        out.buffer().putBytes(out.offset(), frame);
        out.window(out.offset(), frame.length).checksumPartial(out.offset() + 34, 6).gso(PacketBuffer.GSO_UDP_L4, 1000);
        peer.transmit(out);
        h.run();
        assertEquals(4, got.size(), "3500 bytes at 1000 a datagram");
        for (int i = 0; i < 4; i++)
        {
            assertArrayEquals(Arrays.copyOfRange(data, i * 1000, Math.min(data.length, (i + 1) * 1000)), got.get(i));
        }
        assertEquals(4, h.counters.get("udp.rx.datagrams"));
        assertEquals(0, h.counters.get("udp.rx.bad_checksum"));
    }
}
