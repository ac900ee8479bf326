package io.flowstack.tap.steer;

import io.flowstack.core.buffer.BufferPool;
import io.flowstack.core.buffer.PacketBuffer;
import io.flowstack.core.driver.NetworkDriver;
import io.flowstack.core.driver.OwnerSteering;
import io.flowstack.core.driver.Steering;
import io.flowstack.core.engine.FrameClassifier;
import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.ip.flow.FlowClassifier;
import io.flowstack.tap.TapDevice;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.netns.VethPair;
import io.flowstack.tap.packet.PacketDevice;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The steering programs where the kernel really runs them: frames sent into a multi-queue TAP's transmit path
 * must come out of the queue of their owner core (TUNSETSTEERINGEBPF), frames arriving on a veth must reach the
 * fanout member of their owner (PACKET_FANOUT_EBPF and, forced, PACKET_FANOUT_CBPF); the owner is what the stack's
 * {@link FlowClassifier} says of the frame as received. Random ownership functions, a reprogramming in the middle
 * of each. Needs root.
 */
class KernelSteeringLiveTest
{
    private static final int QUEUES = 8;
    private static final int CASES = 6;
    private static final int FRAMES_PER_CASE = 3000;
    private static final int BATCH = 64;

    private final BufferPool pool = new BufferPool(0, 256, 4096, 0);
    private final byte[] bytes = new byte[SteeringCase.MAX_FRAME];

    @BeforeEach
    void needsRoot()
    {
        RootRequirement.assumeRoot();
    }

    @Test
    void shouldPutEveryFrameOnTheTapQueueOfItsOwner() throws Exception
    {
        try (NetNs ns = NetNs.create(Names.namespace("steer-tap")))
        {
            int frames = 0;
            for (int i = 0; i < CASES; i++)
            {
                final SteeringCase c = SteeringCase.random(ThreadLocalRandom.current().nextLong());
                final TapDevice tap = TapDevice.open(Names.device(), QUEUES);
                try
                {
                    final OwnerSteering steering = tap.steerByOwner(c.ownership, SteeringCase.IF_INDEX);
                    assertEquals(Steering.EXACT, tap.steering(), tap.describe());
                    ns.moveLink(tap.name());
                    ns.linkUp(tap.name());
                    final NetworkDriver[] queues = new NetworkDriver[QUEUES];
                    for (int q = 0; q < QUEUES; q++)
                    {
                        queues[q] = tap.driver(q, SteeringCase.IF_INDEX, 0x02_00_00_00_00_01L);
                    }
                    try (FrameInjector in = new FrameInjector(ns, tap.name()))
                    {
                        frames += run(c, steering, in, queues);
                    }
                }
                finally
                {
                    tap.close();
                }
            }
            System.out.println("TAP steering: " + frames + " frames, each on its owner's queue");
        }
    }

    @Test
    void shouldGiveEveryFrameToTheFanoutMemberOfItsOwnerWithExtendedBpf() throws Exception
    {
        fanout(KernelSteering.EBPF, "eBPF");
    }

    @Test
    void shouldGiveEveryFrameToTheFanoutMemberOfItsOwnerWithClassicBpf() throws Exception
    {
        fanout(KernelSteering.CLASSIC, "classic BPF");
    }

    private void fanout(final KernelSteering kind, final String label) throws Exception
    {
        final String tag = String.format("%08x", ThreadLocalRandom.current().nextInt());
        final String ifName = Names.device();
        try (VethPair veth = VethPair.create("fstest-steer-k-" + tag, "fstest-steer-s-" + tag, ifName,
            "198.18.0.1/24"))
        {
            int frames = 0;
            for (int i = 0; i < CASES; i++)
            {
                final SteeringCase c = SteeringCase.random(ThreadLocalRandom.current().nextLong());
                final PacketDevice device = veth.stackNs().callInside(() -> PacketDevice.open(
                    PacketDevice.Config.defaults(ifName, QUEUES).withSteering(kind)));
                try (FrameInjector in = new FrameInjector(veth.kernelNs(), ifName))
                {
                    final OwnerSteering steering = device.steerByOwner(c.ownership, SteeringCase.IF_INDEX);
                    assertEquals(Steering.EXACT, device.steering(), device.describe());
                    final NetworkDriver[] members = new NetworkDriver[QUEUES];
                    for (int q = 0; q < QUEUES; q++)
                    {
                        members[q] = device.driver(q, SteeringCase.IF_INDEX, 0x02_00_00_00_00_01L);
                    }
                    frames += run(c, steering, in, members);
                }
                finally
                {
                    device.close();
                }
            }
            System.out.println("fanout " + label + " steering: " + frames + " frames, each to its owner's member");
        }
    }

    /** Sends the case's frames in batches, half before and half after a reprogramming; returns frames checked. */
    private int run(final SteeringCase c, final OwnerSteering steering, final FrameInjector in,
        final NetworkDriver[] queues) throws Exception
    {
        final FlowClassifier oracle = new FlowClassifier(c.ownership);
        final Random r = new Random(c.seed);
        int checked = 0;
        for (int half = 0; half < 2; half++)
        {
            if (half == 1)
            {
                final IndirectionTable table = new IndirectionTable(c.ownership.tableSize());
                final int[] weights = new int[c.ownership.cores()];
                for (int k = 0; k < weights.length; k++)
                {
                    weights[k] = 1 + r.nextInt(3);
                }
                table.fill(weights);
                c.ownership.reprogram(table);
                c.unpinSome(r);
                c.pinSome(r, 10);
                assertEquals(0, steering.apply(c.ownership), "every pin taken");
            }
            for (int sent = 0; sent < FRAMES_PER_CASE / 2; sent += BATCH)
            {
                checked += batch(c, oracle, in, queues, r);
            }
        }
        return checked;
    }

    private int batch(final SteeringCase c, final FlowClassifier oracle, final FrameInjector in,
        final NetworkDriver[] queues, final Random r) throws Exception
    {
        final Map<ByteBuffer, Integer> expected = new HashMap<>();
        final PacketBuffer scratch = pool.acquire();
        try
        {
            while (expected.size() < BATCH)
            {
                final int length = c.frame(r, bytes);
                final int etherType = (bytes[12] & 0xFF) << 8 | bytes[13] & 0xFF;
                if (etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100)
                {
                    continue; // the kernel takes VLAN tags off before any packet socket sees the frame
                }
                scratch.buffer().putBytes(scratch.offset(), bytes, 0, length);
                scratch.window(scratch.offset(), length).ifIndex(SteeringCase.IF_INDEX);
                final int owner = oracle.owner(scratch);
                if (in.send(bytes, length))
                {
                    expected.put(ByteBuffer.wrap(java.util.Arrays.copyOf(bytes, length)), owner);
                }
            }
        }
        finally
        {
            scratch.release();
        }
        final int total = expected.size();
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (!expected.isEmpty() && System.nanoTime() < deadline)
        {
            for (int q = 0; q < queues.length; q++)
            {
                final int queue = q;
                queues[q].receive(pool, frame ->
                {
                    final byte[] got = new byte[frame.length()];
                    frame.buffer().getBytes(frame.offset(), got);
                    frame.release();
                    final Integer owner = expected.remove(ByteBuffer.wrap(got));
                    if (owner != null && owner != FrameClassifier.HERE)
                    {
                        assertEquals(owner.intValue(), queue, "frame " + SteeringCase.hex(got) + " in case "
                            + c.description);
                    }
                }, 256);
            }
        }
        assertTrue(expected.isEmpty(), expected.size() + " of " + total + " frames never arrived");
        return total;
    }
}
