package dev.parley;

import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonException;
import dev.parley.json.JsonNull;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * A tolerant reading of the start of a JSON object: what is complete so far, with the open
 * objects and arrays closed. A member appears once its value is complete; a string, number or
 * literal still being written is left out (so a number never shows as a prefix of itself), and
 * an object or array still being written shows with what it holds so far. Text before the first
 * '{' (a code fence, a sentence) is skipped. Stateless and thread-safe.
 */
final class PartialJson {

    /** Deeper containers are shown empty, so a hostile answer cannot exhaust the stack. */
    static final int MAX_DEPTH = 64;

    private final CharSequence text;
    private int pos;

    private PartialJson(CharSequence text, int pos) {
        this.text = text;
        this.pos = pos;
    }

    /** {@return the object so far, or null before its '{' or when the text is not JSON} */
    static JsonObject read(CharSequence text) {
        int start = -1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '{') {
                start = i;
                break;
            }
        }
        if (start < 0) {
            return null;
        }
        try {
            return (JsonObject) new PartialJson(text, start).value(0);
        } catch (IllegalStateException | IllegalArgumentException | ArithmeticException | JsonException e) {
            return null;
        }
    }

    /** A value cut off by the end of the text: no value. */
    private static final class Incomplete extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Incomplete INSTANCE = new Incomplete();

        private Incomplete() {
            super(null, null, false, false);
        }
    }

    /** The value at pos: complete, a partial container (with {@code done} false), or Incomplete. */
    private boolean done;

    private JsonValue value(int depth) {
        skipSpace();
        if (pos >= text.length()) {
            throw Incomplete.INSTANCE;
        }
        char c = text.charAt(pos);
        done = true;
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> JsonString.of(string());
            case 't' -> literal("true", JsonBoolean.TRUE);
            case 'f' -> literal("false", JsonBoolean.FALSE);
            case 'n' -> literal("null", JsonNull.INSTANCE);
            default -> number();
        };
    }

    private JsonObject object(int depth) {
        pos++;
        JsonObject.Builder b = JsonObject.newBuilder();
        if (depth >= MAX_DEPTH) {
            throw new IllegalStateException("too deep");
        }
        while (true) {
            skipSpace();
            if (pos >= text.length()) {
                done = false;
                return b.build();
            }
            if (text.charAt(pos) == '}') {
                pos++;
                done = true;
                return b.build();
            }
            if (text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            String key;
            try {
                if (text.charAt(pos) != '"') {
                    throw new IllegalStateException("expected a name");
                }
                key = string();
                skipSpace();
                if (pos >= text.length()) {
                    throw Incomplete.INSTANCE;
                }
                if (text.charAt(pos++) != ':') {
                    throw new IllegalStateException("expected ':'");
                }
                JsonValue v = value(depth + 1);
                b.put(key, v);
                if (!done) {
                    return b.build();
                }
            } catch (Incomplete e) {
                done = false;
                return b.build();
            }
        }
    }

    private JsonArray array(int depth) {
        pos++;
        JsonArray.Builder b = JsonArray.newBuilder();
        if (depth >= MAX_DEPTH) {
            throw new IllegalStateException("too deep");
        }
        while (true) {
            skipSpace();
            if (pos >= text.length()) {
                done = false;
                return b.build();
            }
            char c = text.charAt(pos);
            if (c == ']') {
                pos++;
                done = true;
                return b.build();
            }
            if (c == ',') {
                pos++;
                continue;
            }
            try {
                JsonValue v = value(depth + 1);
                b.add(v);
                if (!done) {
                    return b.build();
                }
            } catch (Incomplete e) {
                done = false;
                return b.build();
            }
        }
    }

    private String string() {
        StringBuilder out = new StringBuilder();
        pos++;
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                break;
            }
            char e = text.charAt(pos++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw Incomplete.INSTANCE;
                    }
                    out.append((char) Integer.parseInt(text.subSequence(pos, pos + 4).toString(), 16));
                    pos += 4;
                }
                default -> out.append(e);
            }
        }
        throw Incomplete.INSTANCE;
    }

    private JsonValue literal(String word, JsonValue value) {
        for (int i = 0; i < word.length(); i++) {
            if (pos + i >= text.length()) {
                throw Incomplete.INSTANCE;
            }
            if (text.charAt(pos + i) != word.charAt(i)) {
                throw new IllegalStateException("expected " + word);
            }
        }
        pos += word.length();
        return value;
    }

    private JsonValue number() {
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        if (pos >= text.length()) {
            throw Incomplete.INSTANCE; // the next chunk may add digits
        }
        if (pos == start) {
            throw new IllegalStateException("unexpected character");
        }
        return JsonNumber.parse(text.subSequence(start, pos).toString());
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }
}
