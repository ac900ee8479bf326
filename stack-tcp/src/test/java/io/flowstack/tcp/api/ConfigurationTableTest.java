package io.flowstack.tcp.api;

import io.flowstack.core.counter.CountersFile;
import io.flowstack.core.sim.SimulationSeed;
import org.agrona.SystemUtil;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's configuration table against the code: one row per tunable (every {@code *_PROP_NAME} of
 * {@link Configuration}, plus the two stack-core declares beside what they tune), and each row's default, read in
 * the property's own syntax ({@code 256k}, {@code 40ms}), equal to the {@code *_DEFAULT} constant.
 */
class ConfigurationTableTest
{
    private static final Path README = Path.of("..", "README.md");

    @Test
    void shouldDocumentEveryTunableWithItsDefault() throws Exception
    {
        final Map<String, String> documented = table();
        final Map<String, Field> defaults = defaults();
        final TreeSet<String> expected = new TreeSet<>(defaults.keySet());
        expected.add(CountersFile.DIRECTORY_PROP_NAME);
        expected.add(SimulationSeed.PROPERTY);
        assertEquals(expected, new TreeSet<>(documented.keySet()), "properties in the README's table");
        final List<String> wrong = new ArrayList<>();
        for (final Map.Entry<String, Field> e : defaults.entrySet())
        {
            final Object value = e.getValue().get(null);
            final String cell = documented.get(e.getKey());
            if (!value.equals(parse(cell, e.getValue().getType())))
            {
                wrong.add(e.getKey() + ": README says " + cell + ", the code " + value);
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** The property column (in backquotes) and the default column of the table under "## Configuration". */
    private static Map<String, String> table() throws IOException
    {
        final List<String> lines = Files.readAllLines(README);
        final int start = lines.indexOf("## Configuration");
        assertTrue(start >= 0, "README has no '## Configuration' section");
        final Map<String, String> rows = new LinkedHashMap<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++)
        {
            final String line = lines.get(i);
            if (!line.startsWith("| `"))
            {
                continue;
            }
            final String[] cells = line.split("\\|");
            final String property = cells[1].strip().replace("`", "");
            if (rows.put(property, cells[2].strip().replace("`", "")) != null)
            {
                fail(property + " is in the table twice");
            }
        }
        return rows;
    }

    /** Each {@code X_PROP_NAME}'s value, with its {@code X_DEFAULT} field. */
    private static Map<String, Field> defaults() throws ReflectiveOperationException
    {
        final Map<String, Field> defaults = new LinkedHashMap<>();
        for (final Field f : Configuration.class.getFields())
        {
            if (Modifier.isStatic(f.getModifiers()) && f.getName().endsWith("_PROP_NAME"))
            {
                final String stem = f.getName().substring(0, f.getName().length() - "_PROP_NAME".length());
                defaults.put((String)f.get(null), Configuration.class.getField(stem + "_DEFAULT"));
            }
        }
        return defaults;
    }

    private static Object parse(final String cell, final Class<?> type)
    {
        if (type == int.class)
        {
            return (int)SystemUtil.parseSize("default", cell);
        }
        if (type == long.class)
        {
            return SystemUtil.parseDuration("default", cell);
        }
        if (type == boolean.class)
        {
            return Boolean.parseBoolean(cell);
        }
        if (type == double.class)
        {
            return Double.parseDouble(cell);
        }
        if (type == CongestionAlgorithm.class)
        {
            return CongestionAlgorithm.valueOf(cell.toUpperCase(Locale.ROOT));
        }
        throw new AssertionError("no parser for " + type);
    }
}
