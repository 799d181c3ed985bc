package dev.parley.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import dev.parley.json.JsonException;
import dev.parley.json.JsonParser;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * A pull reader over the UTF-8 bytes of one JSON document, for the hot paths that need a few
 * fields of a known shape (a stream event, an embeddings body) without a tree of the whole
 * document. It reads the common, well-formed shape only, and checks every byte it passes over:
 * whenever it meets anything else (malformed text, an escape in a key, a value of a type the
 * caller did not ask for, deep nesting, very many members) it throws {@link Bail}, and the caller
 * parses the document the ordinary way ({@link dev.parley.json.Json}), which then gives the same
 * values, or the same error, as it always did. A value the caller wants as a tree
 * ({@link #value()}) and a string with escapes or non-ASCII text are handed to the ordinary
 * parser, so they are read exactly as it reads them.
 *
 * <p>Usage: {@code beginObject()}, then {@code if (!closed('}')) do { key(); ... } while (next('}'));},
 * then {@code end()}. One instance per thread; {@link #reset} starts another document.
 */
public final class JsonCursor {

    /** Thrown when the document is not of the shape this reader handles; carries no stack trace. */
    public static final class Bail extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private Bail() {
            super("not a document this reader handles", null, false, false);
        }
    }

    private static final Bail BAIL = new Bail();
    /** Deeper nesting is left to the ordinary parser (whose limit is far higher). */
    private static final int MAX_DEPTH = 64;
    /** More object members than this in one document are left to the ordinary parser, and its member limit. */
    private static final int MAX_MEMBERS = 10_000;

    private byte[] b;
    private int pos;
    private int end;
    private int members;
    private int keyFrom;
    private int keyTo;
    private int stringFrom;
    private int stringTo;

    /**
     * Gives up on the document.
     *
     * @param <T> whatever the caller's expression needs
     * @return never
     * @throws Bail always
     */
    public static <T> T bail() {
        throw BAIL;
    }

    /** Makes a reader with no document; call {@link #reset} first. */
    public JsonCursor() {
    }

    /**
     * Starts reading another document.
     *
     * @param utf8 the document; not copied
     * @return this reader
     */
    public JsonCursor reset(byte[] utf8) {
        if (utf8.length > JsonParser.DEFAULT_MAX_INPUT_SIZE) {
            throw BAIL;
        }
        b = utf8;
        pos = 0;
        end = utf8.length;
        members = 0;
        return this;
    }

    /** {@return the document being read} */
    public byte[] bytes() {
        return b;
    }

    private byte at() {
        if (pos >= end) {
            throw BAIL;
        }
        return b[pos];
    }

    private void ws() {
        int p = pos;
        while (p < end) {
            byte c = b[p];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                p++;
            } else {
                break;
            }
        }
        pos = p;
    }

    private void expect(char c) {
        ws();
        if (at() != c) {
            throw BAIL;
        }
        pos++;
    }

    /** Reads the {@code {} that opens an object. */
    public void beginObject() {
        expect('{');
    }

    /** Reads the {@code [} that opens an array. */
    public void beginArray() {
        expect('[');
    }

    /**
     * {@return whether the container just opened is empty}, reading its closing byte if so
     *
     * @param close {@code '}'} or {@code ']'}
     */
    public boolean closed(char close) {
        ws();
        if (at() == close) {
            pos++;
            return true;
        }
        return false;
    }

    /**
     * {@return whether another member or element follows}: reads a comma, or the closing byte
     *
     * @param close {@code '}'} or {@code ']'}
     */
    public boolean next(char close) {
        ws();
        byte c = at();
        pos++;
        if (c == ',') {
            return true;
        }
        if (c == close) {
            return false;
        }
        throw BAIL;
    }

    /** Checks that nothing but whitespace follows the document. */
    public void end() {
        ws();
        if (pos != end) {
            throw BAIL;
        }
    }

    /** Reads a member's key and the colon after it; the key must be plain ASCII. */
    public void key() {
        ws();
        if (at() != '"' || ++members > MAX_MEMBERS) {
            throw BAIL;
        }
        int from = pos + 1;
        int p = plain(from);
        if (p >= end || b[p] != '"') {
            throw BAIL;
        }
        keyFrom = from;
        keyTo = p;
        pos = p + 1;
        expect(':');
    }

    /**
     * {@return whether the key just read is {@code name}}
     *
     * @param name an ASCII name
     */
    public boolean keyIs(String name) {
        return same(keyFrom, keyTo, name);
    }

    private boolean same(int from, int to, String s) {
        int n = to - from;
        if (n != s.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[from + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * {@return the first position from {@code p} on that is not printable ASCII other than '"'
     * and '\\', or {@code end}} Eight bytes at a time while eight remain, as the parser does.
     */
    private int plain(int p) {
        byte[] a = b;
        int e = end;
        while (p + 8 <= e) {
            long x = (long) LONGS.get(a, p);
            // The high bit of a byte of m is set where x's byte is < 0x20, is '"' or '\\', or
            // is >= 0x80. A borrow can only come out of such a byte, and only spoils the bytes
            // after it, so the lowest flagged byte is the first byte that is not plain.
            long m = ((x - 0x2020202020202020L)
                    | ((x ^ 0x2222222222222222L) - 0x0101010101010101L)
                    | ((x ^ 0x5C5C5C5C5C5C5C5CL) - 0x0101010101010101L)
                    | x) & 0x8080808080808080L;
            if (m != 0) {
                return p + (Long.numberOfTrailingZeros(m) >>> 3);
            }
            p += 8;
        }
        while (p < e) {
            byte c = a[p];
            if (c < 0x20 || c == '"' || c == '\\') { // bytes >= 0x80 are negative
                break;
            }
            p++;
        }
        return p;
    }

    /** {@return whether the next value is {@code null}}, reading it if so */
    public boolean isNull() {
        ws();
        if (pos + 4 <= end && b[pos] == 'n' && b[pos + 1] == 'u' && b[pos + 2] == 'l' && b[pos + 3] == 'l') {
            pos += 4;
            return true;
        }
        return false;
    }

    /** {@return the first byte of the next value, not read} */
    public char peek() {
        ws();
        return (char) (at() & 0xFF);
    }

    /** {@return the next value, a string or null} */
    public String string() {
        return string(null);
    }

    /**
     * {@return the next value, a string or null}; {@code previous} itself when the string is
     * plain ASCII equal to it, so a value repeated in every event is not made again each time
     *
     * @param previous the value this member had last time, or null
     */
    public String string(String previous) {
        if (isNull()) {
            return null;
        }
        if (at() != '"') {
            throw BAIL;
        }
        int from = pos + 1;
        int p = plain(from);
        if (p < end && b[p] == '"') {
            pos = p + 1;
            if (previous != null && same(from, p, previous)) {
                return previous;
            }
            return p == from ? "" : new String(b, from, p - from, StandardCharsets.ISO_8859_1);
        }
        return slowString(p);
    }

    /**
     * Reads the next value, a string of plain ASCII (no escapes), and notes where its text is:
     * {@link #stringFrom()} to {@link #stringTo()}.
     */
    public void plainString() {
        ws();
        if (at() != '"') {
            throw BAIL;
        }
        int from = pos + 1;
        int p = plain(from);
        if (p >= end || b[p] != '"') {
            throw BAIL;
        }
        stringFrom = from;
        stringTo = p;
        pos = p + 1;
    }

    /** {@return where the text of the string read by {@link #plainString()} starts} */
    public int stringFrom() {
        return stringFrom;
    }

    /** {@return where the text of the string read by {@link #plainString()} ends} */
    public int stringTo() {
        return stringTo;
    }

    /**
     * {@return whether the next value is the plain string {@code s}}; reads it, whatever it is
     *
     * @param s an ASCII string
     */
    public boolean stringIs(String s) {
        ws();
        if (at() != '"') {
            skip();
            return false;
        }
        int from = pos + 1;
        int p = plain(from);
        if (p < end && b[p] == '"') {
            pos = p + 1;
            return same(from, p, s);
        }
        throw BAIL; // escapes could spell s
    }

    /**
     * {@return a string with escapes or non-ASCII text}, decoded by the parser, from its opening
     * quote at {@code pos}; {@code p} is the first byte past its plain start
     */
    private String slowString(int p) {
        int from = pos;
        while (true) {
            if (p >= end) {
                throw BAIL;
            }
            byte c = b[p];
            if (c == '"') {
                break;
            }
            p += c == '\\' ? 2 : 1;
        }
        pos = p + 1;
        try {
            return ((JsonString) JsonParser.defaults().parse(b, from, pos - from)).value();
        } catch (JsonException e) {
            throw BAIL;
        }
    }

    /**
     * {@return the next value, an integer of at most nine digits, or {@code absent} when it is null}
     *
     * @param absent the value for null
     */
    public int intOr(int absent) {
        if (isNull()) {
            return absent;
        }
        int p = pos;
        boolean negative = at() == '-';
        if (negative) {
            p++;
        }
        int from = p;
        int v = 0;
        while (p < end && b[p] >= '0' && b[p] <= '9') {
            v = v * 10 + (b[p] - '0');
            p++;
        }
        int n = p - from;
        if (n == 0 || n > 9 || (n > 1 && b[from] == '0')
                || (p < end && (b[p] == '.' || b[p] == 'e' || b[p] == 'E'))) {
            throw BAIL;
        }
        pos = p;
        return negative ? -v : v;
    }

    /**
     * {@return the next value, a JSON number, as the float nearest to it}: bit for bit what
     * {@link Float#parseFloat} gives for its text, without making that text a {@code String}
     * unless the number is unusual (more than 16 significant digits, an exponent beyond ±22, or
     * one of the rare decimals whose nearest double lies exactly halfway between two floats)
     */
    public float floatValue() {
        ws();
        int from = pos;
        number();
        return parseFloat(b, from, pos);
    }

    /** {@return the next value, an array of numbers, as floats}; see {@link #floatValue()} */
    public float[] floats() {
        beginArray();
        if (closed(']')) {
            return new float[0];
        }
        float[] v = floatScratch;
        int n = 0;
        do {
            if (n == v.length) {
                v = floatScratch = java.util.Arrays.copyOf(v, n * 2);
            }
            v[n++] = floatValue();
        } while (next(']'));
        return java.util.Arrays.copyOf(v, n);
    }

    /** Where {@link #floats()} collects an array before copying it out; grows to the longest array read. */
    private float[] floatScratch = new float[256];

    /** Exact powers of ten as doubles: 10^0 to 10^22 (10^23 is not a double). */
    private static final double[] POWERS = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POWERS.length; i++) {
            POWERS[i] = p;
            p *= 10;
        }
    }

    /**
     * {@return the float nearest to the JSON number {@code b[from, to)}}, as {@link Float#parseFloat}
     * rounds it. When the digits fit in a double exactly (at most 2^53) and the power of ten is one
     * of {@link #POWERS}, one multiplication or division gives the double nearest to the number;
     * rounding that double to a float gives the float nearest to the number unless the double is
     * exactly halfway between two floats (every float and every such midpoint is a double, so no
     * other midpoint can lie between the number and its nearest double). That case, and every
     * other, goes to {@link Float#parseFloat}.
     */
    static float parseFloat(byte[] b, int from, int to) {
        int p = from;
        boolean negative = b[p] == '-';
        if (negative) {
            p++;
        }
        long m = 0;
        int e10 = 0;
        boolean fraction = false;
        boolean exact = true;
        for (; p < to; p++) {
            byte c = b[p];
            if (c >= '0' && c <= '9') {
                m = m * 10 + (c - '0');
                if (m > 1L << 53) {
                    exact = false;
                    break;
                }
                if (fraction) {
                    e10--;
                }
            } else if (c == '.') {
                fraction = true;
            } else {
                break; // 'e' or 'E'
            }
        }
        if (exact && p < to) {
            int q = p + 1;
            boolean negativeExponent = b[q] == '-';
            if (b[q] == '-' || b[q] == '+') {
                q++;
            }
            if (to - q > 3) {
                exact = false;
            } else {
                int x = 0;
                for (; q < to; q++) {
                    x = x * 10 + (b[q] - '0');
                }
                e10 += negativeExponent ? -x : x;
            }
        }
        if (exact) {
            if (m == 0) {
                return negative ? -0.0f : 0.0f;
            }
            if (e10 >= -22 && e10 <= 22) {
                double d = e10 < 0 ? m / POWERS[-e10] : m * POWERS[e10];
                // 29 = 52 - 23, the double's fraction bits below a float's: halfway is a 1 and 28 zeros.
                if ((Double.doubleToRawLongBits(d) & 0x1FFF_FFFFL) != 0x1000_0000L) {
                    float f = (float) d;
                    return negative ? -f : f;
                }
            }
        }
        return Float.parseFloat(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
    }

    /** {@return the next value as a tree}, read by the ordinary parser */
    public JsonValue value() {
        ws();
        int from = pos;
        skip();
        try {
            return JsonParser.defaults().parse(b, from, pos - from);
        } catch (JsonException e) {
            throw BAIL;
        }
    }

    /** Reads past the next value, checking it. */
    public void skip() {
        skip(0);
    }

    private void skip(int depth) {
        ws();
        byte c = at();
        switch (c) {
            case '{' -> {
                pos++;
                if (depth >= MAX_DEPTH) {
                    throw BAIL;
                }
                if (!closed('}')) {
                    do {
                        key();
                        skip(depth + 1);
                    } while (next('}'));
                }
            }
            case '[' -> {
                pos++;
                if (depth >= MAX_DEPTH) {
                    throw BAIL;
                }
                if (!closed(']')) {
                    do {
                        skip(depth + 1);
                    } while (next(']'));
                }
            }
            case '"' -> {
                int p = plain(pos + 1);
                if (p < end && b[p] == '"') {
                    pos = p + 1;
                } else {
                    slowString(p);
                }
            }
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    private void literal(String word) {
        if (!same(pos, Math.min(pos + word.length(), end), word)) {
            throw BAIL;
        }
        pos += word.length();
    }

    private void number() {
        int p = pos;
        if (p < end && b[p] == '-') {
            p++;
        }
        if (p < end && b[p] == '0') {
            p++;
        } else {
            int q = p;
            p = digits(p);
            if (p == q) {
                throw BAIL;
            }
        }
        if (p < end && b[p] == '.') {
            int q = ++p;
            p = digits(p);
            if (p == q) {
                throw BAIL;
            }
        }
        if (p < end && (b[p] == 'e' || b[p] == 'E')) {
            p++;
            if (p < end && (b[p] == '+' || b[p] == '-')) {
                p++;
            }
            int q = p;
            p = digits(p);
            if (p == q) {
                throw BAIL;
            }
        }
        pos = p;
    }

    private int digits(int p) {
        while (p < end && b[p] >= '0' && b[p] <= '9') {
            p++;
        }
        return p;
    }
}
