package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.TcpConfig;
import io.flowstack.tcp.api.TcpConnection;
import io.flowstack.tcp.api.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Goodput of one bulk transfer through the simulator (fixed seed, 100 Mbit/s link) for loss 0, 0.1, 1 and 5 %,
 * one-way delays of 1 and 20 ms and buffers of 64 and 256 KiB. The figures are kept in
 * {@code src/test/resources/goodput.tsv}; a result more than {@value #TOLERANCE_PERCENT}% below its recorded
 * figure fails, so a regression in loss recovery shows in review. Improvements are reported; rewrite the table
 * with {@code -Dflowstack.goodput.update=true}.
 */
class GoodputTableTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int BYTES = 4 * 1024 * 1024;
    private static final int TOLERANCE_PERCENT = 10;
    private static final long SEED = 20261121L;
    private static final Path TABLE = Path.of("src/test/resources/goodput.tsv");

    /** Sends BYTES of zeros and closes. */
    private static final class Sender implements TcpHandler
    {
        final UnsafeBuffer zeros = new UnsafeBuffer(new byte[1 << 16]);
        long written;

        @Override
        public void onConnected(final TcpConnection c)
        {
            onWritable(c);
        }

        @Override
        public void onWritable(final TcpConnection c)
        {
            while (written < BYTES)
            {
                final int n = c.write(zeros, 0, (int)Math.min(zeros.capacity(), BYTES - written));
                if (n <= 0)
                {
                    return;
                }
                written += n;
            }
            c.close();
        }

        @Override
        public void onData(final TcpConnection c)
        {
        }
    }

    /** Counts what arrives; notes the virtual time of the last byte. */
    private static final class Receiver implements TcpHandler
    {
        final UnsafeBuffer in = new UnsafeBuffer(new byte[1 << 16]);
        final SimNetwork net;
        long read;
        long doneAt = -1;

        Receiver(final SimNetwork net)
        {
            this.net = net;
        }

        @Override
        public void onConnected(final TcpConnection c)
        {
        }

        @Override
        public void onData(final TcpConnection c)
        {
            int n;
            while ((n = c.read(in, 0, in.capacity())) > 0)
            {
                read += n;
            }
            if (read >= BYTES && doneAt < 0)
            {
                doneAt = net.simulator().now();
            }
        }

        @Override
        public void onPeerClosed(final TcpConnection c)
        {
            onData(c);
            c.close();
        }
    }

    /** @return goodput in Mbit/s. */
    private static double run(final double loss, final long delayNs, final int buffer)
    {
        final FaultProfile faults = FaultProfile.builder().loss(loss).delay(delayNs).rate(100_000_000L).queueFrames(1000).build();
        final TcpConfig config = TcpConfig.DEFAULT.withBuffers(buffer);
        try (SimNetwork net = new SimNetwork(SEED))
        {
            final Receiver receiver = new Receiver(net);
            final SimHost server = net.newHost("server").cores(1).address(SimNetwork.SERVER_ADDRESS)
                .configure(b -> b.tcp(config)).onEachCore(core -> core.tcp().listen(0, 5001, c -> receiver)).build();
            final SimHost client = net.newHost("client").cores(1).address(SimNetwork.CLIENT_ADDRESS)
                .configure(b -> b.tcp(config)).build();
            net.connect(client, server, faults, faults);
            final Sender sender = new Sender();
            final long start = net.simulator().now();
            client.stack().core(0).submit(() -> client.stack().core(0).tcp()
                .connect(Ipv4Flyweight.parseAddress("198.18.0.2"), 5001, sender));
            assertTrue(net.runUntil(() -> receiver.doneAt >= 0, 3600 * S), "transfer did not finish: " + receiver.read);
            return BYTES * 8.0 / ((receiver.doneAt - start) / 1e9) / 1e6;
        }
    }

    @Test
    void shouldKeepGoodputWithinToleranceOfTheRecordedTable() throws IOException
    {
        final Map<String, Double> measured = new LinkedHashMap<>();
        for (final int buffer : new int[]{64 * 1024, 256 * 1024})
        {
            for (final long delay : new long[]{1 * MS, 20 * MS})
            {
                for (final double loss : new double[]{0, 0.001, 0.01, 0.05})
                {
                    final String key = String.format(Locale.ROOT, "loss=%.1f%%\tdelay=%dms\tbuffer=%dKiB",
                        loss * 100, delay / MS, buffer / 1024);
                    measured.put(key, run(loss, delay, buffer));
                }
            }
        }
        final StringBuilder table = new StringBuilder("# flowstack TCP goodput in the simulator (Mbit/s): 4 MiB one way, "
            + "100 Mbit/s link, seed " + SEED + "\n");
        measured.forEach((k, v) -> table.append(k).append('\t').append(String.format(Locale.ROOT, "%.2f", v)).append('\n'));
        System.out.print(table);
        if (Boolean.getBoolean("flowstack.goodput.update") || !Files.exists(TABLE))
        {
            Files.createDirectories(TABLE.getParent());
            Files.writeString(TABLE, table.toString());
            if (!Boolean.getBoolean("flowstack.goodput.update"))
            {
                fail("no recorded goodput table: wrote " + TABLE.toAbsolutePath() + "; commit it");
            }
            return;
        }
        final List<String> regressions = new ArrayList<>();
        for (final String line : Files.readAllLines(TABLE))
        {
            if (line.startsWith("#") || line.isBlank())
            {
                continue;
            }
            final int tab = line.lastIndexOf('\t');
            final String key = line.substring(0, tab);
            final double recorded = Double.parseDouble(line.substring(tab + 1));
            final Double now = measured.get(key);
            if (now == null)
            {
                regressions.add(key + ": no longer measured");
            }
            else if (now < recorded * (100 - TOLERANCE_PERCENT) / 100.0)
            {
                regressions.add(String.format(Locale.ROOT, "%s: %.2f Mbit/s, recorded %.2f", key, now, recorded));
            }
            else if (now > recorded * (100 + TOLERANCE_PERCENT) / 100.0)
            {
                System.out.printf(Locale.ROOT, "improved: %s: %.2f Mbit/s, recorded %.2f (update the table)%n", key, now, recorded);
            }
        }
        assertTrue(regressions.isEmpty(), "goodput regressions:\n" + String.join("\n", regressions));
    }
}
