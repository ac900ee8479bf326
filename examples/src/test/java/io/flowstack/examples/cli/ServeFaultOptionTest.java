package io.flowstack.examples.cli;

import io.flowstack.core.sim.FaultProfile;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code serve --fault PROFILE --fault-seed N} reaches the launcher's options; a bad profile is one line, exit 2.
 * (No device is opened: the options are built and checked before anything is set up.)
 */
class ServeFaultOptionTest
{
    private static Launcher.Options options(final String... args)
    {
        final ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve.stack.options(serve.apps, serve.httpRoot, "serve");
    }

    @Test
    void shouldParseTheFaultProfileAndSeed()
    {
        final Launcher.Options o = options("--tap", "fs0", "--ip", "198.18.0.2/24",
            "--fault", "loss=1%,reorder=0.5%", "--fault-seed", "42");
        assertEquals(FaultProfile.parse("loss=1%,reorder=0.5%"), o.fault());
        assertEquals(42, o.faultSeed());
        assertTrue(o.description().contains("--fault loss=1%,reorder=0.5%"));
    }

    @Test
    void shouldRunWithoutFaultsByDefault()
    {
        final Launcher.Options o = options("--tap", "fs0", "--ip", "198.18.0.2/24");
        assertNull(o.fault());
    }

    @Test
    void shouldRejectABadProfileInOneLine()
    {
        final PrintStream saved = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        final int exit;
        try
        {
            exit = Main.run("serve", "--tap", "fs0", "--ip", "198.18.0.2/24", "--fault", "loss=2x%");
        }
        finally
        {
            System.setErr(saved);
        }
        final String err = captured.toString(StandardCharsets.UTF_8).strip();
        assertEquals(2, exit);
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains("bad probability '2x%' for loss"), err);
    }
}
