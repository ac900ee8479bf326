package io.flowstack.tap.steer;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.engine.FrameClassifier;
import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.core.wire.AddressBits;
import io.flowstack.ip.flow.FlowClassifier;
import io.flowstack.tap.bpf.Bpf;
import io.flowstack.tap.bpf.BpfException;
import io.flowstack.tap.testing.RootRequiredHook;
import io.flowstack.tap.testing.RootRequirement;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Equivalence executed by the kernel: the extended BPF steering program, loaded with its maps, is run by
 * BPF_PROG_TEST_RUN on random frames, and each answer must be the owner the stack's own {@link FlowClassifier}
 * finds over the same {@code FlowOwnership}: over random keys, table sizes, weights, protocol classes, rules,
 * designations and pins, before and after a reprogramming (new table, pins added and removed) applied to the
 * maps. Frames the stack processes wherever they land (too short to classify) take any answer. A difference
 * prints the frame in hex and the case. Needs root (bpf).
 * <p>
 * {@value #TRIES} cases of {@code flowstack.steering.framesPerCase} frames (default {@value #FRAMES_PER_CASE}):
 * 100,000 frames. More: {@code -Dflowstack.steering.framesPerCase=20000}.
 */
@AddLifecycleHook(RootRequiredHook.class)
class EbpfSteeringProgramProperties
{
    static final int TRIES = 50;
    static final int FRAMES_PER_CASE = 2000;
    private static final AtomicLong RUN = new AtomicLong();
    private static final AtomicLong COMPARED = new AtomicLong();
    private static final AtomicLong REFUSED = new AtomicLong();
    private static final Map<String, Long> KINDS = new ConcurrentSkipListMap<>();
    private static final int EINVAL = 22;

    private final BufferPool pool = new BufferPool(0, 2, 4096, 0);
    private final UnsafeBuffer attr = Bpf.newAttribute();
    private final byte[] bytes = new byte[SteeringCase.MAX_FRAME];

    @BeforeProperty
    void needsRoot()
    {
        // Skipped by the hook when not root; fails here when root is required and missing.
        RootRequirement.assumeRoot();
    }

    @AfterContainer
    static void report()
    {
        if (RUN.get() == 0)
        {
            return;
        }
        System.out.println("eBPF steering: the kernel ran " + RUN.get() + " frames, " + COMPARED.get()
            + " compared with FlowClassifier (the rest too short to classify), 0 differences; " + REFUSED.get()
            + " frames shorter than an IP header were refused by BPF_PROG_TEST_RUN itself; frames: " + KINDS);
    }

    @Property(tries = TRIES)
    void kernelChoosesTheOwnerTheStackChooses(@ForAll final long seed) throws Exception
    {
        final SteeringCase c = SteeringCase.random(seed);
        final FlowClassifier oracle = new FlowClassifier(c.ownership);
        final int frames = Integer.getInteger("flowstack.steering.framesPerCase", FRAMES_PER_CASE);
        final Random r = new Random(seed * 31 + 7);
        final PacketBuffer frame = pool.acquire();
        try (EbpfSteering steering = EbpfSteering.load(c.ownership, SteeringCase.IF_INDEX, "test"))
        {
            compare(c, oracle, steering, frame, r, frames / 2);
            // A reprogramming: another table, pins added and removed, brought to the maps as the stack does.
            final IndirectionTable table = new IndirectionTable(c.ownership.tableSize());
            final int[] weights = new int[c.ownership.cores()];
            weights[r.nextInt(weights.length)] = 1;
            for (int i = 0; i < weights.length; i++)
            {
                weights[i] += r.nextInt(3);
            }
            table.fill(weights);
            c.ownership.reprogram(table);
            c.unpinSome(r);
            c.pinSome(r, r.nextInt(20));
            assertEquals(0, steering.apply(c.ownership), "every pin taken");
            compare(c, oracle, steering, frame, r, frames - frames / 2);
        }
        finally
        {
            frame.release();
        }
    }

    private void compare(final SteeringCase c, final FlowClassifier oracle, final EbpfSteering steering,
        final PacketBuffer frame, final Random r, final int frames) throws Exception
    {
        for (int ran = 0; ran < frames; )
        {
            final int length = c.frame(r, bytes);
            frame.buffer().putBytes(frame.offset(), bytes, 0, length);
            frame.window(frame.offset(), length).ifIndex(SteeringCase.IF_INDEX);
            final int stack = c.programOwner(oracle, frame);
            final int kernel;
            try
            {
                kernel = steering.run(frame.buffer().addressOffset() + frame.offset(), length, attr);
            }
            catch (final BpfException e)
            {
                // BPF_PROG_TEST_RUN refuses to build an IPv4 (IPv6) frame shorter than the fixed header; the stack
                // processes such an IPv4 frame wherever it lands, and we count IPv6 ones apart.
                final int etherType = (bytes[12] & 0xFF) << 8 | bytes[13] & 0xFF;
                if (e.errno() == EINVAL && (stack == FrameClassifier.HERE || etherType == 0x86DD && length < 54))
                {
                    REFUSED.incrementAndGet();
                    continue;
                }
                throw e;
            }
            RUN.incrementAndGet();
            ran++;
            count(c, bytes, length);
            if (stack == FrameClassifier.HERE)
            {
                continue;
            }
            COMPARED.incrementAndGet();
            if (kernel != stack)
            {
                assertEquals(stack, kernel, "kernel and stack disagree on frame " + SteeringCase.hex(bytes, length)
                    + " (" + length + " bytes) in case " + c.description);
            }
        }
    }

    /** What the frames exercised, for the report: a property over frames that miss the cases proves little. */
    private static void count(final SteeringCase c, final byte[] f, final int length)
    {
        final int etherType = (f[12] & 0xFF) << 8 | f[13] & 0xFF;
        if (etherType == 0x86DD && length >= 58)
        {
            count6(c, f);
            return;
        }
        if (etherType != 0x0800)
        {
            KINDS.merge("not IPv4 or IPv6 with ports", 1L, Long::sum);
            return;
        }
        final int ihl = f[14] & 0x0F;
        final int protocol = f[23] & 0xFF;
        final int fragment = ((f[20] & 0xFF) << 8 | f[21] & 0xFF) & 0x3FFF;
        final boolean ports = (protocol == 6 || protocol == 17) && fragment == 0 && ihl >= 5 && length >= 18 + ihl * 4;
        KINDS.merge(ihl > 5 ? "IPv4 with options" : ihl < 5 ? "IPv4 header length < 20" : "IPv4", 1L, Long::sum);
        if (fragment != 0)
        {
            KINDS.merge("fragments", 1L, Long::sum);
        }
        if ((protocol == 6 || protocol == 17) && !ports && fragment == 0 && ihl >= 5)
        {
            KINDS.merge("TCP/UDP cut before the ports", 1L, Long::sum);
        }
        if (ports)
        {
            final int source = (f[26] & 0xFF) << 24 | (f[27] & 0xFF) << 16 | (f[28] & 0xFF) << 8 | f[29] & 0xFF;
            final int destination = (f[30] & 0xFF) << 24 | (f[31] & 0xFF) << 16 | (f[32] & 0xFF) << 8 | f[33] & 0xFF;
            final int at = 14 + ihl * 4;
            final int sourcePort = (f[at] & 0xFF) << 8 | f[at + 1] & 0xFF;
            final int destinationPort = (f[at + 2] & 0xFF) << 8 | f[at + 3] & 0xFF;
            KINDS.merge("TCP/UDP with ports", 1L, Long::sum);
            if (c.ownership.pins().core(protocol, source, destination, sourcePort, destinationPort) >= 0)
            {
                KINDS.merge("pinned flows", 1L, Long::sum);
            }
            if (c.ownership.rules().match(protocol, 0, AddressBits.ipv4Low(destination), destinationPort) >= 0)
            {
                KINDS.merge("matched a rule", 1L, Long::sum);
            }
        }
    }

    private static void count6(final SteeringCase c, final byte[] f)
    {
        final int next = f[20] & 0xFF;
        KINDS.merge(switch (next)
        {
            case 6, 17 -> "IPv6 TCP/UDP";
            case 58 -> f[54] >= (byte)133 && f[54] <= (byte)137 ? "IPv6 Neighbor Discovery" : "IPv6 ICMPv6";
            case 0, 60, 43 -> "IPv6 extension headers";
            case 44 -> "IPv6 fragments";
            default -> "IPv6 other";
        }, 1L, Long::sum);
        if (next == 6 || next == 17)
        {
            final ByteBuffer b = ByteBuffer.wrap(f);
            final long sh = b.getLong(22);
            final long sl = b.getLong(30);
            final long dh = b.getLong(38);
            final long dl = b.getLong(46);
            final int sourcePort = b.getShort(54) & 0xFFFF;
            final int destinationPort = b.getShort(56) & 0xFFFF;
            if (c.ownership.pins().core(next, sh, sl, dh, dl, sourcePort, destinationPort) >= 0)
            {
                KINDS.merge("IPv6 pinned flows", 1L, Long::sum);
            }
            if (c.ownership.rules().match(next, dh, dl, destinationPort) >= 0)
            {
                KINDS.merge("IPv6 matched a rule", 1L, Long::sum);
            }
        }
    }
}
