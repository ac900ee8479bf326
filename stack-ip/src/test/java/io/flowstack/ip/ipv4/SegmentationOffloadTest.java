package io.flowstack.ip.ipv4;

import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.Offloads;
import io.flowstack.core.driver.VirtioNetHeader;
import io.flowstack.ip.StackHarness;
import io.flowstack.ip.wire.Ipv4Flyweight;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A segmentation-offload datagram (a TSO segment) is never fragmented: it goes out whole, with its virtio-net
 * header, on an interface whose device cuts it, and is refused (counted) on one that does not.
 */
class SegmentationOffloadTest
{
    private static final int PAYLOAD = 30_000;

    private static PacketBuffer tsoSegment(final StackHarness h)
    {
        final PacketBuffer buf = h.pool.acquire();
        buf.window(buf.offset(), 20 + PAYLOAD);
        buf.buffer().setMemory(buf.offset(), 20 + PAYLOAD, (byte)7);
        buf.buffer().putByte(buf.offset() + 12, (byte)(5 << 4));
        buf.checksumPartial(buf.offset(), 16).gso(PacketBuffer.GSO_TCPV4, 1448);
        h.stack.ipv4().prependHeader(buf, StackHarness.STACK_IP, StackHarness.PEER_IP, Ipv4Flyweight.PROTO_TCP, false);
        return buf;
    }

    @Test
    void shouldSendALargeSegmentWholeOnAnInterfaceThatCutsIt()
    {
        final StackHarness h = new StackHarness(1500, Offloads.VIRTIO_NET);
        h.learnPeer();
        h.stack.ipv4().send(tsoSegment(h));
        h.run();
        final List<byte[]> out = h.transmitted();
        assertEquals(1, out.size(), "one frame, not fragments");
        final byte[] frame = out.get(0);
        assertEquals(VirtioNetHeader.LENGTH + 14 + 20 + 20 + PAYLOAD, frame.length);
        // virtio_net_hdr: NEEDS_CSUM, TCPV4, hdr_len 54, gso_size 1448, csum_start 34, csum_offset 16.
        assertEquals(1, frame[0]);
        assertEquals(VirtioNetHeader.GSO_TCPV4, frame[1]);
        assertEquals(54, frame[2]);
        assertEquals(1448, (frame[4] & 0xFF) | (frame[5] & 0xFF) << 8);
        assertEquals(34, frame[6]);
        assertEquals(16, frame[8]);
        assertEquals(0, h.counters.get("ipv4.tx.fragmented"));
    }

    @Test
    void shouldRefuseALargeSegmentOnAPlainInterface()
    {
        final StackHarness h = new StackHarness(1500, Offloads.NONE);
        h.learnPeer();
        h.stack.ipv4().send(tsoSegment(h));
        h.run();
        assertEquals(0, h.transmitted().size());
        assertEquals(1, h.counters.get("ipv4.tx.gso_refused"));
        assertEquals(0, h.counters.get("ipv4.tx.fragmented"));
    }
}
