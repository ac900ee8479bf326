package io.flowstack.examples.cli;

import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SYN flood (hping3, about 20,000 SYNs a second for 10 s, from the kernel's namespace, whose own RSTs to the
 * stack's SYN,ACKs nftables drops so that half-open connections pile up) against {@code serve --cores 2 --app http}:
 * legitimate HTTP requests made during the flood are still served, because SYNs beyond the backlog are answered
 * with SYN cookies. Needs root, hping3, nft and curl.
 */
class SynFloodLiveIT
{
    private static final String STACK = "198.18.0.2";

    @Test
    void shouldServeDuringAndAfterASynFlood() throws Exception
    {
        RootRequirement.assumeRoot();
        ToolRequirement.require("hping3", "nft", "curl", "timeout");
        NetNs.cleanStale("fstest-flood-");
        final String ns = Names.namespace("flood");
        try (FlowstackProcess server = FlowstackProcess.serve("--tap", Names.device(), "--netns", ns,
            "--host-ip", "198.18.0.1/24", "--ip", STACK + "/24", "--cores", "2", "--app", "http:80"))
        {
            final NetNs netns = NetNs.createOrAdopt(ns);
            // The flooding host keeps quiet: no RST for the SYN,ACKs its SYNs draw, as a spoofing attacker's victims
            // would not answer either.
            exec(netns, "nft", "add", "table", "inet", "fstest");
            exec(netns, "nft", "add", "chain", "inet", "fstest", "out",
                "{ type filter hook output priority 0 ; policy accept ; }");
            exec(netns, "nft", "add", "rule", "inet", "fstest", "out", "tcp", "flags", "rst", "drop");
            assertEquals(20, requests(netns, 20, 0), "before the flood");
            final Process flood = netns.startProcess(ProcessBuilder.Redirect.DISCARD, "timeout", "12", "hping3", "-q",
                "-S", "-p", "80", "-i", "u50", STACK);
            final int during;
            try
            {
                Thread.sleep(1_500);
                during = requests(netns, 50, 150);
            }
            finally
            {
                flood.destroy();
                flood.waitFor();
            }
            final int after = requests(netns, 20, 0);
            final String json = server.statJson();
            long sent = 0;
            long valid = 0;
            for (int core = 0; core < 2; core++)
            {
                sent += StatJson.counter(json, core, "tcp.syncookies.sent");
                valid += StatJson.counter(json, core, "tcp.syncookies.valid");
            }
            System.out.println("SYN flood: " + during + "/50 served during, " + after + "/20 after; cookies sent "
                + sent + ", valid " + valid);
            assertTrue(sent > 1000, "the flood filled the queues: " + sent + " cookies");
            assertTrue(during >= 49, during + " of 50 requests served during the flood");
            assertEquals(20, after, "after the flood");
            assertTrue(server.isAlive());
        }
        finally
        {
            NetNs.deleteIfExists(ns);
        }
    }

    /** @return how many of {@code count} requests, {@code gapMs} apart, got their 200 within 5 s. */
    private static int requests(final NetNs netns, final int count, final long gapMs) throws Exception
    {
        int ok = 0;
        for (int i = 0; i < count; i++)
        {
            final ExecResult r = netns.exec(Duration.ofSeconds(10), "curl", "-s", "-o", "/dev/null", "-m", "5", "-w",
                "%{http_code}", "http://" + STACK + "/");
            ok += r.exitCode() == 0 && r.stdout().strip().equals("200") ? 1 : 0;
            Thread.sleep(gapMs);
        }
        return ok;
    }

    private static void exec(final NetNs netns, final String... command) throws Exception
    {
        final ExecResult r = netns.exec(command);
        assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.stderr());
    }
}
