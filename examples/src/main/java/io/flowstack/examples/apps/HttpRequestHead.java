package io.flowstack.examples.apps;

import org.agrona.DirectBuffer;

/**
 * The parts of an HTTP/1.1 request head (RFC 9112 3 and 9.3) the server acts on, read in place from the bytes
 * without allocating: the method, where the target is, the version and whether the connection persists. Reused
 * per connection.
 */
final class HttpRequestHead
{
    static final int GET = 1;
    static final int HEAD = 2;
    static final int OTHER = 3;

    private static final byte[] GET_BYTES = {'G', 'E', 'T'};
    private static final byte[] HEAD_BYTES = {'H', 'E', 'A', 'D'};
    private static final byte[] HTTP_1 = {'H', 'T', 'T', 'P', '/', '1', '.'};
    private static final byte[] CONNECTION = {'c', 'o', 'n', 'n', 'e', 'c', 't', 'i', 'o', 'n', ':'};
    private static final byte[] CLOSE = {'c', 'l', 'o', 's', 'e'};
    private static final byte[] KEEP_ALIVE = {'k', 'e', 'e', 'p', '-', 'a', 'l', 'i', 'v', 'e'};

    int method;
    int targetStart;
    int targetEnd;
    /** RFC 9112 9.3: the connection closes after this response. */
    boolean close;

    /**
     * @param b   the request's bytes from 0.
     * @param end where the head ends (the empty line's CR).
     * @return false if the request line is not "METHOD SP TARGET SP HTTP/1.x".
     */
    boolean parse(final DirectBuffer b, final int end)
    {
        final int lineEnd = lineEnd(b, 0, end);
        final int sp1 = indexOf(b, 0, lineEnd, (byte)' ');
        final int sp2 = sp1 < 0 ? -1 : indexOf(b, sp1 + 1, lineEnd, (byte)' ');
        if (sp1 <= 0 || sp2 <= sp1 + 1 || indexOf(b, sp2 + 1, lineEnd, (byte)' ') >= 0
            || lineEnd - (sp2 + 1) < HTTP_1.length + 1 || !startsWith(b, sp2 + 1, lineEnd, HTTP_1, false))
        {
            return false;
        }
        method = sp1 == GET_BYTES.length && startsWith(b, 0, sp1, GET_BYTES, false) ? GET
            : sp1 == HEAD_BYTES.length && startsWith(b, 0, sp1, HEAD_BYTES, false) ? HEAD : OTHER;
        targetStart = sp1 + 1;
        targetEnd = sp2;
        // HTTP/1.0 closes unless it asks to keep alive; 1.1 persists unless it asks to close.
        close = lineEnd - (sp2 + 1) == HTTP_1.length + 1 && b.getByte(lineEnd - 1) == '0';
        int at = lineEnd + 2;
        while (at < end)
        {
            final int next = lineEnd(b, at, end);
            if (startsWith(b, at, next, CONNECTION, true))
            {
                final int value = at + CONNECTION.length;
                close = contains(b, value, next, CLOSE) || close && !contains(b, value, next, KEEP_ALIVE);
            }
            at = next + 2;
        }
        return true;
    }

    private static int lineEnd(final DirectBuffer b, final int from, final int end)
    {
        for (int i = from; i + 1 < end; i++)
        {
            if (b.getByte(i) == '\r' && b.getByte(i + 1) == '\n')
            {
                return i;
            }
        }
        return end;
    }

    private static int indexOf(final DirectBuffer b, final int from, final int end, final byte c)
    {
        for (int i = from; i < end; i++)
        {
            if (b.getByte(i) == c)
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(
        final DirectBuffer b, final int from, final int end, final byte[] prefix, final boolean ignoreCase)
    {
        if (end - from < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            final byte c = b.getByte(from + i);
            if ((ignoreCase ? lower(c) : c) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    /** Case-insensitive: header values compare so (RFC 9110 7.6.1 connection options). */
    private static boolean contains(final DirectBuffer b, final int from, final int end, final byte[] word)
    {
        for (int i = from; i + word.length <= end; i++)
        {
            if (startsWith(b, i, end, word, true))
            {
                return true;
            }
        }
        return false;
    }

    private static byte lower(final byte c)
    {
        return c >= 'A' && c <= 'Z' ? (byte)(c + ('a' - 'A')) : c;
    }
}
