package io.flowstack.examples.apps.iperf3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * The test parameters an iperf3 client sends after {@link Iperf3Protocol#PARAM_EXCHANGE}: a JSON object whose
 * keys are iperf3's (esnet/iperf {@code send_parameters}); keys this server does not use are ignored, as iperf3's
 * own server ignores the ones it does not know.
 *
 * @param tcp           a TCP test (the only kind served here).
 * @param timeSeconds   test length ({@code -t}); 0 when the client ends by bytes or blocks.
 * @param omitSeconds   seconds at the start left out of the results ({@code -O}).
 * @param bytes         bytes to send ({@code -n}), 0 for none.
 * @param blocks        blocks to send ({@code -k}), 0 for none.
 * @param parallel      streams ({@code -P}).
 * @param reverse       the server sends ({@code -R}).
 * @param bidirectional both send ({@code --bidir}).
 * @param blockSize     bytes per write ({@code -l}).
 * @param noDelay       TCP_NODELAY on the streams ({@code -N}).
 * @param unsupported   why the test cannot be served here, or null.
 * @param clientVersion the client's version string, or "".
 */
record Iperf3Params(
    boolean tcp,
    int timeSeconds,
    int omitSeconds,
    long bytes,
    long blocks,
    int parallel,
    boolean reverse,
    boolean bidirectional,
    int blockSize,
    boolean noDelay,
    String unsupported,
    String clientVersion)
{
    /** Most streams a test may have (iperf3's own limit). */
    static final int MAX_STREAMS = 128;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param json the client's parameters.
     * @return them.
     * @throws IOException when the text is not a JSON object.
     */
    static Iperf3Params parse(final byte[] json) throws IOException
    {
        final JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject())
        {
            throw new IOException("the parameters are not a JSON object");
        }
        final boolean tcp = root.path("tcp").asBoolean(false);
        final int parallel = root.path("parallel").asInt(1);
        final boolean reverse = root.path("reverse").asBoolean(false);
        final boolean bidirectional = root.path("bidirectional").asBoolean(false);
        final long bytes = root.path("num").asLong(0);
        final long blocks = root.path("blockcount").asLong(0);
        String unsupported = null;
        if (!tcp)
        {
            unsupported = root.has("udp") ? "UDP tests" : root.has("sctp") ? "SCTP tests" : "tests other than TCP";
        }
        else if (parallel < 1 || parallel > MAX_STREAMS)
        {
            unsupported = "-P " + parallel;
        }
        else if ((reverse || bidirectional) && (bytes > 0 || blocks > 0))
        {
            // The server would be the one to count; it sends until the client's TEST_END instead.
            unsupported = "-n or -k with -R or --bidir";
        }
        return new Iperf3Params(tcp, root.path("time").asInt(0), root.path("omit").asInt(0), bytes, blocks, parallel,
            reverse, bidirectional, Math.max(1, root.path("len").asInt(128 * 1024)), root.path("nodelay").asBoolean(false),
            unsupported, root.path("client_version").asText(""));
    }

    /**
     * @return streams the server receives on, which the client opens first.
     */
    int receivingStreams()
    {
        return reverse && !bidirectional ? 0 : parallel;
    }

    /**
     * @return streams the server sends on.
     */
    int sendingStreams()
    {
        return reverse || bidirectional ? parallel : 0;
    }
}
