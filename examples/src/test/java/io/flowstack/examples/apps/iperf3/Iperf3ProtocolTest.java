package io.flowstack.examples.apps.iperf3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parts of the iperf3 server that need no network: stream ids as the client numbers them, the client's
 * parameters, and results a client accepts (the fields esnet/iperf's get_results requires).
 */
class Iperf3ProtocolTest
{
    private static Iperf3Params params(final String json) throws IOException
    {
        return Iperf3Params.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldNumberStreamsAsIperf3Does()
    {
        // iperf_add_stream: the first stream is 1, the next ones 3, 4, 5, ...
        assertEquals(List.of(1, 3, 4, 5), List.of(Iperf3Protocol.streamId(0), Iperf3Protocol.streamId(1),
            Iperf3Protocol.streamId(2), Iperf3Protocol.streamId(3)));
    }

    @Test
    void shouldReadWhatAStockClientSends() throws IOException
    {
        // iperf3 3.12 -c ... -t 5 -P 4 -R, as it writes its parameters.
        final Iperf3Params p = params("{\"tcp\":true,\"omit\":0,\"time\":5,\"num\":0,\"blockcount\":0,\"parallel\":4,"
            + "\"reverse\":true,\"len\":131072,\"pacing_timer\":1000,\"client_version\":\"3.12\"}");
        assertNull(p.unsupported());
        assertEquals(5, p.timeSeconds());
        assertEquals(0, p.receivingStreams());
        assertEquals(4, p.sendingStreams());
        assertEquals(131072, p.blockSize());
        assertEquals("3.12", p.clientVersion());
        final Iperf3Params bidir = params("{\"tcp\":true,\"time\":2,\"parallel\":2,\"bidirectional\":true}");
        assertEquals(2, bidir.receivingStreams());
        assertEquals(2, bidir.sendingStreams());
        final Iperf3Params forward = params("{\"tcp\":true,\"time\":2}");
        assertEquals(1, forward.receivingStreams());
        assertEquals(0, forward.sendingStreams());
    }

    @Test
    void shouldRefuseWhatItDoesNotServe() throws IOException
    {
        assertTrue(params("{\"udp\":true,\"time\":1}").unsupported().contains("UDP"));
        assertTrue(params("{\"tcp\":true,\"parallel\":0}").unsupported().contains("-P 0"));
        assertTrue(params("{\"tcp\":true,\"parallel\":129}").unsupported().contains("-P 129"));
        assertTrue(params("{\"tcp\":true,\"reverse\":true,\"num\":1000}").unsupported().contains("-n"));
        assertThrows(IOException.class, () -> params("not json"));
        assertThrows(IOException.class, () -> params("[1,2]"));
    }

    @Test
    void shouldWriteResultsWithEveryFieldTheClientRequires() throws IOException
    {
        final byte[] json = Iperf3Results.toJson(List.of(new Iperf3Results.Stream(1, false, 1000, 0),
            new Iperf3Results.Stream(3, true, 2000, 7)), 5.0, new double[]{12.5, 10, 2.5}, "cubic");
        final JsonNode root = new ObjectMapper().readTree(json);
        for (final String key : List.of("cpu_util_total", "cpu_util_user", "cpu_util_system", "sender_has_retransmits",
            "streams"))
        {
            assertTrue(root.has(key), key);
        }
        assertEquals(1, root.path("sender_has_retransmits").asInt());
        assertEquals("cubic", root.path("congestion_used").asText());
        final JsonNode streams = root.path("streams");
        assertEquals(2, streams.size());
        for (final JsonNode s : streams)
        {
            for (final String key : List.of("id", "bytes", "retransmits", "jitter", "errors", "packets", "start_time",
                "end_time"))
            {
                assertTrue(s.has(key), key + " in " + s);
            }
            assertEquals(5.0, s.path("end_time").asDouble());
        }
        assertEquals(-1, streams.get(0).path("retransmits").asInt(), "a receiving stream has no retransmits");
        assertEquals(7, streams.get(1).path("retransmits").asInt());
        assertEquals(2000, streams.get(1).path("bytes").asLong());
    }
}
