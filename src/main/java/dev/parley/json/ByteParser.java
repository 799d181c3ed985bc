package dev.parley.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

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

    private final byte[] buf;
    private final int start;
    private final int end;
    private final int maxDepth;
    private final boolean rejectDuplicates;
    private int pos;

    // The frame stack: one entry per open object or array.
    private int depth;
    private int deepest;
    /** Whether a key did not fit {@link #KEYS}: such keys are not left in reused frames. */
    private boolean uncachedKeys;
    private boolean[] frameIsObject;
    private String[][] frameKeys;
    private JsonValue[][] frameValues;
    private int[] frameSize;
    private int[] frameReplace;
    private HashMap<String, Integer>[] frameIndex;

    private char[] chars;

    /**
     * Parsers whose frame stacks can be reused: parsing a small document (a stream chunk) made
     * as many bytes of scratch arrays as of result. A few slots, picked by thread, taken and
     * given back atomically; a parser that finds its slot empty makes new arrays.
     */
    private static final AtomicReferenceArray<ByteParser> SPARE = new AtomicReferenceArray<>(8);
    /** Frame stacks deeper, or frames wider, than this are not kept. */
    private static final int KEEP_DEPTH = 32;
    private static final int KEEP_WIDTH = 256;
    private static final int KEEP_CHARS = 4096;

    @SuppressWarnings("unchecked")
    private ByteParser(byte[] buf, int start, int end, int maxDepth, boolean rejectDuplicates) {
        this.buf = buf;
        this.start = start;
        this.end = end;
        this.maxDepth = maxDepth;
        this.rejectDuplicates = rejectDuplicates;
        this.pos = start;
        this.frameIsObject = new boolean[8];
        this.frameKeys = new String[8][];
        this.frameValues = new JsonValue[8][];
        this.frameSize = new int[8];
        this.frameReplace = new int[8];
        this.frameIndex = new HashMap[8];
    }

    /** A parser over new input that takes over the scratch arrays of {@code old}. */
    private ByteParser(ByteParser old, byte[] buf, int start, int end, int maxDepth, boolean rejectDuplicates) {
        this.buf = buf;
        this.start = start;
        this.end = end;
        this.maxDepth = maxDepth;
        this.rejectDuplicates = rejectDuplicates;
        this.pos = start;
        this.frameIsObject = old.frameIsObject;
        this.frameKeys = old.frameKeys;
        this.frameValues = old.frameValues;
        this.frameSize = old.frameSize;
        this.frameReplace = old.frameReplace;
        this.frameIndex = old.frameIndex;
        this.chars = old.chars;
    }

    /** {@return the value of the document in {@code buf[start, end)}} @throws JsonParseException if it is not JSON */
    static JsonValue parse(byte[] buf, int start, int end, int maxDepth, boolean rejectDuplicates) {
        int slot = (int) Thread.currentThread().threadId() & (SPARE.length() - 1);
        ByteParser spare = SPARE.getAndSet(slot, null);
        ByteParser p = spare == null ? new ByteParser(buf, start, end, maxDepth, rejectDuplicates)
                : new ByteParser(spare, buf, start, end, maxDepth, rejectDuplicates);
        try {
            return p.parseDocument();
        } finally {
            p.release(slot);
        }
    }

    /**
     * Offers the frames to the next parser, if they are small enough. Nothing needs clearing for
     * correctness (a frame is only read below its size, which push resets); values left in the
     * frames a failed parse left open are cleared so that they are not kept alive. Keys may stay
     * when they were all short enough for {@link #KEYS} (which keeps them anyway); others are
     * cleared.
     */
    private void release(int slot) {
        if (deepest > KEEP_DEPTH || chars != null && chars.length > KEEP_CHARS) {
            return;
        }
        for (int d = 0; d < deepest; d++) {
            if ((frameValues[d] != null && frameValues[d].length > KEEP_WIDTH)
                    || (frameKeys[d] != null && frameKeys[d].length > KEEP_WIDTH)) {
                return;
            }
        }
        for (int d = 0; d < depth; d++) { // frames still open: the parse failed
            Arrays.fill(frameValues[d], 0, frameSize[d], null);
            frameIndex[d] = null;
        }
        if (uncachedKeys) {
            for (int d = 0; d < deepest; d++) {
                if (frameKeys[d] != null) {
                    Arrays.fill(frameKeys[d], null);
                }
            }
        }
        SPARE.set(slot, this);
    }

    JsonValue parseDocument() {
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
                    throw fail(pos, "unexpected end of input, expected ',' or '" + (frameIsObject[d] ? '}' : ']') + "'");
                }
                byte c = buf[pos++];
                if (c == ',') {
                    if (frameIsObject[d]) {
                        skipWhitespace();
                        readKey();
                    }
                    continue next;
                }
                if (frameIsObject[d] ? c == '}' : c == ']') {
                    value = pop();
                    continue;
                }
                throw fail(pos - 1, "unexpected " + describe(pos - 1) + ", expected ',' or '"
                        + (frameIsObject[d] ? '}' : ']') + "'");
            }
        }
    }

    private void push(boolean isObject) {
        if (depth >= maxDepth) {
            throw fail(pos, "nesting deeper than the limit of " + maxDepth);
        }
        if (depth == frameSize.length) {
            int n = depth * 2;
            frameIsObject = Arrays.copyOf(frameIsObject, n);
            frameKeys = Arrays.copyOf(frameKeys, n);
            frameValues = Arrays.copyOf(frameValues, n);
            frameSize = Arrays.copyOf(frameSize, n);
            frameReplace = Arrays.copyOf(frameReplace, n);
            frameIndex = Arrays.copyOf(frameIndex, n);
        }
        if (depth == deepest) {
            deepest = depth + 1;
        }
        frameIsObject[depth] = isObject;
        frameSize[depth] = 0;
        frameReplace[depth] = -1;
        frameIndex[depth] = null;
        if (frameValues[depth] == null) {
            frameValues[depth] = new JsonValue[8];
        }
        if (isObject && frameKeys[depth] == null) {
            frameKeys[depth] = new String[8];
        }
        depth++;
    }

    /** Reads {@code "key" :} into the innermost frame, which is an object. */
    private void readKey() {
        int d = depth - 1;
        if (pos >= end || buf[pos] != '"') {
            throw fail(pos, pos >= end ? "unexpected end of input, expected a key"
                    : "unexpected " + describe(pos) + ", expected a key in double quotes");
        }
        int keyAt = pos;
        String key = readKeyString();
        int n = frameSize[d];
        int existing = -1;
        HashMap<String, Integer> index = frameIndex[d];
        if (index != null) {
            Integer at = index.get(key);
            existing = at == null ? -1 : at;
        } else {
            String[] keys = frameKeys[d];
            for (int i = 0; i < n; i++) {
                if (keys[i].equals(key)) {
                    existing = i;
                    break;
                }
            }
        }
        if (existing >= 0 && rejectDuplicates) {
            throw fail(keyAt, "duplicate key " + JsonString.of(key));
        }
        frameReplace[d] = existing;
        if (existing < 0) {
            if (n == frameKeys[d].length) {
                frameKeys[d] = Arrays.copyOf(frameKeys[d], n * 2);
            }
            frameKeys[d][n] = key;
        }
        skipWhitespace();
        if (pos >= end || buf[pos] != ':') {
            throw fail(pos, pos >= end ? "unexpected end of input, expected ':'"
                    : "unexpected " + describe(pos) + ", expected ':'");
        }
        pos++;
    }

    private void add(int d, JsonValue value) {
        int replace = frameReplace[d];
        if (replace >= 0) {
            frameValues[d][replace] = value;
            frameReplace[d] = -1;
            return;
        }
        int n = frameSize[d];
        JsonValue[] values = frameValues[d];
        if (n == values.length) {
            frameValues[d] = values = Arrays.copyOf(values, n * 2);
        }
        values[n] = value;
        frameSize[d] = n + 1;
        if (frameIsObject[d]) {
            HashMap<String, Integer> index = frameIndex[d];
            if (index != null) {
                index.put(frameKeys[d][n], n);
            } else if (n + 1 == MAP_THRESHOLD) {
                index = new HashMap<>(MAP_THRESHOLD * 4);
                for (int i = 0; i <= n; i++) {
                    index.put(frameKeys[d][i], i);
                }
                frameIndex[d] = index;
            }
        }
    }

    private JsonValue pop() {
        int d = --depth;
        int n = frameSize[d];
        JsonValue[] values = JsonArray.copy(frameValues[d], n);
        Arrays.fill(frameValues[d], 0, n, null);
        if (frameIsObject[d]) {
            frameIndex[d] = null;
            return new JsonObject(JsonObject.copyKeys(frameKeys[d], n), values, true);
        }
        return new JsonArray(values, true);
    }

    private void skipWhitespace() {
        int p = pos;
        byte[] b = buf;
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
        if (p < end && buf[p] == '.') {
            plainInteger = false;
            p++;
            int fractionFrom = p;
            while (p < end && buf[p] >= '0' && buf[p] <= '9') {
                p++;
            }
            if (p == fractionFrom) {
                throw fail(p, "expected a digit after the decimal point");
            }
        }
        if (p < end && (buf[p] == 'e' || buf[p] == 'E')) {
            plainInteger = false;
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
        if (plainInteger && digits <= 18 && !(negative && value == 0)) {
            return new JsonNumber(negative ? -value : value);
        }
        return new JsonNumber(new String(buf, from, p - from, StandardCharsets.ISO_8859_1));
    }

    /**
     * Object keys seen recently, by a hash of their bytes. The same few keys recur in every
     * document of an API (and in every chunk of a stream), so a key found here is not allocated
     * again. Shared by all parsers without locking: entries are immutable strings, so a racing
     * reader sees either an old entry or a new one, both checked byte for byte before use.
     */
    private static final String[] KEYS = new String[1024];
    private static final int MAX_CACHED_KEY = 32;

    /** Reads a key: like {@link #readString()}, through {@link #KEYS} for short plain ones. */
    private String readKeyString() {
        int from = pos + 1;
        int p = from;
        byte[] b = buf;
        boolean[] plain = PLAIN;
        int h = 0;
        int limit = Math.min(end, from + MAX_CACHED_KEY);
        while (p < limit && plain[b[p] & 0xFF]) {
            h = 31 * h + b[p];
            p++;
        }
        if (p >= end || b[p] != '"') {
            uncachedKeys = true;
            return readString(); // long, escaped, non-ASCII or unterminated: the general path
        }
        int n = p - from;
        int slot = (h ^ (h >>> 10)) & (KEYS.length - 1);
        String cached = KEYS[slot];
        pos = p + 1;
        if (cached != null && cached.length() == n) {
            int i = 0;
            while (i < n && cached.charAt(i) == b[from + i]) {
                i++;
            }
            if (i == n) {
                return cached;
            }
        }
        String key = n == 0 ? "" : new String(b, from, n, StandardCharsets.ISO_8859_1);
        KEYS[slot] = key;
        return key;
    }

    /** Reads a string whose opening quote is at {@code pos}, leaving {@code pos} after its closing quote. */
    private String readString() {
        int from = pos + 1;
        int p = from;
        byte[] b = buf;
        boolean[] plain = PLAIN;
        while (p < end && plain[b[p] & 0xFF]) {
            p++;
        }
        if (p < end && b[p] == '"') {
            pos = p + 1;
            return p == from ? "" : new String(b, from, p - from, StandardCharsets.ISO_8859_1);
        }
        return readStringSlow(from, p);
    }

    /** Decodes a string with escapes or non-ASCII text; {@code p} is the first byte that is not plain. */
    private String readStringSlow(int from, int p) {
        char[] out = chars;
        int needed = Math.max(p - from + 16, 64);
        if (out == null || out.length < needed) {
            out = new char[Math.max(needed, out == null ? 0 : out.length * 2)];
        }
        int n = 0;
        for (int i = from; i < p; i++) {
            out[n++] = (char) buf[i];
        }
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
                out[n++] = (char) c;
                p++;
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
