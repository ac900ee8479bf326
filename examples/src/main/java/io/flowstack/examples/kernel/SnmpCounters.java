package io.flowstack.examples.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's own protocol counters of the current network namespace ({@code /proc/net/snmp}: pairs of lines,
 * names then values, per protocol), so a client can show what the kernel itself counted: echo requests sent and
 * replies accepted, checksum errors, fragments made and reassembled.
 */
final class SnmpCounters
{
    private static final Path SNMP = Path.of("/proc/net/snmp");

    private final Map<String, Long> values;

    private SnmpCounters(final Map<String, Long> values)
    {
        this.values = values;
    }

    /**
     * @return the counters now, keyed "Protocol.Name" (e.g. "Icmp.InEchoReps").
     * @throws IOException when /proc/net/snmp cannot be read.
     */
    static SnmpCounters read() throws IOException
    {
        final List<String> lines = Files.readAllLines(SNMP);
        final Map<String, Long> values = new HashMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2)
        {
            final String[] names = lines.get(i).split(" ");
            final String[] numbers = lines.get(i + 1).split(" ");
            final String protocol = names[0].substring(0, names[0].length() - 1);
            for (int k = 1; k < Math.min(names.length, numbers.length); k++)
            {
                values.put(protocol + "." + names[k], Long.parseLong(numbers[k]));
            }
        }
        return new SnmpCounters(values);
    }

    /**
     * @param name "Protocol.Name".
     * @param earlier a reading taken before.
     * @return how much the counter grew since {@code earlier}.
     */
    long since(final SnmpCounters earlier, final String name)
    {
        return values.getOrDefault(name, 0L) - earlier.values.getOrDefault(name, 0L);
    }

    /**
     * @param earlier a reading taken before.
     * @param names   "Protocol.Name" of each counter to show.
     * @return e.g. "Icmp OutEchos +20, Icmp InEchoReps +20".
     */
    String describeSince(final SnmpCounters earlier, final String... names)
    {
        final StringBuilder b = new StringBuilder();
        for (final String name : names)
        {
            b.append(b.length() == 0 ? "" : ", ").append(name.replace('.', ' ')).append(" +").append(since(earlier, name));
        }
        return b.toString();
    }
}
