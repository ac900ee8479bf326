package io.flowstack.examples.cli;

import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel sends 4 MB to the stack through 2% loss (injected on the TAP by the stack itself, both ways), and
 * the SACK blocks the stack answers with are checked against what it really received: its own pcap holds every
 * frame it processed (after the injected loss) and every frame it sent (before it). Each block must name exactly
 * a run of data received beyond the cumulative ACK (RFC 2018 3: its edges are holes), the first block the run
 * that holds the segment that triggered the ACK (RFC 2018 4), and a D-SACK block data received twice (RFC 2883).
 * tshark on the kernel's side of the TAP reads the same blocks off the wire. Needs root, tshark and socat.
 */
class SackLiveIT
{
    private static final String KERNEL = "198.18.0.1";
    private static final String STACK = "198.18.0.2";

    @Test
    void shouldNameExactlyTheDataReceivedBeyondTheHole(@TempDir final Path work) throws Exception
    {
        RootRequirement.assumeRoot();
        ToolRequirement.require("tshark", "socat", "bash", "head");
        NetNs.cleanStale("fstest-sack-");
        final String ns = Names.namespace("sack");
        final String tap = Names.device();
        final Path stackPcap = work.resolve("stack.pcap");
        final Path kernelPcap = work.resolve("kernel.pcap");
        try
        {
            try (FlowstackProcess server = FlowstackProcess.serve("--tap", tap, "--netns", ns,
                "--host-ip", KERNEL + "/24", "--ip", STACK + "/24", "--app", "discard:5001",
                // 16 MB at 3%: with offloads the kernel's frames are segments of up to 64 KB, so 4 MB at 2% could
                // be as few as 65 frames and lose none of them.
                "--fault", "loss=3%", "--fault-seed", "5", "--pcap", stackPcap.toString()))
            {
                final NetNs netns = NetNs.createOrAdopt(ns);
                final Process capture = netns.startProcess(ProcessBuilder.Redirect.DISCARD, "tshark", "-n", "-q",
                    "-i", tap, "-f", "tcp port 5001", "-a", "duration:60", "-w", kernelPcap.toString());
                try
                {
                    waitForCapture(kernelPcap);
                    final ExecResult send = netns.exec(Duration.ofSeconds(60), "bash", "-c",
                        "head -c 16000000 /dev/urandom | socat -u - TCP:" + STACK + ":5001");
                    assertEquals(0, send.exitCode(), send.stderr());
                    Thread.sleep(1_000);
                }
                finally
                {
                    capture.destroy();
                    capture.waitFor();
                }
                assertTrue(server.isAlive());
            }
            final Map<String, Integer> stackAcks = checkBlocks(stackPcap);
            // The wire: the kernel saw the same blocks (some of the stack's ACKs were lost on the way, by design).
            final List<String> wire = tshark(kernelPcap, "-Y", "ip.src == " + STACK + " && tcp.options.sack_le",
                "-T", "fields", "-E", "separator=;", "-e", "tcp.ack", "-e", "tcp.options.sack_le", "-e",
                "tcp.options.sack_re");
            assertTrue(wire.size() >= 20, "tshark saw " + wire.size() + " ACKs with SACK blocks on the kernel's side");
            for (final String line : wire)
            {
                assertTrue(stackAcks.containsKey(line), "an ACK on the wire the stack did not send: " + line);
            }
            // A checksum that sums to zero may be written 0xFFFF (Linux's skb_checksum_help does): valid, not an error.
            final List<String> bad = tshark(kernelPcap, "-Y",
                "_ws.malformed || (_ws.expert.severity == error && !tcp.checksum.ffff)");
            assertEquals(List.of(), bad, "tshark reports malformed frames");
            System.out.println("SACK: " + stackAcks.size() + " ACKs with blocks checked, " + wire.size() + " on the wire");
        }
        finally
        {
            NetNs.deleteIfExists(ns);
        }
    }

    /**
     * Replays the stack's pcap: data in, ACKs out, in the order the stack processed them.
     *
     * @return the ACKs with SACK blocks, as tshark prints them (ack;lefts;rights), checked.
     */
    private static Map<String, Integer> checkBlocks(final Path pcap) throws Exception
    {
        final List<String> frames = tshark(pcap, "-Y", "tcp.port == 5001", "-T", "fields", "-E", "separator=;",
            "-e", "ip.src", "-e", "tcp.flags.syn", "-e", "tcp.seq", "-e", "tcp.len", "-e", "tcp.ack", "-e",
            "tcp.options.sack_le", "-e", "tcp.options.sack_re");
        final Received received = new Received();
        final Map<String, Integer> acks = new TreeMap<>();
        long base = -1;
        long lastStart = -1;
        long lastEnd = -1;
        boolean lastWasDuplicate = false;
        int dsacks = 0;
        for (final String frame : frames)
        {
            final String[] f = frame.split(";", -1);
            final boolean fromKernel = f[0].equals(KERNEL);
            if (fromKernel && ("1".equals(f[1]) || "True".equalsIgnoreCase(f[1])))
            {
                base = Long.parseLong(f[2]) + 1;
                continue;
            }
            if (base < 0)
            {
                continue;
            }
            if (fromKernel)
            {
                final int len = Integer.parseInt(f[3]);
                if (len > 0)
                {
                    lastStart = rel(Long.parseLong(f[2]), base);
                    lastEnd = lastStart + len;
                    lastWasDuplicate = received.all(lastStart, lastEnd);
                    received.add(lastStart, lastEnd);
                }
                continue;
            }
            if (f[5].isEmpty())
            {
                continue;
            }
            final long ack = rel(Long.parseLong(f[4]), base);
            final String[] lefts = f[5].split(",");
            final String[] rights = f[6].split(",");
            assertEquals(lefts.length, rights.length, frame);
            assertTrue(lefts.length <= 3, "at most three blocks with timestamps: " + frame);
            final List<long[]> blocks = new ArrayList<>();
            for (int i = 0; i < lefts.length; i++)
            {
                blocks.add(new long[]{rel(Long.parseLong(lefts[i]), base), rel(Long.parseLong(rights[i]), base)});
            }
            int first = 0;
            final long[] b0 = blocks.get(0);
            if (b0[1] <= ack || blocks.size() > 1 && b0[0] >= blocks.get(1)[0] && b0[1] <= blocks.get(1)[1])
            {
                // RFC 2883: a D-SACK block reports data that arrived again, the segment that triggered the ACK.
                assertTrue(lastWasDuplicate && b0[0] <= lastStart && lastEnd <= b0[1] || received.all(b0[0], b0[1]),
                    "D-SACK for data not received twice: " + frame);
                first = 1;
                dsacks++;
            }
            final Set<Long> lefts0 = new HashSet<>();
            for (int i = first; i < blocks.size(); i++)
            {
                final long[] b = blocks.get(i);
                assertTrue(b[0] > ack && b[1] > b[0], "a block beyond the cumulative ACK " + ack + ": " + frame);
                assertTrue(received.all(b[0], b[1]), "a block names data not received: " + frame);
                assertTrue(!received.has(b[0] - 1) && !received.has(b[1]),
                    "a block's edges are holes (it names a whole run): " + frame);
                assertTrue(lefts0.add(b[0]), "a run named twice: " + frame);
            }
            if (first < blocks.size() && lastStart > ack && !lastWasDuplicate)
            {
                final long[] b = blocks.get(first);
                assertTrue(b[0] <= lastStart && lastEnd <= b[1],
                    "the first block holds the segment that triggered the ACK [" + lastStart + "," + lastEnd + "): " + frame);
            }
            assertTrue(blocks.size() - first >= Math.min(3 - first, received.runsBeyond(ack)),
                "every run beyond the ACK, up to the room: " + received.runsBeyond(ack) + " runs, " + frame);
            acks.merge(f[4] + ";" + f[5] + ";" + f[6], 1, Integer::sum);
        }
        assertTrue(acks.size() >= 20, "only " + acks.size() + " ACKs with SACK blocks: was there loss?");
        System.out.println("SACK: " + dsacks + " D-SACK blocks");
        return acks;
    }

    private static long rel(final long seq, final long base)
    {
        return (seq - base) & 0xFFFF_FFFFL;
    }

    /** Byte ranges received, merged. */
    private static final class Received
    {
        private final TreeMap<Long, Long> runs = new TreeMap<>();

        void add(final long start, final long end)
        {
            long s = start;
            long e = end;
            final Map.Entry<Long, Long> before = runs.floorEntry(s);
            if (before != null && before.getValue() >= s)
            {
                s = before.getKey();
                e = Math.max(e, before.getValue());
            }
            Map.Entry<Long, Long> next = runs.ceilingEntry(s);
            while (next != null && next.getKey() <= e)
            {
                e = Math.max(e, next.getValue());
                runs.remove(next.getKey());
                next = runs.ceilingEntry(s);
            }
            runs.put(s, e);
        }

        boolean has(final long seq)
        {
            final Map.Entry<Long, Long> r = runs.floorEntry(seq);
            return r != null && seq < r.getValue();
        }

        boolean all(final long start, final long end)
        {
            final Map.Entry<Long, Long> r = runs.floorEntry(start);
            return r != null && end <= r.getValue();
        }

        int runsBeyond(final long ack)
        {
            return runs.tailMap(ack, false).size();
        }
    }

    private static void waitForCapture(final Path file) throws InterruptedException
    {
        for (int i = 0; i < 100 && !Files.exists(file); i++)
        {
            Thread.sleep(100);
        }
        // tshark creates the file before its capture filter is live: a moment more.
        Thread.sleep(1_000);
    }

    private static List<String> tshark(final Path file, final String... args) throws Exception
    {
        final List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-o",
            "tcp.relative_sequence_numbers:FALSE"));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tshark failed");
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
