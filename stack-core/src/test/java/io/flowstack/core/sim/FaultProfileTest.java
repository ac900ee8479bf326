package io.flowstack.core.sim;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultProfileTest
{
    private static final String FULL =
        "loss=1%,reorder=0.5%,dup=0.1%,corrupt=0.1%,delay=5ms,jitter=1ms,rate=100mbit,queue=256,burst=1%:20%:50%,partition=2s@5s";

    @Test
    void shouldParseEveryKey()
    {
        final FaultProfile p = FaultProfile.parse(FULL);
        assertEquals(0.01, p.loss());
        assertEquals(0.005, p.reorder());
        assertEquals(FaultProfile.DEFAULT_REORDER_DELAY_NS, p.reorderDelayNs());
        assertEquals(0.001, p.duplicate());
        assertEquals(0.001, p.corrupt());
        assertEquals(5_000_000L, p.delayNs());
        assertEquals(1_000_000L, p.jitterNs());
        assertEquals(100_000_000L, p.rateBitsPerSecond());
        assertEquals(256, p.queueFrames());
        assertEquals(0.01, p.burstEnter());
        assertEquals(0.2, p.burstExit());
        assertEquals(0.5, p.burstLoss());
        assertEquals(1, p.partitions().size());
        assertEquals(new FaultProfile.Partition(5_000_000_000L, 2_000_000_000L, 0), p.partitions().get(0));
    }

    @Test
    void shouldPrintCanonicalSyntaxThatParsesBack()
    {
        final FaultProfile p = FaultProfile.parse(FULL);
        assertEquals("loss=1%,burst=1%:20%:50%,dup=0.1%,reorder=0.5%,corrupt=0.1%,delay=5ms,jitter=1ms,rate=100mbit,"
            + "queue=256,partition=2s@5s", p.toString());
        assertEquals(p, FaultProfile.parse(p.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "none",
        "loss=0.01",
        "loss=33.333%",
        "reorder=2%:3ms",
        "burst=0.5%:10%",
        "rate=1500kbit,queue=64kib",
        "rate=7bit,queue=1000b,queue=5",
        "delay=250us,jitter=17ns",
        "partition=1s@0s/10s,partition=500ms@3s",
        "dup=100%,corrupt=0.0001%"})
    void shouldRoundTrip(final String text)
    {
        final FaultProfile p = FaultProfile.parse(text);
        assertEquals(p, FaultProfile.parse(p.toString()), p.toString());
    }

    @Test
    void shouldRoundTripBuiltProfiles()
    {
        final FaultProfile p = FaultProfile.builder().loss(0.1234567891234).corrupt(1.0 / 3).delay(1).build();
        assertEquals(p, FaultProfile.parse(p.toString()));
        assertTrue(FaultProfile.parse("").isNone());
        assertFalse(p.isNone());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "loss=2x%|bad probability '2x%' for loss",
        "loss=120%|loss must be within 0..100%",
        "frob=1|unknown fault 'frob'",
        "loss|needs KEY=VALUE",
        "delay=5|needs a unit",
        "rate=100mbps|bad rate '100mbps'",
        "queue=12q|bad queue '12q'",
        "queue=10|queue needs a rate",
        "burst=1%|burst takes ENTER:EXIT[:LOSS]",
        "burst=1%:0%|non-zero exit probability",
        "partition=2s|partition takes DURATION@START[/PERIOD]",
        "partition=2s@1s/1s|bad partition '2s@1s/1s'",
        "reorder=1%:2ms:3|reorder takes P[:EXTRA_DELAY]"})
    void shouldRejectWithOneLine(final String text, final String expected)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultProfile.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void shouldScheduleRepeatingPartitions()
    {
        final FaultProfile.Partition p = FaultProfile.parse("partition=2s@5s/10s").partitions().get(0);
        assertFalse(p.isDown(4_999_999_999L));
        assertTrue(p.isDown(5_000_000_000L));
        assertTrue(p.isDown(6_999_999_999L));
        assertFalse(p.isDown(7_000_000_000L));
        assertTrue(p.isDown(15_500_000_000L));
        assertFalse(p.isDown(17_000_000_000L));
    }
}
