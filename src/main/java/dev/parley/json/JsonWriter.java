package dev.parley.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes compact UTF-8 JSON into a growing byte array. One instance per call. */
final class JsonWriter {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    /** For ASCII: 0 = copy as is, otherwise the letter of its short escape, or 'u' for \\u00XX. */
    private static final byte[] ESCAPE = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPE[c] = 'u';
        }
        ESCAPE['"'] = '"';
        ESCAPE['\\'] = '\\';
        ESCAPE['\b'] = 'b';
        ESCAPE['\f'] = 'f';
        ESCAPE['\n'] = 'n';
        ESCAPE['\r'] = 'r';
        ESCAPE['\t'] = 't';
    }

    private byte[] buf;
    private int len;

    JsonWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code value}. Iterative, like the parser: open containers live on an explicit
     * stack, so deep values cost no Java stack.
     */
    void write(JsonValue value) {
        JsonValue[] stack = null;
        int[] next = null;
        int depth = 0;
        JsonValue current = value;
        while (true) {
            switch (current) {
                case JsonObject o when o.keys.length > 0 -> {
                    if (stack == null || depth == stack.length) {
                        stack = stack == null ? new JsonValue[16] : Arrays.copyOf(stack, depth * 2);
                        next = next == null ? new int[16] : Arrays.copyOf(next, depth * 2);
                    }
                    stack[depth] = o;
                    next[depth++] = 0;
                    put('{');
                }
                case JsonArray a when a.values.length > 0 -> {
                    if (stack == null || depth == stack.length) {
                        stack = stack == null ? new JsonValue[16] : Arrays.copyOf(stack, depth * 2);
                        next = next == null ? new int[16] : Arrays.copyOf(next, depth * 2);
                    }
                    stack[depth] = a;
                    next[depth++] = 0;
                    put('[');
                }
                case JsonObject o -> writeAscii("{}");
                case JsonArray a -> writeAscii("[]");
                case JsonString s -> writeString(s.value());
                case JsonNumber n -> writeNumber(n);
                case JsonBoolean b -> writeAscii(b.value() ? "true" : "false");
                case JsonNull n -> writeAscii("null");
            }
            // Find the next value to write, closing containers that are done.
            while (true) {
                if (depth == 0) {
                    return;
                }
                JsonValue top = stack[depth - 1];
                int i = next[depth - 1]++;
                if (top instanceof JsonObject o) {
                    if (i < o.keys.length) {
                        if (i > 0) {
                            put(',');
                        }
                        writeString(o.keys[i]);
                        put(':');
                        current = o.values[i];
                        break;
                    }
                    put('}');
                } else {
                    JsonArray a = (JsonArray) top;
                    if (i < a.values.length) {
                        if (i > 0) {
                            put(',');
                        }
                        current = a.values[i];
                        break;
                    }
                    put(']');
                }
                stack[--depth] = null;
            }
        }
    }

    private void put(char c) {
        ensure(1);
        buf[len++] = (byte) c;
    }

    private void writeNumber(JsonNumber n) {
        if (!n.isSmall()) {
            writeAscii(n.text());
            return;
        }
        long v = n.small();
        if (v == Long.MIN_VALUE) {
            writeAscii(Long.toString(v));
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        int p = len + digits;
        len = p;
        do {
            buf[--p] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
    }

    private void writeAscii(String s) {
        int n = s.length();
        ensure(n);
        s.getBytes(0, n, buf, len);
        len += n;
    }

    void writeString(String s) {
        int n = s.length();
        ensure(n + 2);
        byte[] b = buf;
        int p = len;
        b[p++] = '"';
        int i = 0;
        // Fast path: ASCII that needs no escape, with room reserved above.
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || ESCAPE[c] != 0) {
                break;
            }
            b[p++] = (byte) c;
        }
        len = p;
        if (i < n) {
            writeStringSlow(s, i);
        }
        ensure(1);
        buf[len++] = '"';
    }

    private void writeStringSlow(String s, int i) {
        int n = s.length();
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                byte e = ESCAPE[c];
                if (e == 0) {
                    ensure(1);
                    buf[len++] = (byte) c;
                } else if (e == 'u') {
                    ensure(6);
                    buf[len++] = '\\';
                    buf[len++] = 'u';
                    buf[len++] = '0';
                    buf[len++] = '0';
                    buf[len++] = HEX[c >> 4];
                    buf[len++] = HEX[c & 0xF];
                } else {
                    ensure(2);
                    buf[len++] = '\\';
                    buf[len++] = e;
                }
            } else if (c < 0x800) {
                ensure(2);
                buf[len++] = (byte) (0xC0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new IllegalArgumentException(String.format(
                            "cannot write a string with an unpaired surrogate U+%04X at index %d", (int) c, i));
                }
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                buf[len++] = (byte) (0xF0 | (cp >> 18));
                buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                ensure(3);
                buf[len++] = (byte) (0xE0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
