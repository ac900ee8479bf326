package io.flowstack.tcp.sim;

import io.flowstack.core.sim.FaultProfile;
import io.flowstack.ip.wire.Ipv4Flyweight;
import io.flowstack.tcp.api.CongestionAlgorithm;
import io.flowstack.tcp.api.TcpConfig;
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
 * Goodput of one bulk transfer through the simulator (fixed seed, 100 Mbit/s link) for loss 0, 0.1, 1 and 5 %
 * and round trips of 2, 20 and 100 ms (the grid of the lossy-path benchmark), with a column per congestion
 * control, SACK on and off. The figures are kept in
 * {@code src/test/resources/goodput.tsv}; a result more than {@value #TOLERANCE_PERCENT}% below its recorded
 * figure fails, so a regression in loss recovery shows in review. Improvements are reported; rewrite the table
 * with {@code -Dflowstack.goodput.update=true}.
 */
class GoodputTableTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final int BYTES = 16 * 1024 * 1024;
    private static final int TOLERANCE_PERCENT = 10;
    private static final long SEED = 20261121L;
    private static final Path TABLE = Path.of("src/test/resources/goodput.tsv");

    /** @return goodput in Mbit/s. */
    private static double run(final Cell cell)
    {
        final FaultProfile faults = FaultProfile.builder().loss(cell.loss).delay(cell.rttNs / 2).rate(100_000_000L)
            .queueFrames(1000).build();
        final TcpConfig config = TcpConfig.DEFAULT.withCongestionControl(cell.algorithm).withSack(cell.sack);
        try (SimNetwork net = new SimNetwork(SEED))
        {
            final BulkSink receiver = new BulkSink(net, BYTES);
            final SimHost server = net.newHost("server").cores(1).address(SimNetwork.SERVER_ADDRESS)
                .configure(b -> b.tcp(config)).onEachCore(core -> core.listen(5001, c -> receiver)).build();
            final SimHost client = net.newHost("client").cores(1).address(SimNetwork.CLIENT_ADDRESS)
                .configure(b -> b.tcp(config)).build();
            net.connect(client, server, faults, faults);
            final BulkSource sender = new BulkSource(BYTES, true);
            final long start = net.simulator().now();
            client.stack().core(0).submit(c -> c.connect(Ipv4Flyweight.parseAddress("198.18.0.2"), 5001, sender));
            assertTrue(net.runUntil(() -> receiver.doneAt >= 0, 3600 * S), cell + ": transfer did not finish: " + receiver.read);
            return BYTES * 8.0 / ((receiver.doneAt - start) / 1e9) / 1e6;
        }
    }

    /** One transfer: a path and how the sender runs on it. */
    private record Cell(long rttNs, double loss, CongestionAlgorithm algorithm, boolean sack)
    {
        String row()
        {
            return String.format(Locale.ROOT, "rtt=%dms\tloss=%.1f%%", rttNs / MS, loss * 100);
        }

        String column()
        {
            return algorithm.name().toLowerCase(Locale.ROOT) + (sack ? "/sack" : "/nosack");
        }
    }

    @Test
    void shouldKeepGoodputWithinToleranceOfTheRecordedTable() throws IOException
    {
        final List<String> columns = new ArrayList<>();
        for (final CongestionAlgorithm algorithm : CongestionAlgorithm.values())
        {
            for (final boolean sack : new boolean[]{true, false})
            {
                columns.add(new Cell(0, 0, algorithm, sack).column());
            }
        }
        final Map<String, Map<String, Double>> measured = new LinkedHashMap<>();
        for (final long rtt : new long[]{2 * MS, 20 * MS, 100 * MS})
        {
            for (final double loss : new double[]{0, 0.001, 0.01, 0.05})
            {
                for (final CongestionAlgorithm algorithm : CongestionAlgorithm.values())
                {
                    for (final boolean sack : new boolean[]{true, false})
                    {
                        final Cell cell = new Cell(rtt, loss, algorithm, sack);
                        measured.computeIfAbsent(cell.row(), k -> new LinkedHashMap<>()).put(cell.column(), run(cell));
                    }
                }
            }
        }
        final StringBuilder table = new StringBuilder("# flowstack TCP goodput in the simulator (Mbit/s): " + (BYTES >> 20)
            + " MiB one way, 100 Mbit/s link with a 1000-frame queue, loss both ways, buffers auto-tuned, seed " + SEED
            + "\nrtt\tloss\t" + String.join("\t", columns) + "\n");
        measured.forEach((row, cells) ->
        {
            table.append(row);
            cells.values().forEach(v -> table.append('\t').append(String.format(Locale.ROOT, "%.2f", v)));
            table.append('\n');
        });
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
        List<String> recordedColumns = List.of();
        for (final String line : Files.readAllLines(TABLE))
        {
            if (line.startsWith("#") || line.isBlank())
            {
                continue;
            }
            final String[] fields = line.split("\t");
            if (fields[0].equals("rtt"))
            {
                recordedColumns = List.of(fields).subList(2, fields.length);
                if (!recordedColumns.equals(columns))
                {
                    regressions.add("columns recorded " + recordedColumns + ", measured " + columns + " (update the table)");
                }
                continue;
            }
            final String row = fields[0] + "\t" + fields[1];
            final Map<String, Double> now = measured.get(row);
            for (int i = 2; i < fields.length; i++)
            {
                final String column = recordedColumns.get(i - 2);
                final double recorded = Double.parseDouble(fields[i]);
                final Double figure = now == null ? null : now.get(column);
                final String where = row.replace('\t', ' ') + " " + column;
                if (figure == null)
                {
                    regressions.add(where + ": no longer measured");
                }
                else if (figure < recorded * (100 - TOLERANCE_PERCENT) / 100.0)
                {
                    regressions.add(String.format(Locale.ROOT, "%s: %.2f Mbit/s, recorded %.2f", where, figure, recorded));
                }
                else if (figure > recorded * (100 + TOLERANCE_PERCENT) / 100.0)
                {
                    System.out.printf(Locale.ROOT, "improved: %s: %.2f Mbit/s, recorded %.2f (update the table)%n",
                        where, figure, recorded);
                }
            }
        }
        assertTrue(regressions.isEmpty(), "goodput regressions:\n" + String.join("\n", regressions));
    }
}
