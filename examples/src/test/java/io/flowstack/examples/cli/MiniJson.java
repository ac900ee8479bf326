package io.flowstack.examples.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict little JSON parser for tests (RFC 8259: objects, arrays, strings with escapes, integers and decimals,
 * true, false, null), so a test reads back what {@code flowstack stat --json} wrote rather than searching text.
 * Objects become {@link LinkedHashMap}s, integers {@link Long}s, decimals {@link Double}s.
 */
final class MiniJson
{
    private final String text;
    private int pos;

    private MiniJson(final String text)
    {
        this.text = text;
    }

    /**
     * @param text one JSON value, optionally surrounded by white space.
     * @return the value.
     * @throws IllegalArgumentException on anything that is not exactly one JSON value.
     */
    static Object parse(final String text)
    {
        final MiniJson p = new MiniJson(text);
        final Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length())
        {
            throw p.error("trailing text");
        }
        return v;
    }

    /**
     * @param text a JSON object.
     * @return it as a map.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(final String text)
    {
        final Object v = parse(text);
        if (!(v instanceof Map))
        {
            throw new IllegalArgumentException("not a JSON object: " + text);
        }
        return (Map<String, Object>)v;
    }

    private Object value()
    {
        skipSpace();
        if (pos >= text.length())
        {
            throw error("unexpected end");
        }
        final char c = text.charAt(pos);
        switch (c)
        {
            case '{':
                return objectValue();
            case '[':
                return arrayValue();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private Map<String, Object> objectValue()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        expect('{');
        skipSpace();
        if (peek() == '}')
        {
            pos++;
            return m;
        }
        while (true)
        {
            skipSpace();
            final String key = string();
            skipSpace();
            expect(':');
            if (m.containsKey(key))
            {
                throw error("duplicate key " + key);
            }
            m.put(key, value());
            skipSpace();
            if (peek() == ',')
            {
                pos++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> arrayValue()
    {
        final List<Object> list = new ArrayList<>();
        expect('[');
        skipSpace();
        if (peek() == ']')
        {
            pos++;
            return list;
        }
        while (true)
        {
            list.add(value());
            skipSpace();
            if (peek() == ',')
            {
                pos++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private String string()
    {
        expect('"');
        final StringBuilder b = new StringBuilder();
        while (true)
        {
            if (pos >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(pos++);
            if (c == '"')
            {
                return b.toString();
            }
            if (c < 0x20)
            {
                throw error("raw control character in string");
            }
            if (c != '\\')
            {
                b.append(c);
                continue;
            }
            final char e = text.charAt(pos++);
            switch (e)
            {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' ->
                {
                    b.append((char)Integer.parseInt(text.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number()
    {
        final int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0)
        {
            pos++;
        }
        final String n = text.substring(start, pos);
        if (n.isEmpty())
        {
            throw error("unexpected character");
        }
        try
        {
            return n.matches("-?(0|[1-9][0-9]*)") ? (Object)Long.parseLong(n) : (Object)Double.parseDouble(n);
        }
        catch (final NumberFormatException ex)
        {
            throw error("bad number " + n);
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, pos))
        {
            throw error("unexpected character");
        }
        pos += word.length();
        return value;
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private char peek()
    {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace()
    {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0)
        {
            pos++;
        }
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException(what + " at " + pos + " in: " + text);
    }
}
