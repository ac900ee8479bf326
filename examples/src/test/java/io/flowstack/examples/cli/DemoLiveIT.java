package io.flowstack.examples.cli;

import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code flowstack demo} from the packaged jar, as on a fresh machine: its PATH holds nothing but {@code ip}, so no
 * ping, socat or curl; every step must pass on the kernel-socket clients, and the demo must leave no namespace and
 * nothing in /tmp behind. Needs root.
 */
class DemoLiveIT
{
    private static final List<String> STEPS = List.of(
        "-- ping, 20 echo requests 10 ms apart",
        "-- ping with 4000-byte payload (fragmented both ways)",
        "-- UDP echo on port 7",
        "-- UDP to closed port 9 (expect connection refused)",
        "-- TCP echo on port 7",
        "-- HTTP: GET / from flowstack's http app",
        "-- HTTP: GET a 4 MiB file and check its sha256",
        "-- kernel neighbor table");

    @Test
    void shouldPassEveryStepWithOnlyJavaAndIpOnThePath(@TempDir final Path bin) throws Exception
    {
        RootRequirement.assumeRoot();
        Files.createSymbolicLink(bin.resolve("ip"), ToolRequirement.find("ip"));
        final Set<String> tmpBefore = tmpEntries();

        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder demo = new ProcessBuilder(java, "-jar", new File(FlowstackProcess.jar()).getAbsolutePath(),
            "demo").redirectErrorStream(true);
        demo.environment().put("PATH", bin.toString());
        final Process p = demo.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "demo finished");
        System.out.println(out);

        for (final String tool : List.of("ping", "socat", "curl"))
        {
            assertFalse(Files.exists(bin.resolve(tool)), "the demo's PATH holds no " + tool);
        }
        assertEquals(0, p.exitValue(), "demo exit code");
        final List<String> lines = out.lines().toList();
        for (final String step : STEPS)
        {
            final int at = indexOfPrefix(lines, step);
            assertTrue(at >= 0, "step ran: " + step);
            final int next = indexOfNext(lines, at);
            assertEquals("   OK", lines.get(next - 1), "step passed: " + step);
        }
        assertFalse(out.contains("FAILED"), out);
        assertTrue(out.contains("20 packets transmitted, 20 received, 0% packet loss"), "every ping answered");
        assertTrue(out.contains("Icmp OutEchos +20, Icmp InEchoReps +20, Icmp InCsumErrors +0"),
            "the kernel counted 20 real ICMP echo requests out and 20 good replies in");
        assertTrue(out.contains("Icmp OutEchos +3, Icmp InEchoReps +3, Icmp InCsumErrors +0, Ip FragCreates +9,"
            + " Ip ReasmOKs +3"), "fragmented both ways, by the kernel's count");
        assertTrue(out.contains("Connection refused (ICMP port unreachable"), "closed port refused");
        assertTrue(out.contains("== all steps passed; namespace and TAP removed"), out);

        final long pid = p.pid();
        assertFalse(NetNs.exists("fsdemo-" + pid), "namespace removed");
        assertFalse(Files.exists(Path.of("/sys/class/net", "fsdemo" + (pid % 100_000))), "TAP removed");
        final Set<String> left = tmpEntries();
        left.removeAll(tmpBefore);
        assertEquals(Set.of(), left.stream().filter(n -> n.startsWith("flowstack"))
            .collect(Collectors.toSet()), "the demo left files in /tmp");
    }

    private static int indexOfPrefix(final List<String> lines, final String prefix)
    {
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).startsWith(prefix))
            {
                return i;
            }
        }
        return -1;
    }

    /** The line after a step's output: the next step's header or a "==" summary line. */
    private static int indexOfNext(final List<String> lines, final int step)
    {
        int i = step + 1;
        while (i < lines.size() && !lines.get(i).startsWith("-- ") && !lines.get(i).startsWith("=="))
        {
            i++;
        }
        return i;
    }

    private static Set<String> tmpEntries() throws Exception
    {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir"))))
        {
            return entries.map(e -> e.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
