package dev.parley.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes compact UTF-8 JSON into a growing byte array. One instance per call. */
final class JsonWriter {

    /**
     * Output buffers kept between calls, so that writing a request allocates its result and
     * nothing else; buffers that grew past {@link #KEEP} bytes are dropped.
     */
    private static final Spares<byte[]> SPARE = new Spares<>();
    private static final int KEEP = 16 * 1024;
    /** Strings at least this long are checked eight bytes at a time (see {@link #copyPlain}). */
    private static final int LONG_STRING = 32;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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

    private JsonWriter(byte[] buf) {
        this.buf = buf;
    }

    /** {@return {@code value} as compact UTF-8 JSON}, written through a kept buffer */
    static byte[] bytes(JsonValue value) {
        byte[] spare = SPARE.take();
        JsonWriter w = new JsonWriter(spare != null ? spare : new byte[1024]);
        try {
            w.write(value);
            return Arrays.copyOf(w.buf, w.len);
        } finally {
            if (w.buf.length <= KEEP) {
                SPARE.give(w.buf);
            }
        }
    }

    int len() {
        return len;
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
            // instanceof tests in order of frequency: cheaper than a pattern switch here.
            if (current instanceof JsonString s) {
                writeString(s.value());
            } else if (current instanceof JsonObject o) {
                if (o.keys.length == 0) {
                    writeAscii("{}");
                } else {
                    if (stack == null || depth == stack.length) {
                        stack = stack == null ? new JsonValue[16] : Arrays.copyOf(stack, depth * 2);
                        next = next == null ? new int[16] : Arrays.copyOf(next, depth * 2);
                    }
                    stack[depth] = o;
                    next[depth++] = 0;
                    put('{');
                }
            } else if (current instanceof JsonArray a) {
                if (a.values.length == 0) {
                    writeAscii("[]");
                } else {
                    if (stack == null || depth == stack.length) {
                        stack = stack == null ? new JsonValue[16] : Arrays.copyOf(stack, depth * 2);
                        next = next == null ? new int[16] : Arrays.copyOf(next, depth * 2);
                    }
                    stack[depth] = a;
                    next[depth++] = 0;
                    put('[');
                }
            } else if (current instanceof JsonNumber n) {
                writeNumber(n);
            } else if (current instanceof JsonBoolean b) {
                writeAscii(b.value() ? "true" : "false");
            } else {
                writeAscii("null");
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
                        writeKey(o.keys[i], i > 0);
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
        if (n.isDecimal()) {
            ensure(n.decimalLength());
            len = n.writeDecimal(buf, len);
            return;
        }
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

    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int): exactly right for ASCII
    private void writeAscii(String s) {
        int n = s.length();
        ensure(n);
        s.getBytes(0, n, buf, len);
        len += n;
    }

    void writeString(String s) {
        int n = s.length();
        ensure(n + 2);
        buf[len] = '"';
        int p = copyPlain(s, n, len + 1);
        buf[p] = '"';
        len = p + 1;
    }

    /** Writes {@code ,"key":}, or {@code "key":} for the first member. */
    private void writeKey(String key, boolean comma) {
        int n = key.length();
        ensure(n + 4);
        byte[] b = buf;
        int p = len;
        if (comma) {
            b[p++] = ',';
        }
        b[p] = '"';
        p = copyPlain(key, n, p + 1);
        buf[p] = '"';
        buf[p + 1] = ':';
        len = p + 2;
    }

    /**
     * Writes the content of {@code s} at {@code p}, where the caller has reserved {@code n}
     * bytes and its closing bytes, and returns where it ends. When the string needs escapes or
     * holds non-ASCII characters, it grows the buffer as needed and leaves 2 bytes free after it.
     */
    @SuppressWarnings("deprecation")
    private int copyPlain(String s, int n, int p) {
        if (n >= LONG_STRING) {
            // A long string: its UTF-8 bytes (an array copy for an ASCII string) are as many as
            // its chars only if it is all ASCII; then check them eight at a time for the bytes
            // that need escapes, and copy. Anything else takes the path below.
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            if (utf8.length == n) {
                int plain = plainPrefix(utf8, s);
                System.arraycopy(utf8, 0, buf, p, plain);
                return finish(s, n, p, plain);
            }
        }
        // Fast path: copy the low byte of every char at once (an array copy when the string
        // is Latin-1), then check that every char is ASCII that needs no escape.
        s.getBytes(0, n, buf, p);
        int i = 0;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || ESCAPE[c] != 0) {
                break;
            }
        }
        return finish(s, n, p, i);
    }

    /**
     * {@return where {@code s}, written from {@code p}, ends}, its first {@code plain} chars being
     * there already as ASCII: the rest, if any, through the slow path (which leaves 2 bytes free)
     */
    private int finish(String s, int n, int p, int plain) {
        if (plain == n) {
            return p + n;
        }
        len = p + plain;
        writeStringSlow(s, plain);
        ensure(2);
        return len;
    }

    /**
     * {@return how many chars at the start of {@code s} can be copied from {@code ascii}, its
     * UTF-8 bytes, which are as many as its chars}: up to the first {@code '"'}, {@code '\\'} or
     * control character, or the first {@code '?'} that stands for an unpaired surrogate (the
     * only char the encoder turns into a single byte without being ASCII), which the caller's
     * slow path rejects
     */
    private static int plainPrefix(byte[] ascii, String s) {
        int n = ascii.length;
        int i = 0;
        while (i + 8 <= n) {
            long x = (long) LONGS.get(ascii, i);
            // The high bit of a byte of m is set where x's byte is < 0x20, '"', '\\' or '?'
            // (all bytes are below 0x80); a borrow only spoils the bytes after the first flagged one.
            long m = ((x - 0x2020202020202020L)
                    | ((x ^ 0x2222222222222222L) - 0x0101010101010101L)
                    | ((x ^ 0x5C5C5C5C5C5C5C5CL) - 0x0101010101010101L)
                    | ((x ^ 0x3F3F3F3F3F3F3F3FL) - 0x0101010101010101L)) & 0x8080808080808080L;
            if (m == 0) {
                i += 8;
                continue;
            }
            int j = i + (Long.numberOfTrailingZeros(m) >>> 3);
            if (ascii[j] != '?' || s.charAt(j) != '?') {
                return j;
            }
            i = j + 1; // a real question mark
        }
        while (i < n) {
            byte c = ascii[i];
            if (ESCAPE[c] != 0 || (c == '?' && s.charAt(i) != '?')) {
                break;
            }
            i++;
        }
        return i;
    }

    /** Writes {@code s} from index {@code i} on, escaping and encoding as needed. */
    private void writeStringSlow(String s, int i) {
        int n = s.length();
        while (i < n) {
            // Reserve the worst case (6 bytes a char, the longest escape) for a chunk, then write it
            // without further checks. A surrogate pair takes 2 chars and 4 bytes, so reading
            // one char past the chunk still fits.
            int chunkEnd = Math.min(n, i + 1024);
            ensure((chunkEnd - i) * 6);
            byte[] b = buf;
            int p = len;
            for (; i < chunkEnd; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    byte e = ESCAPE[c];
                    if (e == 0) {
                        b[p++] = (byte) c;
                    } else if (e == 'u') {
                        b[p] = '\\';
                        b[p + 1] = 'u';
                        b[p + 2] = '0';
                        b[p + 3] = '0';
                        b[p + 4] = HEX[c >> 4];
                        b[p + 5] = HEX[c & 0xF];
                        p += 6;
                    } else {
                        b[p] = '\\';
                        b[p + 1] = e;
                        p += 2;
                    }
                } else if (c < 0x800) {
                    b[p] = (byte) (0xC0 | (c >> 6));
                    b[p + 1] = (byte) (0x80 | (c & 0x3F));
                    p += 2;
                } else if (Character.isSurrogate(c)) {
                    if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                        len = p;
                        throw new IllegalArgumentException(String.format(
                                "cannot write a string with an unpaired surrogate U+%04X at index %d", (int) c, i));
                    }
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[p] = (byte) (0xF0 | (cp >> 18));
                    b[p + 1] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[p + 2] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[p + 3] = (byte) (0x80 | (cp & 0x3F));
                    p += 4;
                } else {
                    b[p] = (byte) (0xE0 | (c >> 12));
                    b[p + 1] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[p + 2] = (byte) (0x80 | (c & 0x3F));
                    p += 3;
                }
            }
            len = p;
        }
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
