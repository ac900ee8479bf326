package io.flowstack.examples.cli;

import io.flowstack.tap.TapDevice;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wrong input on the command line gives one clear line and a non-zero exit, never a stack trace.
 */
class CliErrorsTest
{
    private record Outcome(int exit, String err)
    {
    }

    private static Outcome run(final String... args)
    {
        final PrintStream saved = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            final int exit = Main.run(args);
            return new Outcome(exit, captured.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setErr(saved);
        }
    }

    private static void assertOneLine(final Outcome o, final String expected)
    {
        assertTrue(o.exit() != 0, "exit code");
        final String text = o.err().strip();
        assertFalse(text.contains("\n"), "one line, got: " + text);
        assertFalse(text.contains("at io.") || text.contains("Exception"), "no stack trace: " + text);
        assertTrue(text.contains(expected), "expected '" + expected + "' in: " + text);
    }

    @Test
    void shouldRejectMissingRequiredOptions()
    {
        final Outcome o = run("serve", "--ip", "198.18.0.2/24");
        assertEquals(2, o.exit());
        assertOneLine(o, "--tap");
    }

    @Test
    void shouldRejectClassicSteeringOnATapAndUnknownChoices()
    {
        assertOneLine(run("serve", "--tap", "fst0", "--ip", "198.18.0.2/24", "--kernel-steering", "classic"),
            "classic steers raw sockets only");
        assertOneLine(run("serve", "--tap", "fst0", "--ip", "198.18.0.2/24", "--kernel-steering", "xdp"),
            "unknown kernel steering 'xdp'");
    }

    @Test
    void shouldRejectAMalformedIpv6SteeringRuleInOneLine()
    {
        assertOneLine(run("serve", "--tap", "fst0", "--ip", "2001:2::2/64", "--steer", "udp:2001:2::2:53@1"),
            "udp:2001:2::2:53@1");
        assertOneLine(run("serve", "--tap", "fst0", "--ip", "2001:2::2/64", "--steer", "udp:[2001:2::zz]:53@1"),
            "'2001:2::zz' is not an IPv6 address");
    }

    @Test
    void shouldSayWhenThereIsNoServerToReprogram()
    {
        final Outcome o = run("reprogram", "--pid", "999999999", "--weights", "1,3");
        assertOneLine(o, "no control socket");
        assertEquals(1, o.exit());
    }

    @Test
    void shouldRejectBadAddress()
    {
        final Outcome o = run("serve", "--tap", "x", "--ip", "198.18.0.300/24");
        assertEquals(2, o.exit());
        assertOneLine(o, "bad IP address '198.18.0.300'");
        final Outcome v6 = run("serve", "--tap", "x", "--ip", "2001:2::2/129");
        assertEquals(2, v6.exit());
        assertOneLine(v6, "prefix length out of range in '2001:2::2/129'");
    }

    @Test
    void shouldRejectAFamilyGivenForSomeInterfacesOnly()
    {
        final Outcome o = run("serve", "--tap", "x", "--tap", "y", "--ip", "198.18.0.2/24", "--ip", "198.18.1.2/24",
            "--ip", "2001:2::2/64");
        assertTrue(o.exit() != 0, "exit code");
        assertOneLine(o, "give one --ip per --tap for each family used (2 interfaces, 2 IPv4 and 1 IPv6 addresses)");
    }

    @Test
    void shouldRejectUnknownApp()
    {
        final Outcome o = run("serve", "--tap", "x", "--ip", "198.18.0.2/24", "--app", "gopher");
        assertOneLine(o, "unknown app 'gopher'");
    }

    @Test
    void shouldRejectUnknownCongestionControl()
    {
        final Outcome o = run("serve", "--tap", "x", "--ip", "198.18.0.2/24", "--cc", "vegas");
        assertEquals(2, o.exit());
        assertOneLine(o, "--cc vegas: use cubic, newreno or bbr");
    }

    @Test
    void shouldRejectUnknownOption()
    {
        final Outcome o = run("serve", "--tap", "x", "--ip", "198.18.0.2/24", "--frobnicate");
        assertEquals(2, o.exit());
        assertOneLine(o, "--frobnicate");
    }

    @Test
    void shouldRejectNetnsWithoutHostIp()
    {
        final Outcome o = run("serve", "--tap", "fstnohost", "--netns", "fstest-nohost", "--ip", "198.18.0.2/24");
        assertOneLine(o, "--host-ip");
    }

    @Test
    void shouldRejectAttachingToAMissingTap()
    {
        final Outcome o = run("serve", "--tap", "fstnosuch0", "--ip", "198.18.0.2/24");
        assertEquals(1, o.exit());
        assertOneLine(o, "no interface named fstnosuch0");
    }

    @Test
    void shouldRejectATapNameAlreadyInUse() throws Exception
    {
        RootRequirement.assumeRoot();
        final String name = Names.device();
        try (TapDevice busy = TapDevice.open(name))
        {
            final Outcome o = run("serve", "--tap", name, "--netns", Names.namespace("busy"),
                "--host-ip", "198.18.0.1/24", "--ip", "198.18.0.2/24");
            assertEquals(1, o.exit());
            assertOneLine(o, "already exists");
            final Outcome attach = run("serve", "--tap", name, "--ip", "198.18.0.2/24");
            assertEquals(1, attach.exit());
            assertOneLine(attach, "busy");
        }
    }
}
