package io.flowstack.examples.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The progress meter's line: sizes in binary units, the share of a known total, the average rate.
 */
class ProgressTest
{
    @Test
    void shouldShowBytesOfTheTotalAndTheRate()
    {
        assertEquals("  12.0 MiB / 20.0 MiB  60%  1.61 Gbit/s", Progress.line(12L << 20, 20L << 20, 0.0625));
        assertEquals("  512 B  4.1 Mbit/s", Progress.line(512, -1, 0.001));
        assertEquals("  0 B / 0 B  100%  0.0 Mbit/s", Progress.line(0, 0, 0));
    }

    @Test
    void shouldPickTheUnit()
    {
        assertEquals("1023 B", Progress.size(1023));
        assertEquals("1.0 KiB", Progress.size(1024));
        assertEquals("1.5 MiB", Progress.size(3L << 19));
        assertEquals("2.0 GiB", Progress.size(2L << 30));
    }
}
