package io.flowstack.examples.apps;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HttpRequestHeadTest
{
    /** Each case: the head (| for CRLF), then valid, method, target, close. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "GET / HTTP/1.1|Host: x;                           true;  1; /;      false",
        "GET /a?b=c HTTP/1.1;                              true;  1; /a?b=c; false",
        "HEAD /f HTTP/1.1|Connection: Close;               true;  2; /f;     true",
        "GET / HTTP/1.0;                                   true;  1; /;      true",
        "GET / HTTP/1.0|connection: Keep-Alive;            true;  1; /;      false",
        "GET / HTTP/1.1|Host: x|CONNECTION: close|X: y;    true;  1; /;      true",
        "GET / HTTP/1.1|X-Connection: close;               true;  1; /;      false",
        "POST / HTTP/1.1;                                  true;  3; /;      false",
        "GETS / HTTP/1.1;                                  true;  3; /;      false",
        "GET /;                                            false; 0; ;       false",
        "GET  / HTTP/1.1;                                  false; 0; ;       false",
        "GET / HTTP/1.1 x;                                 false; 0; ;       false",
        "GET / FTP/1.1;                                    false; 0; ;       false",
        " / HTTP/1.1;                                      false; 0; ;       false",
        "GET / HTTP/1.;                                    false; 0; ;       false"})
    void shouldReadTheRequestLineAndConnectionHeader(
        final String head, final boolean valid, final int method, final String target, final boolean close)
    {
        final byte[] bytes = (head.replace("|", "\r\n") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        final HttpRequestHead h = new HttpRequestHead();
        final int end = bytes.length - 4;
        assertEquals(valid, h.parse(b, end), head);
        if (valid)
        {
            assertEquals(method, h.method, head);
            assertEquals(target, b.getStringWithoutLengthAscii(h.targetStart, h.targetEnd - h.targetStart), head);
            assertEquals(close, h.close, head);
        }
    }
}
