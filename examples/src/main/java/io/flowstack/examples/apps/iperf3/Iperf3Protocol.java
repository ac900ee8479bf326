package io.flowstack.examples.apps.iperf3;

/**
 * The numbers of iperf3's control protocol (esnet/iperf, {@code iperf_api.h}): the state bytes the two ends send
 * each other on the control connection, the error codes a server reports with {@link #SERVER_ERROR}, and the size
 * of the cookie that opens every connection of a test.
 */
final class Iperf3Protocol
{
    /** The client's cookie: 36 characters and a NUL, first on the control connection and on every stream. */
    static final int COOKIE_SIZE = 37;

    /** Server to client: streams are connected, the test begins. */
    static final byte TEST_START = 1;
    /** Server to client: the test runs. */
    static final byte TEST_RUNNING = 2;
    /** Client to server: the test time is over (or the byte or block count reached). */
    static final byte TEST_END = 4;
    /** Server to client: send the test parameters (a JSON object). */
    static final byte PARAM_EXCHANGE = 9;
    /** Server to client: open the data streams. */
    static final byte CREATE_STREAMS = 10;
    /** Client to server: the client was interrupted. */
    static final byte CLIENT_TERMINATE = 12;
    /** Server to client: exchange results (the client sends its JSON first, then reads the server's). */
    static final byte EXCHANGE_RESULTS = 13;
    /** Server to client: print the results. */
    static final byte DISPLAY_RESULTS = 14;
    /** Client to server: done; the control connection closes. */
    static final byte IPERF_DONE = 16;
    /** Server to client on a connection it will not serve: a test is already running. */
    static final byte ACCESS_DENIED = -1;
    /** Server to client: an error follows, two 32-bit big-endian integers (iperf's error code, errno). */
    static final byte SERVER_ERROR = -2;

    /** iperf error code: "an option you are trying to set is not implemented yet". */
    static final int IEUNIMP = 13;
    /** iperf error code: the server could not receive the parameters. */
    static final int IERECVPARAMS = 114;
    /** iperf error code: an unknown control message. */
    static final int IEMESSAGE = 110;

    /** Largest JSON message taken on the control connection (results of 128 streams take about 20 KB). */
    static final int MAX_JSON = 1 << 20;

    private Iperf3Protocol()
    {
    }

    /**
     * iperf3 numbers a test's streams in the order they are added: 1, then 3, 4, 5, ... (its list insertion skips
     * 2). The client numbers its own streams the same way and matches results by these ids.
     *
     * @param index zero-based position of the stream in connection order.
     * @return the stream's id.
     */
    static int streamId(final int index)
    {
        return index == 0 ? 1 : index + 2;
    }
}
