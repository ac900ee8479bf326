package io.flowstack.tcp.sim.fuzz;

import io.flowstack.core.sim.SimulationSeed;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Fuzzing at the scale {@code mvn verify} affords (a few thousand frames per seed; {@link FrameFuzzSoak} runs a
 * million): random and mutated frames, and TCP segments aimed at live connections, injected into both hosts of a
 * two-core pair while a transfer runs. Nothing throws, the transfer arrives intact, every connection ends, every
 * buffer returns to its pool, and the counters of each layer account for every frame ({@link FrameAccounting}).
 */
class FrameFuzzProperties
{
    static final long FRAMES = 4_000;
    static final long CASE_INTERVAL_NS = 50_000;

    @Property(tries = 4)
    void shouldSurviveFuzzedFramesBesideATransfer(@ForAll final long seed) throws Exception
    {
        SimulationSeed.of(seed).run(s -> FuzzRun.run(s, FRAMES, CASE_INTERVAL_NS).assertSound(false));
    }
}
