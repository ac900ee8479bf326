package io.flowstack.tap.steer;

import io.flowstack.core.flow.FlowOwnership;
import io.flowstack.core.flow.IndirectionTable;
import io.flowstack.core.flow.SteeringRules;
import io.flowstack.core.flow.ToeplitzHash;
import io.flowstack.tap.bpf.ClassicBpf;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where classic BPF's 4096 instructions end: the sizes of the generated programs for the tables flowstack uses, the
 * pins that fit beside them, and the one-line refusal when a table does not fit. (Whether the programs steer right
 * is {@link KernelSteeringLiveTest}'s job, in the kernel.)
 */
class ClassicSteeringProgramTest
{
    @Test
    void shouldFitTheDefaultTableWithRoomForHundredsOfPins()
    {
        final FlowOwnership two = ownership(2, 128, FlowOwnership.ALL_CLASSES);
        final ClassicSteeringProgram.Result r = ClassicSteeringProgram.generate(two, 0);
        System.out.println("classic BPF, 2 cores, 128 buckets: " + r.instructions() + " instructions, room for "
            + (ClassicBpf.MAX_INSNS - r.instructions()) / ClassicSteeringProgram.PIN_INSNS + " pins");
        assertTrue(r.instructions() < 800, "2 cores, 128 buckets: " + r.instructions());
        assertEquals(0, r.pinsLeftOut());

        final FlowOwnership eight = ownership(8, 1024, 0b0110);
        final ClassicSteeringProgram.Result big = ClassicSteeringProgram.generate(eight, 0);
        System.out.println("classic BPF, 8 cores, 1024 buckets, one core without ICMP and other: "
            + big.instructions() + " instructions");
        assertTrue(big.instructions() <= ClassicBpf.MAX_INSNS);
    }

    @Test
    void shouldLeaveOutThePinsThatDoNotFitAndSaySo()
    {
        final FlowOwnership o = ownership(2, 128, FlowOwnership.ALL_CLASSES);
        final Random r = new Random(1);
        for (int i = 0; i < 1000; i++)
        {
            assertTrue(o.pins().pin(6, r.nextInt(), r.nextInt(), r.nextInt(65536), 80, r.nextInt(2)));
        }
        final ClassicSteeringProgram.Result result = ClassicSteeringProgram.generate(o, 0);
        assertTrue(result.pinsLeftOut() > 0 && result.pinsLeftOut() < 1000, "left out " + result.pinsLeftOut());
        assertTrue(result.instructions() <= ClassicBpf.MAX_INSNS);
    }

    @Test
    void shouldFitFewerIpv6PinsThanIpv4Ones()
    {
        final FlowOwnership o = ownership(2, 128, FlowOwnership.ALL_CLASSES);
        final int empty = ClassicSteeringProgram.generate(o, 0).instructions();
        final Random r = new Random(2);
        for (int i = 0; i < 1000; i++)
        {
            assertTrue(o.pins().pin(6, r.nextLong(), r.nextLong(), 0x2001_0002_0000_0000L, 2, r.nextInt(65536), 80,
                r.nextInt(2)));
        }
        final ClassicSteeringProgram.Result result = ClassicSteeringProgram.generate(o, 0);
        final int kept = 1000 - result.pinsLeftOut();
        System.out.println("classic BPF, 2 cores, 128 buckets: " + kept + " IPv6 pins fit");
        assertTrue(result.instructions() <= ClassicBpf.MAX_INSNS);
        assertEquals(empty + 3 + kept * ClassicSteeringProgram.PIN6_INSNS, result.instructions(),
            "each IPv6 pin costs its compare chain");
        assertTrue(kept > 100 && kept < 200, "kept " + kept);
    }

    @Test
    void shouldRefuseATableThatClassicBpfCannotHold()
    {
        final FlowOwnership huge = ownership(16, 65536, 0b0011);
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> ClassicSteeringProgram.generate(huge, 0));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("over the kernel's 4096"), e.getMessage());
    }

    private static FlowOwnership ownership(final int cores, final int size, final int lastCoreClasses)
    {
        final int[] weights = new int[cores];
        Arrays.fill(weights, 1);
        final IndirectionTable t = new IndirectionTable(size);
        t.fill(weights);
        final int[] classes = new int[cores];
        Arrays.fill(classes, FlowOwnership.ALL_CLASSES);
        classes[cores - 1] = lastCoreClasses;
        return new FlowOwnership(cores, new ToeplitzHash(ToeplitzHash.randomKey(new Random(cores))), t,
            new SteeringRules(), new int[]{FlowOwnership.HASHED}, classes);
    }
}
