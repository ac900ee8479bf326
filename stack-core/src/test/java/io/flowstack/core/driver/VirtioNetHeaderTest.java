package io.flowstack.core.driver;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.wire.InternetChecksum;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The virtio-net header codec against the layout of linux/virtio_net.h (little-endian legacy order on this
 * host), and MemoryDriver passing offload metadata between two stacks' devices.
 */
class VirtioNetHeaderTest
{
    private static final int ETH = 14;
    private static final int IP = 20;
    private static final int TCP = 32;
    private static final int SRC = 0xC6120001;
    private static final int DST = 0xC6120002;

    private final BufferPool pool = new BufferPool(0, 8, BufferPool.DEFAULT_SLOT_SIZE, BufferPool.DEFAULT_HEADROOM);

    @Test
    void shouldDecodeTheKernelsHeaderOfALargeSegment()
    {
        final UnsafeBuffer header = new UnsafeBuffer(new byte[]{
            1, (byte)(VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN), 66, 0, (byte)0xA8, 5, 34, 0, 16, 0});
        final PacketBuffer frame = pool.acquire();
        frame.window(frame.offset(), 30_000);
        assertTrue(VirtioNetHeader.decode(header, 0, frame));
        assertEquals(PacketBuffer.CHECKSUM_PARTIAL, frame.checksumState());
        assertEquals(frame.offset() + ETH + IP, frame.checksumStart());
        assertEquals(16, frame.checksumOffset());
        assertEquals(PacketBuffer.GSO_TCPV4, frame.gsoType());
        assertEquals(1448, frame.gsoSize());
        frame.release();
    }

    @Test
    void shouldDecodeDataValidAndNothing()
    {
        final PacketBuffer frame = pool.acquire();
        frame.window(frame.offset(), 100);
        assertTrue(VirtioNetHeader.decode(new UnsafeBuffer(new byte[]{2, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 0, frame));
        assertEquals(PacketBuffer.CHECKSUM_UNNECESSARY, frame.checksumState());
        assertTrue(frame.checksumTrusted());
        assertTrue(VirtioNetHeader.decode(new UnsafeBuffer(new byte[10]), 0, frame));
        assertEquals(PacketBuffer.CHECKSUM_NONE, frame.checksumState());
        assertFalse(frame.checksumTrusted());
        assertEquals(PacketBuffer.GSO_NONE, frame.gsoType());
        frame.release();
    }

    @Test
    void shouldRefuseHeadersThatContradictTheFrame()
    {
        final PacketBuffer frame = pool.acquire();
        frame.window(frame.offset(), 60);
        // Checksum field past the end of the frame.
        assertFalse(VirtioNetHeader.decode(new UnsafeBuffer(new byte[]{1, 0, 0, 0, 0, 0, 50, 0, 16, 0}), 0, frame));
        // UFO (gso_type 3) is obsolete; an unknown type is refused.
        assertFalse(VirtioNetHeader.decode(new UnsafeBuffer(new byte[]{1, 3, 0, 0, 8, 0, 34, 0, 6, 0}), 0, frame));
        assertFalse(VirtioNetHeader.decode(new UnsafeBuffer(new byte[]{1, 9, 0, 0, 8, 0, 34, 0, 16, 0}), 0, frame));
        // A segmentation frame without a segment size.
        assertFalse(VirtioNetHeader.decode(new UnsafeBuffer(new byte[]{1, 1, 0, 0, 0, 0, 34, 0, 16, 0}), 0, frame));
        frame.release();
    }

    @Test
    void shouldEncodeWhatTheFrameAsksFor()
    {
        final PacketBuffer frame = tcpFrame(5000, true);
        frame.gso(PacketBuffer.GSO_TCPV4, 1448);
        final UnsafeBuffer header = new UnsafeBuffer(new byte[VirtioNetHeader.LENGTH]);
        VirtioNetHeader.encode(frame, header, 0);
        // hdr_len = Ethernet + IP + TCP with options; gso_size 1448 = 0x05A8; csum_start 34; csum_offset 16.
        assertArrayEquals(new byte[]{1, 1, 66, 0, (byte)0xA8, 5, 34, 0, 16, 0}, header.byteArray());
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "the expected bytes assume a little-endian host");

        final PacketBuffer plain = tcpFrame(100, false);
        VirtioNetHeader.encode(plain, header, 0);
        assertArrayEquals(new byte[10], header.byteArray());
        frame.release();
        plain.release();
    }

    @Test
    void shouldRoundTripMetadata()
    {
        final Random random = new Random(5);
        final UnsafeBuffer header = new UnsafeBuffer(new byte[VirtioNetHeader.LENGTH]);
        for (int i = 0; i < 1000; i++)
        {
            final PacketBuffer frame = tcpFrame(1 + random.nextInt(60_000), true);
            final int type = random.nextBoolean() ? PacketBuffer.GSO_TCPV4 : PacketBuffer.GSO_NONE;
            frame.gso(type, 1 + random.nextInt(9000));
            VirtioNetHeader.encode(frame, header, 0);
            final PacketBuffer copy = pool.acquire();
            copy.window(frame.offset(), frame.length());
            assertTrue(VirtioNetHeader.decode(header, 0, copy));
            assertEquals(frame.checksumState(), copy.checksumState());
            assertEquals(frame.checksumStart(), copy.checksumStart());
            assertEquals(frame.checksumOffset(), copy.checksumOffset());
            assertEquals(frame.gsoType(), copy.gsoType());
            assertEquals(frame.gsoSize(), copy.gsoSize());
            frame.release();
            copy.release();
        }
    }

    @Test
    void shouldCompleteAPartialChecksumAsTheDeviceWould()
    {
        final Random random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            final int payload = random.nextInt(65_000);
            final PacketBuffer reference = tcpFrame(payload, false);
            final PacketBuffer partial = tcpFrame(payload, true);
            final int field = partial.checksumStart() + 16;
            final int tcpLength = partial.limit() - partial.checksumStart();
            VirtioNetHeader.completeChecksum(partial);
            assertEquals(PacketBuffer.CHECKSUM_NONE, partial.checksumState());
            assertEquals(reference.buffer().getShort(field), partial.buffer().getShort(field), "payload " + payload);
            // The completed segment verifies (the whole sum with the pseudo-header is -0).
            assertEquals(0, InternetChecksum.fold(InternetChecksum.partial(partial.buffer(), field - 16, tcpLength,
                InternetChecksum.pseudoHeaderIpv4(SRC, DST, 6, tcpLength))));
            reference.release();
            partial.release();
        }
    }

    @Test
    void shouldSendAZeroSumAsZeroForTcpAndAsAllOnesOnlyForUdp()
    {
        for (final int checksumOffset : new int[]{16, 6})
        {
            final PacketBuffer frame = tcpFrame(1000, false);
            final int tcp = frame.offset() + ETH + IP;
            final int tcpLength = frame.limit() - tcp;
            final long pseudo = InternetChecksum.pseudoHeaderIpv4(SRC, DST, 6, tcpLength);
            final MutableDirectBuffer b = frame.buffer();
            // A payload word chosen so that the whole sum is -0: the complete checksum is then 0.
            final int word = tcp + TCP + 100;
            b.putShort(word, (short)0);
            b.putShort(tcp + 16, (short)0);
            b.putShort(word, (short)InternetChecksum.fold(InternetChecksum.partial(b, tcp, tcpLength, pseudo)),
                ByteOrder.BIG_ENDIAN);
            b.putShort(tcp + 16, (short)(~InternetChecksum.fold(pseudo) & 0xFFFF), ByteOrder.BIG_ENDIAN);
            frame.checksumPartial(tcp, checksumOffset);
            assertEquals(checksumOffset == 6 ? 0xFFFF : 0, VirtioNetHeader.fullChecksum(frame),
                "checksum at offset " + checksumOffset);
            frame.release();
        }
    }

    @Test
    void shouldPassMetadataToAnOffloadingPeerAndFinishChecksumsForAPlainOne()
    {
        for (final boolean peerOffloads : new boolean[]{true, false})
        {
            final MemoryDriver sender = new MemoryDriver(0, 1, 1500, 1 << 20, Offloads.VIRTIO_NET);
            final MemoryDriver receiver = new MemoryDriver(0, 2, 1500, 1 << 20,
                peerOffloads ? Offloads.VIRTIO_NET : Offloads.NONE);
            MemoryDriver.link(sender, receiver);
            final PacketBuffer reference = tcpFrame(40_000, false);
            final PacketBuffer frame = tcpFrame(40_000, true);
            frame.gso(PacketBuffer.GSO_TCPV4, 1448);
            final int start = frame.checksumStart() - frame.offset();
            sender.transmit(frame);
            assertEquals(1, sender.txLargeFrames());
            final List<PacketBuffer> got = new ArrayList<>();
            assertEquals(1, receiver.receive(pool, got::add, 10));
            final PacketBuffer in = got.get(0);
            assertEquals(PacketBuffer.GSO_TCPV4, peerOffloads ? in.gsoType() : PacketBuffer.GSO_TCPV4);
            if (peerOffloads)
            {
                assertEquals(PacketBuffer.CHECKSUM_PARTIAL, in.checksumState());
                assertEquals(in.offset() + start, in.checksumStart());
                assertEquals(1448, in.gsoSize());
            }
            else
            {
                assertEquals(PacketBuffer.CHECKSUM_NONE, in.checksumState());
                assertEquals(PacketBuffer.GSO_NONE, in.gsoType());
                assertEquals(reference.buffer().getShort(reference.offset() + start + 16),
                    in.buffer().getShort(in.offset() + start + 16), "checksum finished by the plain device");
            }
            assertEquals(reference.length(), in.length());
            in.release();
            reference.release();
        }
    }

    /**
     * An Ethernet + IPv4 + TCP (12 bytes of options) frame with a random payload (seeded by its length); its
     * checksum complete, or partial as Linux leaves it (the folded pseudo-header sum in the field).
     */
    private PacketBuffer tcpFrame(final int payload, final boolean partial)
    {
        final PacketBuffer frame = pool.acquire();
        final int at = frame.offset();
        final int length = ETH + IP + TCP + payload;
        frame.window(at, length);
        final MutableDirectBuffer b = frame.buffer();
        final byte[] bytes = new byte[length];
        new Random(payload).nextBytes(bytes);
        b.putBytes(at, bytes);
        b.putByte(at + ETH + IP + 12, (byte)(TCP / 4 << 4));
        final int tcp = at + ETH + IP;
        final int tcpLength = TCP + payload;
        final long pseudo = InternetChecksum.pseudoHeaderIpv4(SRC, DST, 6, tcpLength);
        b.putShort(tcp + 16, (short)0);
        if (partial)
        {
            b.putShort(tcp + 16, (short)(~InternetChecksum.fold(pseudo) & 0xFFFF), ByteOrder.BIG_ENDIAN);
            frame.checksumPartial(tcp, 16);
        }
        else
        {
            final int sum = InternetChecksum.fold(InternetChecksum.partial(b, tcp, tcpLength, pseudo));
            b.putShort(tcp + 16, (short)(sum == 0 ? 0xFFFF : sum), ByteOrder.BIG_ENDIAN);
        }
        return frame;
    }
}
