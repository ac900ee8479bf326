package io.flowstack.examples.scripts;

import io.flowstack.core.testing.ToolRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's pictures come from a documented command: {@code examples/scripts/charts.sh} turns the committed
 * bench and lossy-path figures into the two PNGs. Needs gnuplot.
 */
class ChartsScriptTest
{
    private static final byte[] PNG = {(byte)0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path out;

    @Test
    void shouldDrawTheReadmePicturesFromTheCommittedFigures() throws Exception
    {
        ToolRequirement.require("gnuplot", "bash", "awk");
        final Process p = new ProcessBuilder("bash", "scripts/charts.sh", "-o", out.toString(),
            "-l", "lossy-fscubic=flowstack (cubic)", "../docs/charts/bench.tsv", "../docs/charts/lossy.tsv")
            .redirectErrorStream(true).start();
        final String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), said);
        assertTrue(said.contains("bench.png (3 groups)") && said.contains("lossy.png (4 stacks)"), said);
        for (final String name : new String[]{"bench.png", "lossy.png"})
        {
            final byte[] png = Files.readAllBytes(out.resolve(name));
            assertArrayEquals(PNG, Arrays.copyOf(png, PNG.length), name + " is a PNG");
            assertTrue(png.length > 10_000, name + " has something drawn: " + png.length + " bytes");
        }
    }

    @Test
    void shouldSayWhatItNeedsInOneLine() throws Exception
    {
        ToolRequirement.require("bash");
        final Process p = new ProcessBuilder("bash", "scripts/charts.sh", "-o", out.toString(),
            out.resolve("missing.tsv").toString()).redirectErrorStream(true).start();
        final String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), said);
        assertTrue(said.startsWith("charts.sh: ") && !said.contains("\n"), said);
    }
}
