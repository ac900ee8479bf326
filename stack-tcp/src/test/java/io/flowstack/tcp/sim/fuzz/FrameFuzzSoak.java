package io.flowstack.tcp.sim.fuzz;

import io.flowstack.core.sim.SimulationSeed;
import org.junit.jupiter.api.Test;

/**
 * The long fuzzing run, not part of {@code mvn verify} (its name matches neither *Test nor *Properties): one
 * million frames by default, as {@link FrameFuzzProperties} does with a few thousand, then the report. Run it with
 * <pre>
 * mvn -q -o verify -pl stack-tcp -am -Dtest=FrameFuzzSoak -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dflowstack.fuzz.frames=1000000] [-Dflowstack.sim.seed=N]
 * </pre>
 */
class FrameFuzzSoak
{
    @Test
    void shouldSurviveAMillionFuzzedFramesBesideATransfer() throws Exception
    {
        final long frames = Long.getLong("flowstack.fuzz.frames", 1_000_000L);
        SimulationSeed.pick().run(seed ->
        {
            final FuzzRun.Result result = FuzzRun.run(seed, frames, FrameFuzzProperties.CASE_INTERVAL_NS);
            System.out.println(result.report());
            result.assertSound(true);
        });
    }
}
