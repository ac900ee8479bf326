package io.flowstack.examples.apps.iperf3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The server's half of iperf3's result exchange: the JSON object a client reads after sending its own (esnet/iperf
 * {@code get_results} requires the three CPU figures, {@code sender_has_retransmits} and {@code streams}, each
 * stream with {@code id}, {@code bytes}, {@code retransmits}, {@code jitter}, {@code errors} and {@code packets};
 * {@code start_time} and {@code end_time} give the receiver's time).
 */
final class Iperf3Results
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One stream's outcome.
     *
     * @param id          the stream's id ({@link Iperf3Protocol#streamId}).
     * @param sender      whether the server sent on it.
     * @param bytes       bytes the server sent (into the connection) or received, after the omitted seconds.
     * @param retransmits segments the server retransmitted (meaningful for a sender).
     */
    record Stream(int id, boolean sender, long bytes, long retransmits)
    {
    }

    private Iperf3Results()
    {
    }

    /**
     * @param streams           every stream of the test, in id order.
     * @param seconds           the test's measured time, from TEST_START (or the end of the omitted seconds) to
     *                          TEST_END.
     * @param cpu               the process's CPU use over the test: total, user, system, in percent of one CPU.
     * @param congestionControl the streams' congestion control, e.g. "cubic".
     * @return the JSON text.
     */
    static byte[] toJson(final List<Stream> streams, final double seconds, final double[] cpu,
        final String congestionControl)
    {
        final ObjectNode root = JSON.createObjectNode();
        root.put("cpu_util_total", cpu[0]);
        root.put("cpu_util_user", cpu[1]);
        root.put("cpu_util_system", cpu[2]);
        boolean sends = false;
        for (final Stream s : streams)
        {
            sends |= s.sender();
        }
        // The stack counts its retransmissions, so a sending server has them (iperf3: 1 where TCP_INFO has them).
        root.put("sender_has_retransmits", sends ? 1 : 0);
        root.put("congestion_used", congestionControl);
        final ArrayNode list = root.putArray("streams");
        for (final Stream s : streams)
        {
            final ObjectNode o = list.addObject();
            o.put("id", s.id());
            o.put("bytes", s.bytes());
            o.put("retransmits", s.sender() ? s.retransmits() : -1);
            o.put("jitter", 0.0);
            o.put("errors", 0);
            o.put("omitted_errors", 0);
            o.put("packets", 0);
            o.put("omitted_packets", 0);
            o.put("start_time", 0.0);
            o.put("end_time", seconds);
        }
        try
        {
            return JSON.writeValueAsBytes(root);
        }
        catch (final com.fasterxml.jackson.core.JsonProcessingException e)
        {
            throw new IllegalStateException(e); // a tree of numbers and strings always serializes
        }
    }
}
