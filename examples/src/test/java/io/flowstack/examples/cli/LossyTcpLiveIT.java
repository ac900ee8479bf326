package io.flowstack.examples.cli;

import io.flowstack.core.testing.ToolRequirement;
import io.flowstack.tap.netns.ExecResult;
import io.flowstack.tap.netns.NetNs;
import io.flowstack.tap.testing.Names;
import io.flowstack.tap.testing.RootRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With 1% loss injected in each direction on the TAP ({@code --fault loss=1%}; the kernel here has no netem),
 * 20 MB still move between the kernel and the stack with identical bytes, both ways. Needs root.
 */
class LossyTcpLiveIT
{
    @Test
    void shouldMoveTwentyMegabytesBothWaysThroughOnePercentLoss(@TempDir final Path root) throws Exception
    {
        RootRequirement.assumeRoot();
        ToolRequirement.require("curl", "bash", "socat");
        NetNs.cleanStale("fstest-loss-");
        final String ns = Names.namespace("loss");
        final Path big = root.resolve("big.bin");
        final byte[] data = new byte[20_000_000];
        new Random(11).nextBytes(data);
        Files.write(big, data);
        final String sha = TcpLiveIT.sha256(big);
        try (FlowstackProcess server = FlowstackProcess.serve("--tap", Names.device(), "--netns", ns,
            "--host-ip", "198.18.0.1/24", "--ip", "198.18.0.2/24", "--app", "http:80", "--app", "echo:7",
            "--root", root.toString(), "--fault", "loss=1%", "--fault-seed", "7"))
        {
            final NetNs netns = NetNs.createOrAdopt(ns);
            final Path down = root.resolve("down.bin");
            final ExecResult curl = netns.exec(Duration.ofSeconds(120), "curl", "-sS", "-o", down.toString(),
                "http://198.18.0.2/big.bin");
            assertEquals(0, curl.exitCode(), curl.stderr());
            assertEquals(sha, TcpLiveIT.sha256(down), "stack to kernel through 1% loss");
            final Path echoed = root.resolve("echo.bin");
            final ExecResult socat = netns.exec(Duration.ofSeconds(180), "bash", "-c",
                "socat -b 65536 -t 10 - TCP:198.18.0.2:7 < " + big + " > " + echoed);
            assertEquals(0, socat.exitCode(), socat.stderr());
            assertEquals(sha, TcpLiveIT.sha256(echoed), "kernel to stack and back through 1% loss");
            final String json = server.statJson();
            final long retransmits = StatJson.counter(json, 0, "tcp.retransmits");
            System.out.println("1% loss: stack retransmissions " + retransmits);
            assertTrue(retransmits > 0, "the loss was real");
        }
        finally
        {
            NetNs.deleteIfExists(ns);
        }
    }
}
