package dev.parley.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;

/**
 * One run of the parser over UTF-8 bytes. Iterative: open objects and arrays live on an explicit
 * stack of frames, so nesting depth costs heap, bounded by {@code maxDepth}, and never Java stack.
 */
final class ByteParser {

    /** Bytes that can be copied straight into a string: printable ASCII except '"' and '\\'. */
    private static final boolean[] PLAIN = new boolean[256];

    static {
        for (int b = 0x20; b < 0x80; b++) {
            PLAIN[b] = b != '"' && b != '\\';
        }
    }

    private static final int MAP_THRESHOLD = 16;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Parsers kept for reuse between documents: for a small document (a stream chunk) the
     * parser's own arrays were as many bytes as the result.
     */
    private static final Spares<ByteParser> SPARE = new Spares<>();
    /** Parsers whose arrays grew past these sizes are not kept. */
    private static final int KEEP_DEPTH = 64;
    private static final int KEEP_MEMBERS = 1024;
    private static final int KEEP_CHARS = 4096;

    private byte[] buf;
    private int start;
    private int end;
    private int maxDepth;
    private int maxMembers;
    private boolean rejectDuplicates;
    private int pos;

    // The open objects and arrays, one frame each, innermost last: where its members start
    // in the member stack, and flags.
    private static final int OBJECT = 1;
    private static final int HAS_DUPLICATES = 2;
    private int depth;
    private int[] frameStart = new int[8];
    private int[] frameFlags = new int[8];
    /** For objects with many members, per frame: key to index in the member stack; lazily. */
    private HashMap<String, Integer>[] frameIndex;

    // The member stack: the members of all open containers, each container's above its
    // parent's. An object's key takes its slot when read, and its value fills it later.
    private String[] keys = new String[16];
    private JsonValue[] values = new JsonValue[16];
    private int top;

    /** Scratch space for strings with escapes or non-ASCII text. */
    private char[] chars;

    private ByteParser() {
    }

    /**
     * {@return the value of the JSON document in {@code buf[start, end)}}
     *
     * @throws JsonParseException if it is not acceptable JSON
     */
    static JsonValue parse(byte[] buf, int start, int end, int maxDepth, int maxMembers, boolean rejectDuplicates) {
        ByteParser p = SPARE.take();
        if (p == null) {
            p = new ByteParser();
        }
        p.buf = buf;
        p.start = start;
        p.end = end;
        p.maxDepth = maxDepth;
        p.maxMembers = maxMembers;
        p.rejectDuplicates = rejectDuplicates;
        p.pos = start;
        p.depth = 0;
        p.top = 0;
        try {
            return p.parseDocument();
        } finally {
            p.release();
        }
    }

    /**
     * Drops what this parse referred to and keeps the parser for the next parse, unless its arrays
     * grew large. Every member slot below the highest one used holds a key or a value (a key is
     * stored when read, an array element when parsed), so clearing stops at the first empty one.
     */
    private void release() {
        if (frameStart.length > KEEP_DEPTH || keys.length > KEEP_MEMBERS || values.length != keys.length
                || frameFlags.length != frameStart.length || (chars != null && chars.length > KEEP_CHARS)) {
            return; // grown, or left half-grown by an OutOfMemoryError
        }
        buf = null;
        frameIndex = null;
        String[] ks = keys;
        JsonValue[] vs = values;
        for (int i = 0; i < ks.length && (ks[i] != null || vs[i] != null); i++) {
            ks[i] = null;
            vs[i] = null;
        }
        SPARE.give(this);
    }

    /**
     * {@return whether the parser kept for the current thread, if any, still refers to a
     * document or to anything parsed from one}; for tests
     */
    static boolean spareRetainsAnything() {
        ByteParser p = SPARE.peek();
        if (p == null) {
            return false;
        }
        return p.buf != null || p.frameIndex != null
                || Arrays.stream(p.keys).anyMatch(k -> k != null)
                || Arrays.stream(p.values).anyMatch(v -> v != null);
    }

    /** {@return whether a parser is kept for the current thread}; for tests */
    static boolean spareKept() {
        return SPARE.peek() != null;
    }

    private JsonValue parseDocument() {
        if (end - start >= 3 && buf[start] == (byte) 0xEF && buf[start + 1] == (byte) 0xBB && buf[start + 2] == (byte) 0xBF) {
            pos += 3;
        }
        JsonValue result = parseValue();
        skipWhitespace();
        if (pos < end) {
            throw fail(pos, "unexpected " + describe(pos) + " after the JSON value");
        }
        return result;
    }

    private JsonValue parseValue() {
        JsonValue value;
        next:
        while (true) {
            skipWhitespace();
            if (pos >= end) {
                throw fail(pos, depth == 0 && pos == start ? "empty input" : "unexpected end of input, expected a value");
            }
            byte b = buf[pos];
            switch (b) {
                case '{' -> {
                    push(true);
                    pos++;
                    skipWhitespace();
                    if (pos < end && buf[pos] == '}') {
                        pos++;
                        depth--;
                        value = JsonObject.empty();
                    } else {
                        readKey();
                        continue next;
                    }
                }
                case '[' -> {
                    push(false);
                    pos++;
                    skipWhitespace();
                    if (pos < end && buf[pos] == ']') {
                        pos++;
                        depth--;
                        value = JsonArray.empty();
                    } else {
                        continue next;
                    }
                }
                case '"' -> value = JsonString.of(readString());
                case 't' -> value = literal("true", JsonBoolean.TRUE);
                case 'f' -> value = literal("false", JsonBoolean.FALSE);
                case 'n' -> value = literal("null", JsonNull.INSTANCE);
                default -> {
                    if (b == '-' || (b >= '0' && b <= '9')) {
                        value = readNumber();
                    } else {
                        throw fail(pos, "unexpected " + describe(pos) + ", expected a value");
                    }
                }
            }
            // Attach the finished value to the open containers, closing those that end here.
            while (true) {
                if (depth == 0) {
                    return value;
                }
                int d = depth - 1;
                add(d, value);
                skipWhitespace();
                if (pos >= end) {
                    throw fail(pos, "unexpected end of input, expected ',' or '" + ((frameFlags[d] & OBJECT) != 0 ? '}' : ']') + "'");
                }
                byte c = buf[pos++];
                if (c == ',') {
                    if ((frameFlags[d] & OBJECT) != 0) {
                        skipWhitespace();
                        readKey();
                    }
                    continue next;
                }
                if ((frameFlags[d] & OBJECT) != 0 ? c == '}' : c == ']') {
                    value = pop();
                    continue;
                }
                throw fail(pos - 1, "unexpected " + describe(pos - 1) + ", expected ',' or '"
                        + ((frameFlags[d] & OBJECT) != 0 ? '}' : ']') + "'");
            }
        }
    }

    private void push(boolean isObject) {
        if (depth >= maxDepth) {
            throw fail(pos, "nesting deeper than the limit of " + maxDepth);
        }
        if (depth == frameStart.length) {
            frameStart = Arrays.copyOf(frameStart, depth * 2);
            frameFlags = Arrays.copyOf(frameFlags, depth * 2);
            if (frameIndex != null) {
                frameIndex = Arrays.copyOf(frameIndex, depth * 2);
            }
        }
        frameStart[depth] = top;
        frameFlags[depth] = isObject ? OBJECT : 0;
        depth++;
    }

    /** Makes room for one more member. */
    private void growMembers() {
        int n = keys.length * 2;
        keys = Arrays.copyOf(keys, n);
        values = Arrays.copyOf(values, n);
    }

    /** Reads {@code "key" :} into the innermost frame, which is an object, reserving the member's slot. */
    private void readKey() {
        int d = depth - 1;
        if (pos >= end || buf[pos] != '"') {
            throw fail(pos, pos >= end ? "unexpected end of input, expected a key"
                    : "unexpected " + describe(pos) + ", expected a key in double quotes");
        }
        int keyAt = pos;
        int from = frameStart[d];
        int n = top - from;
        if (n >= maxMembers) {
            throw fail(keyAt, "object has more members than the limit of " + maxMembers);
        }
        String key = readKeyString();
        boolean duplicate = false;
        HashMap<String, Integer> index = frameIndex == null ? null : frameIndex[d];
        if (index != null) {
            duplicate = index.putIfAbsent(key, top) != null;
        } else {
            String[] ks = keys;
            for (int i = from; i < top; i++) {
                if (ks[i].equals(key)) {
                    duplicate = true;
                    break;
                }
            }
            if (n + 1 >= MAP_THRESHOLD) {
                index = new HashMap<>(MAP_THRESHOLD * 4);
                for (int i = from; i <= top; i++) {
                    index.putIfAbsent(i == top ? key : ks[i], i);
                }
                if (frameIndex == null) {
                    @SuppressWarnings("unchecked")
                    HashMap<String, Integer>[] fresh = new HashMap[frameStart.length];
                    frameIndex = fresh;
                }
                frameIndex[d] = index;
            }
        }
        if (duplicate) {
            if (rejectDuplicates) {
                throw fail(keyAt, "duplicate key " + JsonString.of(key));
            }
            frameFlags[d] |= HAS_DUPLICATES;
        }
        if (top == keys.length) {
            growMembers();
        }
        keys[top++] = key;
        skipWhitespace();
        if (pos >= end || buf[pos] != ':') {
            throw fail(pos, pos >= end ? "unexpected end of input, expected ':'"
                    : "unexpected " + describe(pos) + ", expected ':'");
        }
        pos++;
    }

    private void add(int d, JsonValue value) {
        if ((frameFlags[d] & OBJECT) != 0) {
            values[top - 1] = value; // the slot its key reserved
            return;
        }
        if (top == values.length) {
            growMembers();
        }
        values[top++] = value;
    }

    private JsonValue pop() {
        int d = --depth;
        int from = frameStart[d];
        int to = top;
        top = from;
        // The member stack is cleared when the parser is released (see release).
        int flags = frameFlags[d];
        if ((flags & OBJECT) == 0) {
            return new JsonArray(Arrays.copyOfRange(values, from, to), true);
        }
        if (frameIndex != null) {
            frameIndex[d] = null;
        }
        if ((flags & HAS_DUPLICATES) != 0) {
            return withoutDuplicates(from, to);
        }
        return new JsonObject(Arrays.copyOfRange(keys, from, to), Arrays.copyOfRange(values, from, to), true);
    }

    /** {@return the object of members {@code [from, to)}, a repeated key's last value at its first position} */
    private JsonObject withoutDuplicates(int from, int to) {
        HashMap<String, Integer> at = new HashMap<>();
        String[] ks = new String[to - from];
        JsonValue[] vs = new JsonValue[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            Integer first = at.putIfAbsent(keys[i], n);
            if (first == null) {
                ks[n] = keys[i];
                vs[n++] = values[i];
            } else {
                vs[first] = values[i];
            }
        }
        return new JsonObject(Arrays.copyOf(ks, n), Arrays.copyOf(vs, n), true);
    }

    private void skipWhitespace() {
        int p = pos;
        byte[] b = buf;
        if (p < end && b[p] > ' ') {
            return; // the usual case: no whitespace
        }
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

    private JsonValue literal(String word, JsonValue value) {
        int n = word.length();
        for (int i = 0; i < n; i++) {
            if (pos + i >= end || buf[pos + i] != word.charAt(i)) {
                throw fail(pos, "unexpected " + describe(pos) + ", expected a value");
            }
        }
        pos += n;
        return value;
    }

    private JsonNumber readNumber() {
        int from = pos;
        int p = pos;
        boolean negative = buf[p] == '-';
        if (negative) {
            p++;
        }
        if (p >= end || buf[p] < '0' || buf[p] > '9') {
            throw fail(p, p >= end ? "unexpected end of input in a number" : "expected a digit after '-'");
        }
        long value = 0;
        int digits = 0;
        if (buf[p] == '0') {
            p++;
            digits = 1;
            if (p < end && buf[p] >= '0' && buf[p] <= '9') {
                throw fail(p - 1, "a number may not start with 0 followed by a digit");
            }
        } else {
            while (p < end && buf[p] >= '0' && buf[p] <= '9') {
                value = value * 10 + (buf[p] - '0');
                digits++;
                p++;
            }
        }
        boolean plainInteger = true;
        int scale = 0;
        if (p < end && buf[p] == '.') {
            plainInteger = false;
            p++;
            int fractionFrom = p;
            // Go on accumulating, for the compact form of decimals of up to 18 digits. (Past
            // 18 digits the value overflows, and is not used.)
            while (p < end && buf[p] >= '0' && buf[p] <= '9') {
                value = value * 10 + (buf[p] - '0');
                p++;
            }
            scale = p - fractionFrom;
            if (scale == 0) {
                throw fail(p, "expected a digit after the decimal point");
            }
        }
        boolean exponent = false;
        if (p < end && (buf[p] == 'e' || buf[p] == 'E')) {
            exponent = true;
            p++;
            if (p < end && (buf[p] == '+' || buf[p] == '-')) {
                p++;
            }
            int exponentFrom = p;
            while (p < end && buf[p] >= '0' && buf[p] <= '9') {
                p++;
            }
            if (p == exponentFrom) {
                throw fail(p, "expected a digit in the exponent");
            }
        }
        pos = p;
        // digits + scale <= 18: the digits read fit in a long (value may have overflowed beyond).
        if (!exponent && digits + scale <= 18) {
            if (plainInteger) {
                if (value != 0 || !negative) { // "-0" keeps its text
                    return JsonNumber.of(negative ? -value : value);
                }
            } else if (value != 0) { // "0.0" and "-0.0" keep their text
                return new JsonNumber(negative ? -value : value, scale);
            }
        }
        return new JsonNumber(new String(buf, from, p - from, StandardCharsets.ISO_8859_1));
    }

    /**
     * {@return the first position from {@code p} on whose byte is not plain (see {@link #PLAIN}),
     * or {@code end}} Eight bytes at a time while eight remain.
     */
    private int skipPlain(int p) {
        byte[] b = buf;
        int e = end;
        while (p + 8 <= e) {
            long x = (long) LONGS.get(b, p);
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
        while (p < e && PLAIN[b[p] & 0xFF]) {
            p++;
        }
        return p;
    }

    /** Reads a string whose opening quote is at {@code pos}, leaving {@code pos} after its closing quote. */
    private String readString() {
        int from = pos + 1;
        int p = skipPlain(from);
        if (p < end && buf[p] == '"') {
            pos = p + 1;
            return p == from ? "" : new String(buf, from, p - from, StandardCharsets.ISO_8859_1);
        }
        return readStringSlow(from, p);
    }

    /** Like {@link #readString()}, for a key: plain ones come from the {@link KeyCache}. */
    private String readKeyString() {
        int from = pos + 1;
        int p = skipPlain(from);
        if (p < end && buf[p] == '"') {
            pos = p + 1;
            return p == from ? "" : KeyCache.key(buf, from, p - from);
        }
        return readStringSlow(from, p);
    }

    /**
     * Decodes a string with escapes or non-ASCII text; {@code p} is the first byte that is not
     * plain. Runs of plain bytes are found eight at a time and widened in bulk.
     */
    private String readStringSlow(int from, int p) {
        char[] out = chars;
        int needed = Math.max(p - from + 64, 128);
        if (out == null || out.length < needed) {
            out = new char[Math.max(needed, out == null ? 0 : out.length * 2)];
        }
        int n = widen(from, p, out, 0);
        while (true) {
            if (p >= end) {
                throw fail(p, "unexpected end of input in a string");
            }
            if (n + 2 > out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            int c = buf[p] & 0xFF;
            if (c == '"') {
                pos = p + 1;
                chars = out;
                return new String(out, 0, n);
            }
            if (c == '\\') {
                p = readEscape(p, out, n);
                n += escapeLength;
                continue;
            }
            if (c < 0x20) {
                throw fail(p, String.format("control character U+%04X must be escaped in a string", c));
            }
            if (c < 0x80) {
                int q = skipPlain(p);
                if (n + (q - p) + 2 > out.length) {
                    out = Arrays.copyOf(out, Math.max(out.length * 2, n + (q - p) + 2));
                }
                n = widen(p, q, out, n);
                p = q;
                continue;
            }
            int cp;
            int len;
            int min;
            if (c >= 0xC2 && c <= 0xDF) {
                cp = c & 0x1F;
                len = 2;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                cp = c & 0x0F;
                len = 3;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                cp = c & 0x07;
                len = 4;
                min = 0x10000;
            } else {
                throw fail(p, String.format("invalid UTF-8 byte 0x%02X", c));
            }
            if (p + len > end) {
                throw fail(p, "truncated UTF-8 sequence");
            }
            for (int k = 1; k < len; k++) {
                int cc = buf[p + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) {
                    throw fail(p, "invalid UTF-8 sequence");
                }
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (cp < min) {
                throw fail(p, "overlong UTF-8 sequence");
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                throw fail(p, "UTF-8 encoded surrogate");
            }
            if (cp > 0x10FFFF) {
                throw fail(p, "UTF-8 sequence beyond U+10FFFF");
            }
            if (cp >= 0x10000) {
                out[n++] = Character.highSurrogate(cp);
                out[n++] = Character.lowSurrogate(cp);
            } else {
                out[n++] = (char) cp;
            }
            p += len;
        }
    }

    /** Copies the ASCII bytes {@code buf[from, to)} to {@code out[n..]}, which has room; {@return the new n} */
    private int widen(int from, int to, char[] out, int n) {
        byte[] b = buf;
        for (int i = from; i < to; i++) {
            out[n++] = (char) b[i];
        }
        return n;
    }

    private int escapeLength;

    /** Decodes the escape at {@code p} into {@code out[n..]}, sets {@link #escapeLength}, returns the next position. */
    private int readEscape(int p, char[] out, int n) {
        if (p + 1 >= end) {
            throw fail(p, "unexpected end of input in an escape");
        }
        escapeLength = 1;
        switch (buf[p + 1]) {
            case '"' -> out[n] = '"';
            case '\\' -> out[n] = '\\';
            case '/' -> out[n] = '/';
            case 'b' -> out[n] = '\b';
            case 'f' -> out[n] = '\f';
            case 'n' -> out[n] = '\n';
            case 'r' -> out[n] = '\r';
            case 't' -> out[n] = '\t';
            case 'u' -> {
                char c = hex4(p);
                if (Character.isHighSurrogate(c)) {
                    if (p + 12 > end || buf[p + 6] != '\\' || buf[p + 7] != 'u') {
                        throw fail(p, String.format("unpaired surrogate \\u%04X", (int) c));
                    }
                    char low = hex4(p + 6);
                    if (!Character.isLowSurrogate(low)) {
                        throw fail(p, String.format("unpaired surrogate \\u%04X", (int) c));
                    }
                    out[n] = c;
                    out[n + 1] = low;
                    escapeLength = 2;
                    return p + 12;
                }
                if (Character.isLowSurrogate(c)) {
                    throw fail(p, String.format("unpaired surrogate \\u%04X", (int) c));
                }
                out[n] = c;
                return p + 6;
            }
            default -> throw fail(p, "invalid escape " + describe(p + 1));
        }
        return p + 2;
    }

    private char hex4(int p) {
        if (p + 6 > end) {
            throw fail(p, "unexpected end of input in a \\u escape");
        }
        int v = 0;
        for (int i = p + 2; i < p + 6; i++) {
            int c = buf[i];
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                throw fail(p, "invalid \\u escape: expected 4 hex digits");
            }
            v = (v << 4) | d;
        }
        return (char) v;
    }

    private String describe(int p) {
        if (p >= end) {
            return "end of input";
        }
        int c = buf[p] & 0xFF;
        if (c >= 0x21 && c < 0x7F) {
            return "'" + (char) c + "'";
        }
        return String.format("byte 0x%02X", c);
    }

    private JsonParseException fail(int at, String reason) {
        return error(buf, start, at, reason);
    }

    /** Builds an exception for a problem at {@code at}, counting offset, line and column from {@code from}. */
    static JsonParseException error(byte[] buf, int from, int at, String reason) {
        long line = 1;
        long column = 1;
        int limit = Math.min(at, buf.length);
        for (int i = from; i < limit; i++) {
            int c = buf[i] & 0xFF;
            if (c == '\n') {
                line++;
                column = 1;
            } else if ((c & 0xC0) != 0x80) {
                column++;
            }
        }
        return new JsonParseException(reason, at - from, line, column);
    }
}
