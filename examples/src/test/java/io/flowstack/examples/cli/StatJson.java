package io.flowstack.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads {@code flowstack stat --json} output back with Jackson, strictly: exactly one JSON value (no trailing
 * text) and no duplicate keys.
 */
final class StatJson
{
    private static final ObjectMapper MAPPER = new ObjectMapper()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private StatJson()
    {
    }

    /**
     * @param text one JSON object, optionally surrounded by white space.
     * @return it as a tree.
     * @throws IllegalArgumentException on anything else.
     */
    static JsonNode parse(final String text)
    {
        try
        {
            final JsonNode node = MAPPER.readTree(text);
            if (node == null || !node.isObject())
            {
                throw new IllegalArgumentException("not a JSON object: " + text);
            }
            return node;
        }
        catch (final JsonProcessingException e)
        {
            throw new IllegalArgumentException("bad JSON: " + e.getOriginalMessage() + " in: " + text, e);
        }
    }

    /**
     * @return one counter of one core ({@code "cores":{"CORE":{"LABEL":value,...}}}), 0 when that core does not
     *     have it.
     */
    static long counter(final String json, final int core, final String label)
    {
        final JsonNode cores = parse(json).path("cores");
        assertTrue(cores.has(Integer.toString(core)), "no core " + core + " in " + json);
        return cores.path(Integer.toString(core)).path(label).asLong(0);
    }
}
